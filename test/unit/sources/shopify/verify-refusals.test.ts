import { describe, expect, it } from "vitest";
import type { HeaderBag } from "../../../../functions/core/ingest/source.js";
import { createEnvSecrets } from "../../../../functions/platform/env-secrets.js";
import {
  shopifyHmac,
  verifyShopifyDelivery,
} from "../../../../functions/sources/shopify/verify.js";

/** Whole Shopify verdicts (`ok` and `kind` included) for deliveries that must be refused. */

const secret = "shpss_refusals";
const body = '{"id":1}';
const genuine: Record<string, string> = {
  "x-shopify-api-version": "2024-04",
  "x-shopify-shop-domain": "demo-shop.myshopify.com",
  "x-shopify-hmac-sha256": shopifyHmac(secret, body),
  "x-shopify-topic": "orders/create",
  "x-shopify-webhook-id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
};
const verdict = (headers: HeaderBag, rawBody = body) =>
  verifyShopifyDelivery(
    { method: "POST", url: "/webhooks/shopify", headers, rawBody: Buffer.from(rawBody) },
    { secrets: createEnvSecrets({ SHOPIFY_WEBHOOK_SECRET: secret }), now: new Date() },
  );

describe("Shopify refusals", () => {
  it("accepts the genuine delivery", () => {
    expect(verdict(genuine)).toEqual({ ok: true });
  });

  it("names every missing header, in Shopify's spelling, in one reason", () => {
    const {
      "x-shopify-api-version": _v,
      "x-shopify-topic": _t,
      "x-shopify-webhook-id": _w,
      ...rest
    } = genuine;
    expect(verdict(rest)).toEqual({
      ok: false,
      kind: "rejected",
      reason: "missing_headers: X-Shopify-API-Version, X-Shopify-Topic, X-Shopify-Webhook-Id",
    });
  });

  it("refuses an empty body as the sender's fault", () => {
    expect(verdict({ ...genuine, "x-shopify-hmac-sha256": shopifyHmac(secret, "") }, "")).toEqual({
      ok: false,
      kind: "rejected",
      reason: "missing_body",
    });
  });

  it("refuses a delivery that sends the HMAC header twice, even if one copy is right", () => {
    const hmac = genuine["x-shopify-hmac-sha256"] as string;
    expect(verdict({ ...genuine, "x-shopify-hmac-sha256": [hmac, hmac] })).toEqual({
      ok: false,
      kind: "rejected",
      reason: "invalid_hmac",
    });
  });
});
