import type { WebhookSource } from "../../core/ingest/source.js";
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
