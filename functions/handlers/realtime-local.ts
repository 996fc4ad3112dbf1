import { PURCHASES_TOPIC } from "../core/realtime/purchase-message.js";
import type { LocalEventBus } from "../platform/local/local-event-bus.js";
import { publishPurchases } from "./realtime-publish.js";
import { handleRealtimePurchase, type RealtimePurchaseDeps } from "./realtime-purchase.js";

/**
 * The realtime path on one machine: the ingest service publishes purchases on the in-process bus
 * and the same handler the cloud function runs is subscribed to it (Pub/Sub push semantics:
 * a throw is redelivered, then dead-lettered). Returns the ingest service's `afterLanding`.
 */
export function wireRealtimeLocally(
  bus: LocalEventBus,
  deps: RealtimePurchaseDeps,
): ReturnType<typeof publishPurchases> {
  bus.subscribe(PURCHASES_TOPIC, async (event) => {
    await handleRealtimePurchase(deps, event);
  });
  return publishPurchases(bus);
}
