import type { WebhookSource } from "../../core/ingest/source.js";
import type { PullSource } from "../../core/pull/source.js";
import { shopifyCustomersBackfill, shopifyOrdersBackfill } from "./backfill.js";
import { extractShopifyDelivery, ordersStream } from "./extract.js";
import { SHOPIFY_RESOURCE_STREAMS } from "./resource-streams.js";
import { SHOPIFY_SECRET, SHOPIFY_SECRET_PREVIOUS, verifyShopifyDelivery } from "./verify.js";

export { shopifyCatalog } from "./catalog.js";
export { shopifyOrderRecordId } from "./extract.js";

export const shopifySource: WebhookSource = {
  name: "shopify",
  streams: { orders: ordersStream, ...SHOPIFY_RESOURCE_STREAMS },
  secretNames: [SHOPIFY_SECRET, SHOPIFY_SECRET_PREVIOUS],
  replayHeaders: [
    "X-Shopify-Topic",
    "X-Shopify-Webhook-Id",
    "X-Shopify-Shop-Domain",
    "X-Shopify-API-Version",
  ],
  verify: verifyShopifyDelivery,
  extract: extractShopifyDelivery,
};

/**
 * Shopify's backfill through the GraphQL Admin API: orders and customers land in the webhooks'
 * own streams, with the webhooks' record ids.
 */
export const shopifyPullSource: PullSource = {
  name: "shopify",
  streams: { orders: shopifyOrdersBackfill, customers: shopifyCustomersBackfill },
};
