import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingestWebhook } from "../../../functions/core/ingest/ingest-webhook.js";
import {
  EXPORTS_PREFIX,
  handleVendorRequests,
  parseVendorRequestMarker,
  REQUESTS_PREFIX,
} from "../../../functions/core/privacy/vendor-requests.js";
import type { DuckDbWarehouse } from "../../../functions/platform/local/duckdb-warehouse.js";
import { env, NOW, shopifyRequest } from "../handlers/deliveries.js";
import {
  capturingLogger,
  createLake,
  fixedClock,
  ingestDeps,
  type Lake,
} from "../handlers/harness.js";
import { erasureDeps, observe, PEOPLE_TABLE, seedDeployment } from "./erasure-harness.js";

let lake: Lake;
let warehouse: DuckDbWarehouse;
beforeEach(async () => {
  lake = await createLake();
  warehouse = await seedDeployment(lake);
});
afterEach(() => lake.cleanup());

async function deliver(topic: string, body: Record<string, unknown>, webhookId: string) {
  const deps = ingestDeps(lake, { env, clock: fixedClock(NOW), logger: capturingLogger().logger });
  const answer = await ingestWebhook(
    deps,
    shopifyRequest(JSON.stringify(body), { topic, webhookId }),
  );
  expect(answer.status).toBe(200);
}

const shop = { shop_id: 954889, shop_domain: "demo-shop.myshopify.com" };

describe("Shopify's privacy webhooks handled by the privacy worker", () => {
  it("erases the customer of customers/redact, exports the one of customers/data_request, flags shop/redact, each once", async () => {
    await deliver(
      "customers/redact",
      {
        ...shop,
        customer: { id: 191167, email: "Person2@example.com", phone: null },
        orders_to_redact: [],
      },
      "11111111-1111-4111-8111-111111111111",
    );
    await deliver(
      "customers/data_request",
      {
        ...shop,
        customer: { id: 191168, email: "person3@example.com", phone: null },
        orders_requested: [],
        data_request: { id: 9999 },
      },
      "22222222-2222-4222-8222-222222222222",
    );
    await deliver("shop/redact", shop, "33333333-3333-4333-8333-333333333333");
    const logger = capturingLogger();
    const deps = erasureDeps(lake, lake.store, warehouse, {
      tables: [PEOPLE_TABLE],
      logger: logger.logger,
    });

    const outcomes = await handleVendorRequests(deps);
    expect(outcomes.map((o) => [o.stream, o.status]).sort()).toEqual([
      ["customers_data_request", "exported"],
      ["customers_redact", "erased"],
      ["shop_redact", "needs_operator"],
    ]);
    const after = await observe(lake, warehouse);
    expect(after.people).toEqual(["ct_1", "ct_3", "ct_4", "ct_5"]);
    expect(after.raw.map((r) => r.split(" @ ")[0])).toEqual(["evt-1", "evt-3", "evt-4", "evt-5"]);

    const exportKey = outcomes.find((o) => o.status === "exported")?.exportKey ?? "";
    expect(exportKey.startsWith(EXPORTS_PREFIX)).toBe(true);
    const document = JSON.parse(await lake.read(exportKey));
    expect(document.contactIds).toEqual(["ct_3"]);
    expect(document.sources.sendgrid.events.map((r: { recordId: string }) => r.recordId)).toEqual([
      "evt-3",
    ]);

    const markers = await lake.keys(REQUESTS_PREFIX);
    expect(markers).toHaveLength(3);
    for (const key of markers) {
      const text = await lake.read(key);
      parseVendorRequestMarker(text);
      expect(text).not.toMatch(/@|191167|191168/);
    }
    expect(logger.lines().join("\n")).not.toMatch(/person[23]@/i);

    expect(await handleVendorRequests(deps)).toEqual([]);
  });
});
