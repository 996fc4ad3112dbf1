import type { IngestDeps } from "../core/ingest/ingest-webhook.js";
import { headerValue } from "../core/ingest/source.js";
import { PURCHASES_TOPIC, purchaseMessages } from "../core/realtime/purchase-message.js";
import type { EventBus } from "../platform/ports.js";

/**
 * The ingest service's `afterLanding` for the realtime path: once a Shopify `orders/create` or
 * `orders/paid` delivery is in the lake, one pointer message per landed orders object goes to
 * topic `purchases` (core/realtime/purchase-message.ts). Publishing waits for the bus to have
 * the message, so a 2xx means it was announced; if the bus fails the vendor retries.
 */
export function publishPurchases(
  bus: EventBus,
  topic = PURCHASES_TOPIC,
): NonNullable<IngestDeps["afterLanding"]> {
  return async (landed) => {
    const messages = purchaseMessages({
      source: landed.source,
      topic: headerValue(landed.headers, "x-shopify-topic")?.trim(),
      receivedAt: landed.receivedAt,
      objects: landed.raw,
    });
    await Promise.all(messages.map((data) => bus.publish(topic, { data })));
  };
}
