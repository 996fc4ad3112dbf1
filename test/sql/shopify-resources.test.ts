import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingestWebhook } from "../../functions/core/ingest/ingest-webhook.js";
import { rawTableSpec } from "../../functions/core/raw-table.js";
import { runDuckDbGraph } from "../../functions/dataform/run-duckdb.js";
import { ensureLocalDeclarations } from "../../functions/sources/local-declarations.js";
import { env, NOW, shopifyRequest } from "../unit/handlers/deliveries.js";
import {
  capturingLogger,
  createLake,
  fixedClock,
  ingestDeps,
  type Lake,
} from "../unit/handlers/harness.js";
import { customer, product, refund } from "../unit/sources/shopify/resource-payloads.js";
import { repoRoot, useGraphWarehouse } from "./fixtures.js";

const db = useGraphWarehouse();
let lake: Lake;
beforeEach(async () => {
  lake = await createLake();
});
afterEach(() => lake.cleanup());

describe("Shopify customers, products and refunds in staging", () => {
  it("turn webhooks into the latest customer with a normalized email, the product with its lowest price, and the refund's amount", async () => {
    const deps = ingestDeps(lake, {
      env,
      clock: fixedClock(NOW),
      logger: capturingLogger().logger,
    });
    const later = {
      ...customer,
      updated_at: "2022-02-01T10:00:00+01:00",
      email_marketing_consent: {
        state: "unsubscribed",
        opt_in_level: null,
        consent_updated_at: "2022-02-01T10:00:00+01:00",
      },
    };
    const deliveries: [string, unknown][] = [
      ["customers/create", customer],
      ["customers/update", later],
      [
        "products/update",
        {
          ...product,
          variants: [...product.variants, { ...product.variants[0], id: 1, price: "9.50" }],
        },
      ],
      ["refunds/create", refund],
    ];
    for (const [topic, body] of deliveries) {
      const response = await ingestWebhook(
        deps,
        shopifyRequest(JSON.stringify(body), { topic, webhookId: topic }),
      );
      expect(response.body).toMatchObject({ accepted: 1 });
    }
    for (const stream of ["customers", "products", "refunds"]) {
      const keys = await lake.keys(`raw/shopify/${stream}/`);
      await db.warehouse.load({
        table: rawTableSpec("shopify", stream),
        sourceUris: keys.map((k) => lake.store.uriOf(k)),
        jobId: `shopify_${stream}`,
      });
    }
    await ensureLocalDeclarations(db.warehouse, db.graph, repoRoot);
    await runDuckDbGraph(db.warehouse, db.graph);

    expect(
      await db.warehouse.query(
        "SELECT customer_id, email, email_marketing_consent_state FROM staging.stg_shopify__customers",
      ),
    ).toEqual([
      {
        customer_id: "706405506930370000",
        email: "bob.norman@mail.example.com",
        email_marketing_consent_state: "unsubscribed",
      },
    ]);
    const [item] = await db.warehouse.query(
      "SELECT product_id, variant_count, min_variant_price, status FROM staging.stg_shopify__products",
    );
    expect(item).toMatchObject({
      product_id: "788032119674292900",
      variant_count: 3,
      status: "active",
    });
    expect(Number(item?.min_variant_price)).toBe(9.5);
    const [money] = await db.warehouse.query(
      "SELECT refund_id, order_id, refunded_amount, currency FROM staging.stg_shopify__refunds",
    );
    expect(money).toMatchObject({ refund_id: "509562969", currency: "USD" });
    expect(Number(money?.refunded_amount)).toBe(199.99);
  });
});
