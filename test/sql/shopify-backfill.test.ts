import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { shopifySandboxData } from "../../functions/cli/commands/pull-sandboxes.js";
import { generateDeliveries } from "../../functions/cli/demo/synthetic/generate.js";
import { ingestWebhook } from "../../functions/core/ingest/ingest-webhook.js";
import { runPull } from "../../functions/core/pull/run-pull.js";
import { rawTableSpec } from "../../functions/core/raw-table.js";
import { runDuckDbGraph } from "../../functions/dataform/run-duckdb.js";
import { createEnvSecrets } from "../../functions/platform/env-secrets.js";
import { ensureLocalDeclarations } from "../../functions/sources/local-declarations.js";
import { shopifyPullSource } from "../../functions/sources/shopify/index.js";
import { startShopifySandbox } from "../../functions/sources/shopify/sandbox.js";
import { env, NOW, shopifyRequest } from "../unit/handlers/deliveries.js";
import {
  capturingLogger,
  createLake,
  fixedClock,
  ingestDeps,
  type Lake,
  ndjsonLines,
} from "../unit/handlers/harness.js";
import { repoRoot, useGraphWarehouse } from "./fixtures.js";

const db = useGraphWarehouse();
let lake: Lake;
beforeEach(async () => {
  lake = await createLake();
});
afterEach(() => lake.cleanup());

describe("Shopify backfill and webhooks together", () => {
  it("dedupe: the shop's history pulled over orders its webhooks already landed gives each order once in staging, with the same values", async () => {
    const input = { contacts: 60, seed: 11, now: NOW };
    const deps = ingestDeps(lake, {
      env,
      clock: fixedClock(NOW),
      logger: capturingLogger().logger,
    });
    const webhooks = generateDeliveries(input).deliveries.filter((d) => d.source === "shopify");
    for (const [i, delivery] of webhooks.entries()) {
      const topic = delivery.headers?.["X-Shopify-Topic"] ?? "orders/create";
      await ingestWebhook(deps, shopifyRequest(delivery.body, { topic, webhookId: `w${i}` }));
    }
    const data = shopifySandboxData(input);
    const sandbox = await startShopifySandbox({ data, token: "shpat_t" });
    try {
      const outcome = await runPull(
        {
          store: lake.store,
          clock: fixedClock(NOW),
          logger: capturingLogger().logger,
          fetch: globalThis.fetch,
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        },
        {
          source: shopifyPullSource,
          connection: {
            id: "default",
            businessUnit: "default",
            settings: { baseUrl: sandbox.url },
            secrets: createEnvSecrets({ SHOPIFY_ADMIN_ACCESS_TOKEN: "shpat_t" }),
          },
          stream: "orders",
        },
      );
      expect(outcome).toMatchObject({ status: "done", records: data.orders.length });
    } finally {
      await sandbox.close();
    }
    const keys = await lake.keys("raw/shopify/orders/");
    const lines = (await Promise.all(keys.map((k) => lake.read(k)))).flatMap(ndjsonLines);
    // Every pulled version was also delivered by webhook: two raw lines, one record id.
    const ids = lines.map((l) => String(l._record_id));
    expect(ids.length - new Set(ids).size).toBe(data.orders.length);

    await db.warehouse.load({
      table: rawTableSpec("shopify", "orders"),
      sourceUris: keys.map((k) => lake.store.uriOf(k)),
      jobId: "shopify_orders_backfill",
    });
    await ensureLocalDeclarations(db.warehouse, db.graph, repoRoot);
    await runDuckDbGraph(db.warehouse, db.graph);
    const rows = await db.warehouse.query(
      "SELECT order_id, email, customer_id, total_price, financial_status, billing_country_code, consent_ad_user_data FROM staging.stg_shopify__orders WHERE invalid_reason IS NULL ORDER BY order_id",
    );
    expect(rows).toHaveLength(data.orders.length);
    const byId = new Map(data.orders.map((o) => [String(o.id), o as Record<string, any>]));
    for (const row of rows) {
      const order = byId.get(String(row.order_id));
      expect(order, String(row.order_id)).toBeDefined();
      expect(Number(row.total_price)).toBe(Number(order?.total_price));
      expect(row.financial_status).toBe(order?.financial_status);
      expect(row.customer_id).toBe(String(order?.customer.id));
      expect(row.billing_country_code).toBe(order?.billing_address.country_code);
    }
  });
});
