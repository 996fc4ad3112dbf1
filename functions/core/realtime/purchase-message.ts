import { z } from "zod";

/**
 * The message the ingest service publishes on topic `purchases` once a Shopify `orders/create`
 * or `orders/paid` delivery is durably in the lake (docs/destinations.md, "Real-time path").
 * It carries a pointer (the raw object and the record ids in it), never the purchaser's data:
 * the realtime function reads the record from the lake, so the bus holds nothing personal and an
 * erased record (rewritten out of the object) is simply not found.
 */

export const PURCHASES_TOPIC = "purchases";

/** Shopify topics that make someone a purchaser now. */
export const PURCHASE_TOPICS = ["orders/create", "orders/paid"] as const;

/** Streams whose records are orders, per source (only Shopify today). */
export const PURCHASE_STREAMS: Readonly<Record<string, string>> = { shopify: "orders" };

export const PurchaseMessageSchema = z.object({
  version: z.literal(1),
  source: z.literal("shopify"),
  topic: z.enum(PURCHASE_TOPICS),
  /** Raw object key: `raw/shopify/orders/dt=…/<batch>.ndjson`. */
  key: z.string().regex(/^raw\/shopify\/orders\/dt=\d{4}-\d{2}-\d{2}\/[A-Za-z0-9_.-]+\.ndjson$/),
  /** `_record_id` of each landed order in that object (a webhook carries one). */
  recordIds: z.array(z.string().min(1).max(200)).min(1).max(1_000),
  /** When the ingest service received the delivery (ISO), for latency figures. */
  receivedAt: z.iso.datetime(),
});
export type PurchaseMessage = z.infer<typeof PurchaseMessageSchema>;

/** One raw object a delivery landed (or found already landed). */
export interface LandedObject {
  readonly stream: string;
  readonly key: string;
  readonly recordIds: readonly string[];
}

/**
 * The purchase messages of one landed delivery: only for a purchase topic of a source that has
 * orders, one per raw object of its order stream. A redelivery (objects already landed) yields
 * the same messages again: the realtime function is idempotent per (order, sync).
 */
export function purchaseMessages(input: {
  readonly source: string;
  readonly topic: string | undefined;
  readonly receivedAt: string;
  readonly objects: readonly LandedObject[];
}): PurchaseMessage[] {
  const stream = PURCHASE_STREAMS[input.source];
  const topic = PURCHASE_TOPICS.find((t) => t === input.topic);
  if (stream === undefined || topic === undefined) return [];
  return input.objects
    .filter((o) => o.stream === stream && o.recordIds.length > 0)
    .map((o) => ({
      version: 1,
      source: "shopify",
      topic,
      key: o.key,
      recordIds: [...o.recordIds],
      receivedAt: input.receivedAt,
    }));
}
