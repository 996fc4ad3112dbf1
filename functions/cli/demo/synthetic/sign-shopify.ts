import { shopifyHmac } from "../../../sources/shopify/verify.js";

/**
 * The signature header Shopify would send with this body: what the demo's sender and tests use.
 * Merge it with the delivery's other headers (topic, webhook id, shop domain, API version).
 */
export function signShopifyDelivery(
  secret: string,
  body: string | Uint8Array,
): { "X-Shopify-Hmac-Sha256": string } {
  return { "X-Shopify-Hmac-Sha256": shopifyHmac(secret, body) };
}
