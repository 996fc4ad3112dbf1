import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingestWebhook } from "../../functions/core/ingest/ingest-webhook.js";
import { ERASED_RECORDS } from "../../functions/core/privacy/privacy-tables.js";
import { rawTableSpec } from "../../functions/core/raw-table.js";
import { runDuckDbGraph } from "../../functions/dataform/run-duckdb.js";
import { ensureLocalDeclarations } from "../../functions/sources/local-declarations.js";
import {
  env,
  keys,
  sendgridEvent as sendgridPayload,
  sendgridRequest,
  shopifyRequest,
} from "../unit/handlers/deliveries.js";
import {
  capturingLogger,
  createLake,
  fixedClock,
  ingestDeps,
  type Lake,
} from "../unit/handlers/harness.js";
import { vectorOrders } from "../unit/sources/vectors.js";
import { daysAgo, loadRaw, repoRoot, shopifyOrder, useGraphWarehouse } from "./fixtures.js";

const db = useGraphWarehouse();

describe("a record-level problem is flagged in staging, never fatal for the run", () => {
  it("flags a raw order with a negative total, leaves it out downstream, and the run succeeds", async () => {
    // Landed before the contract refused negative totals: raw keeps what older contracts accepted.
    await loadRaw(db.warehouse, {
      orders: [
        shopifyOrder({
          id: "5001",
          email: "neg@example.com",
          createdAt: daysAgo(3),
          totalPrice: "-5.00",
        }),
        shopifyOrder({
          id: "5002",
          email: "ok@example.com",
          createdAt: daysAgo(2),
          totalPrice: "20.00",
        }),
      ],
    });
    // The sources this test sends nothing to (GA4, Zoom…) read as empty.
    await ensureLocalDeclarations(db.warehouse, db.graph, repoRoot);
    await expect(runDuckDbGraph(db.warehouse, db.graph)).resolves.toBeDefined();
    expect(
      await db.warehouse.query(
        "SELECT order_id, invalid_reason FROM staging.stg_shopify__orders ORDER BY order_id",
      ),
    ).toEqual([
      { order_id: "5001", invalid_reason: "total_price is negative" },
      { order_id: "5002", invalid_reason: null },
    ]);
    expect(await db.warehouse.query("SELECT order_id FROM marts.fct_orders")).toEqual([
      { order_id: "5002" },
    ]);
    expect(await db.warehouse.query("SELECT email, total_spent FROM marts.dim_contacts")).toEqual([
      { email: "ok@example.com", total_spent: 20 },
    ]);
  });

  it("keeps an order's latest usable version when its newest version is flagged", async () => {
    await loadRaw(db.warehouse, {
      orders: [
        shopifyOrder({
          id: "6001",
          email: "v@example.com",
          createdAt: daysAgo(5),
          totalPrice: "30.00",
        }),
        shopifyOrder({
          id: "6001",
          email: "v@example.com",
          createdAt: daysAgo(5),
          updatedAt: daysAgo(1),
          totalPrice: "-30.00",
        }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(await db.warehouse.query("SELECT order_id, total_price FROM marts.fct_orders")).toEqual([
      { order_id: "6001", total_price: 30 },
    ]);
  });
});

describe("what the ingest contracts accept, the models accept", () => {
  let lake: Lake;
  beforeEach(async () => {
    lake = await createLake();
  });
  afterEach(() => lake.cleanup());

  const order = (id: number, change: Record<string, unknown>) =>
    JSON.stringify({ ...vectorOrders.order450789469, id, ...change });

  it("runs the whole graph without a failed assertion on contract-valid edge cases", async () => {
    const now = new Date();
    const deps = ingestDeps(lake, {
      env,
      clock: fixedClock(now),
      logger: capturingLogger().logger,
    });
    const orders = [
      order(7001, { total_price: "0", subtotal_price: "0", total_tax: "0" }),
      order(7002, { total_price: `${"9".repeat(29)}.${"9".repeat(9)}` }),
      order(7003, {
        created_at: "1970-01-01T00:00:00Z",
        updated_at: "2024-04-02T09:04:31.123456+14:00",
      }),
      order(7004, { updated_at: "9998-12-31T23:59:59-12:00", currency: "XXX" }),
      order(7005, { email: null, contact_email: null, customer: null, line_items: [] }),
      JSON.stringify(vectorOrders.order1073459975).replace(
        '"id":1073459975',
        '"id":820982911946154508',
      ),
    ];
    for (const body of orders) {
      const response = await ingestWebhook(deps, shopifyRequest(body));
      expect(response.body).toEqual({ accepted: 1, quarantined: 0, duplicate: 0 });
    }
    const stamp = Math.floor(now.getTime() / 1000);
    const events = [
      sendgridPayload(1, { timestamp: 0 }),
      sendgridPayload(2, { timestamp: 253402300799 }),
      sendgridPayload(3, { email: " ", event: "group_unsubscribe", asm_group_id: 2 ** 53 - 1 }),
      sendgridPayload(4, { email: "ÄÖ@EXAMPLE.com", event: "spamreport", category: ["a", "b"] }),
    ];
    const response = await ingestWebhook(
      deps,
      sendgridRequest(keys.privateKeyPem, stamp, JSON.stringify(events)),
    );
    expect(response.body).toEqual({ accepted: 4, quarantined: 0, duplicate: 0 });

    for (const [source, stream] of [
      ["shopify", "orders"],
      ["sendgrid", "events"],
    ] as const) {
      const objects = await lake.keys(`raw/${source}/${stream}/`);
      await db.warehouse.load({
        table: rawTableSpec(source, stream),
        sourceUris: objects.map((key) => lake.store.uriOf(key)),
        jobId: `agreement_${source}`,
      });
    }
    // The sources this test sends nothing to (GA4, Zoom…) read as empty.
    await ensureLocalDeclarations(db.warehouse, db.graph, repoRoot);
    await db.warehouse.ensureTable(ERASED_RECORDS);
    await expect(runDuckDbGraph(db.warehouse, db.graph)).resolves.toBeDefined();
    const [counts] = await db.warehouse.query<{ orders: number; flagged: number; events: number }>(
      `SELECT
         (SELECT COUNT(*) FROM marts.fct_orders) AS orders,
         (SELECT COUNT(*) FROM staging.stg_shopify__orders WHERE invalid_reason IS NOT NULL) AS flagged,
         (SELECT COUNT(*) FROM marts.fct_email_events) AS events`,
    );
    expect(counts).toEqual({ orders: orders.length, flagged: 0, events: events.length });
  });
});
