import { createHmac, timingSafeEqual } from "node:crypto";
import type { Verdict, VerifyContext, WebhookDelivery } from "../../core/ingest/source.js";
import { headerValue } from "../../core/ingest/source.js";

export const SHOPIFY_SECRET = "SHOPIFY_WEBHOOK_SECRET";
/** Set during a rotation: deliveries signed with either secret are accepted. */
export const SHOPIFY_SECRET_PREVIOUS = "SHOPIFY_WEBHOOK_SECRET_PREVIOUS";

export const SHOPIFY_HEADERS = {
  hmac: "x-shopify-hmac-sha256",
  topic: "x-shopify-topic",
  webhookId: "x-shopify-webhook-id",
  shopDomain: "x-shopify-shop-domain",
  apiVersion: "x-shopify-api-version",
} as const;

/** The headers every genuine delivery carries (Shopify's own validator requires all five). */
const REQUIRED: ReadonlyArray<readonly [string, string]> = [
  [SHOPIFY_HEADERS.apiVersion, "X-Shopify-API-Version"],
  [SHOPIFY_HEADERS.shopDomain, "X-Shopify-Shop-Domain"],
  [SHOPIFY_HEADERS.hmac, "X-Shopify-Hmac-Sha256"],
  [SHOPIFY_HEADERS.topic, "X-Shopify-Topic"],
  [SHOPIFY_HEADERS.webhookId, "X-Shopify-Webhook-Id"],
];

/** base64(HMAC-SHA256(secret, raw body bytes)): the `X-Shopify-Hmac-Sha256` value. */
export function shopifyHmac(secret: string, rawBody: Uint8Array | string): string {
  return createHmac("sha256", secret).update(rawBody).digest("base64");
}

/**
 * Verifies a Shopify webhook over the raw bytes, before anything is parsed: HMAC-SHA256 with the
 * app's secret, its base64 compared with the header in constant time; the previous secret is
 * accepted during a rotation. A header that is blank counts as missing.
 */
export function verifyShopifyDelivery(delivery: WebhookDelivery, context: VerifyContext): Verdict {
  const secrets = [
    context.secrets.get(SHOPIFY_SECRET),
    context.secrets.get(SHOPIFY_SECRET_PREVIOUS),
  ].filter((s): s is string => s !== undefined);
  if (secrets.length === 0) {
    return { ok: false, kind: "unconfigured", reason: `${SHOPIFY_SECRET} is not set` };
  }
  const missing = REQUIRED.filter(([name]) => !headerValue(delivery.headers, name)?.trim()).map(
    ([, label]) => label,
  );
  if (missing.length > 0) {
    return { ok: false, kind: "rejected", reason: `missing_headers: ${missing.join(", ")}` };
  }
  if (delivery.rawBody.byteLength === 0) {
    return { ok: false, kind: "rejected", reason: "missing_body" };
  }
  const header = delivery.headers[SHOPIFY_HEADERS.hmac];
  if (typeof header !== "string") return { ok: false, kind: "rejected", reason: "invalid_hmac" };
  // The header is compared as sent, as text, with the base64 Shopify writes: a padded, re-padded
  // or otherwise re-encoded value (which a lenient base64 decoder would accept) is not a match.
  const claimed = Buffer.from(header, "utf8");
  const matches = secrets.some((secret) => {
    const expected = Buffer.from(shopifyHmac(secret, delivery.rawBody), "utf8");
    return claimed.length === expected.length && timingSafeEqual(claimed, expected);
  });
  return matches ? { ok: true } : { ok: false, kind: "rejected", reason: "invalid_hmac" };
}
