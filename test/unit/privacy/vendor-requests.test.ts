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
import { vectorOrders } from "../sources/vectors.js";
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
  it("erases the customer of customers/redact, exports the one of customers/data_request, each once", async () => {
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
    const logger = capturingLogger();
    const deps = erasureDeps(lake, lake.store, warehouse, {
      tables: [PEOPLE_TABLE],
      logger: logger.logger,
    });

    const outcomes = await handleVendorRequests(deps);
    expect(outcomes.map((o) => [o.stream, o.status]).sort()).toEqual([
      ["customers_data_request", "exported"],
      ["customers_redact", "erased"],
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
    expect(markers).toHaveLength(2);
    for (const key of markers) {
      const text = await lake.read(key);
      parseVendorRequestMarker(text);
      expect(text).not.toMatch(/@|191167|191168/);
    }
    expect(logger.lines().join("\n")).not.toMatch(/person[23]@/i);

    expect(await handleVendorRequests(deps)).toEqual([]);
  });

  it("shop/redact erases every person the shop's connection knew, everywhere, and nobody else, once", async () => {
    // The shop's records name person 4 (an order) and person 5 (a data request); SendGrid knows
    // them too. Persons 1-3 never bought in this shop.
    await deliver(
      "orders/create",
      { ...vectorOrders.order450789469, email: "person4@example.com" },
      "55555555-5555-4555-8555-555555555555",
    );
    await deliver(
      "customers/data_request",
      {
        ...shop,
        customer: { id: 191169, email: "person5@example.com", phone: null },
        orders_requested: [],
        data_request: { id: 9998 },
      },
      "66666666-6666-4666-8666-666666666666",
    );
    const deps = erasureDeps(lake, lake.store, warehouse, { tables: [PEOPLE_TABLE] });
    expect((await handleVendorRequests(deps)).map((o) => o.status)).toEqual(["exported"]);

    await deliver("shop/redact", shop, "33333333-3333-4333-8333-333333333333");
    const outcomes = await handleVendorRequests(deps);
    expect(outcomes.map((o) => [o.stream, o.status])).toEqual([["shop_redact", "erased"]]);
    expect(outcomes[0]?.erasures?.every((e) => e.state.status === "completed")).toBe(true);
    const after = await observe(lake, warehouse);
    expect(after.people).toEqual(["ct_1", "ct_2", "ct_3"]);
    expect(after.raw.map((r) => r.split(" @ ")[0])).toEqual(["evt-1", "evt-2", "evt-2b", "evt-3"]);
    // The access document of person 5 was about them: gone with them.
    expect(await lake.keys(EXPORTS_PREFIX)).toEqual([]);
    for (const key of await lake.keys("raw/shopify/")) {
      expect(await lake.read(key)).not.toMatch(/person[45]@|191169/);
    }
    expect(await handleVendorRequests(deps)).toEqual([]);
  });
});
