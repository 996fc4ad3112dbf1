import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDeliveries } from "../../../functions/cli/demo/synthetic/generate.js";
import {
  generateSendgridKeyPair,
  signSendgridDelivery,
} from "../../../functions/cli/demo/synthetic/sign-sendgrid.js";
import { signShopifyDelivery } from "../../../functions/cli/demo/synthetic/sign-shopify.js";
import { ingestWebhook } from "../../../functions/core/ingest/ingest-webhook.js";
import { sweepRawLoads } from "../../../functions/core/loading/sweep.js";
import { LOCAL_SWEEP } from "../../../functions/core/loading/sweep-config.js";
import { capturingLogger, createLake, fixedClock, ingestDeps, type Lake } from "./harness.js";
import { loaderDeps, MANUAL_ALL } from "./loader-harness.js";

const now = new Date("2026-03-01T12:00:00Z");
const secret = "shpss_demo";
const keys = generateSendgridKeyPair();
const generated = generateDeliveries({ contacts: 150, seed: 3, now });
let lake: Lake;
const totals = { accepted: 0, quarantined: 0, duplicate: 0 };
const statuses = new Set<number>();
let logLines: string[] = [];

beforeAll(async () => {
  lake = await createLake();
  const logs = capturingLogger();
  const clock = fixedClock(now);
  const deps = ingestDeps(lake, {
    env: { SHOPIFY_WEBHOOK_SECRET: secret, SENDGRID_WEBHOOK_PUBLIC_KEY: keys.publicKeyBase64 },
    clock,
    logger: logs.logger,
  });
  const stamp = Math.floor(now.getTime() / 1000);
  for (const delivery of generated.deliveries) {
    const signature =
      delivery.source === "shopify"
        ? signShopifyDelivery(secret, delivery.body)
        : signSendgridDelivery(keys.privateKeyPem, stamp, delivery.body);
    const response = await ingestWebhook(deps, {
      source: delivery.source,
      method: "POST",
      url: delivery.path,
      headers: { ...delivery.headers, ...signature },
      rawBody: Buffer.from(delivery.body),
    });
    statuses.add(response.status);
    if ("accepted" in response.body) {
      totals.accepted += response.body.accepted;
      totals.quarantined += response.body.quarantined;
      totals.duplicate += response.body.duplicate;
    }
  }
  const warehouse = await lake.warehouse();
  await sweepRawLoads(
    loaderDeps(lake, warehouse, { logger: logs.logger }),
    MANUAL_ALL,
    LOCAL_SWEEP,
  );
  logLines = logs.lines();
}, 120_000);
afterAll(() => lake.cleanup());

describe("the synthetic traffic through ingest and load", () => {
  const { shopify, sendgrid } = generated.expected;

  it("answers every delivery 200 and accounts for every record", () => {
    expect([...statuses]).toEqual([200]);
    expect(totals).toEqual({
      accepted: shopify.validRecords + sendgrid.rawRows,
      quarantined: shopify.invalidRecords + sendgrid.invalidRecords,
      duplicate: sendgrid.duplicatesWithinBatch,
    });
  });

  it("lands the expected rows and record ids in the raw tables", async () => {
    const warehouse = await lake.warehouse();
    const [orders] = await warehouse.query(
      "SELECT count(*) AS rows, count(DISTINCT _record_id) AS ids FROM raw.shopify_orders",
    );
    expect(orders).toEqual({ rows: shopify.validRecords, ids: shopify.validRecords });
    const [events] = await warehouse.query(
      "SELECT count(*) AS rows, count(DISTINCT _record_id) AS ids FROM raw.sendgrid_events",
    );
    expect(events).toEqual({ rows: sendgrid.rawRows, ids: sendgrid.distinctEventIds });
  });

  it("keeps ids above 2^53 exact all the way to the warehouse", async () => {
    const rows = await (await lake.warehouse()).query<{ id: string; record: string }>(
      "SELECT payload->>'$.id' AS id, _record_id AS record FROM raw.shopify_orders WHERE length(payload->>'$.id') > 16",
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.record.startsWith(`${row.id}:`)).toBe(true);
    expect(rows.every((r) => BigInt(r.id) > BigInt(Number.MAX_SAFE_INTEGER))).toBe(true);
  });

  it("never logs an email address", () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join("\n")).not.toMatch(/[A-Za-z0-9._%+-]+ ?@ ?[A-Za-z0-9.-]+\.[A-Za-z]{2,}/);
  });
});
