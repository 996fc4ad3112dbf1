import { compactJson } from "../../core/ingest/json-text.js";
import type {
  Extraction,
  JsonBody,
  StreamContract,
  WebhookDelivery,
} from "../../core/ingest/source.js";
import { headerValue } from "../../core/ingest/source.js";
import { defineStream } from "../stream-contract.js";
import { SHOPIFY_TOPIC_STREAMS, type ShopifyOrder, ShopifyOrderSchema } from "./contracts.js";
import { SHOPIFY_RESOURCE_TOPICS } from "./resource-streams.js";
import { SHOPIFY_HEADERS } from "./verify.js";

/** An instant as UTC with second precision (`2008-01-10T16:00:00Z`); keeps milliseconds if any. */
export function utcInstant(timestamp: string): string {
  return new Date(timestamp).toISOString().replace(".000Z", "Z");
}

/**
 * Record id of an order version: `<order id>:<updated_at as UTC>`. A webhook and a later
 * backfill of the same version get the same id whatever offset the shop's time zone gave them.
 */
export function shopifyOrderRecordId(order: Pick<ShopifyOrder, "id" | "updated_at">): string {
  return `${order.id.toString()}:${utcInstant(order.updated_at)}`;
}

export const ordersStream: StreamContract = defineStream({
  schema: ShopifyOrderSchema,
  recordId: shopifyOrderRecordId,
  eventTime: (order) => new Date(order.updated_at),
  recordIdHint(value) {
    if (typeof value !== "object" || value === null) return undefined;
    const { id, updated_at: updatedAt } = value as Record<string, unknown>;
    if (typeof id !== "number" && typeof id !== "bigint" && typeof id !== "string")
      return undefined;
    const version =
      typeof updatedAt === "string" && !Number.isNaN(Date.parse(updatedAt))
        ? utcInstant(updatedAt)
        : "unknown";
    return `${id.toString()}:${version}`;
  },
});

/**
 * A Shopify webhook carries one resource as the whole body; the topic header names the stream.
 * A topic we do not model is kept (quarantined as unrouted), never dropped.
 */
export function extractShopifyDelivery(delivery: WebhookDelivery, body: JsonBody): Extraction {
  const topic = headerValue(delivery.headers, SHOPIFY_HEADERS.topic)?.trim() ?? "";
  const stream = SHOPIFY_TOPIC_STREAMS[topic] ?? SHOPIFY_RESOURCE_TOPICS[topic];
  const json = compactJson(body.text);
  const record = stream
    ? { stream, value: body.value, json }
    : {
        stream: undefined,
        // The topic itself is kept in the quarantine line's headers; reasons are fixed text.
        unroutedReason: "unknown X-Shopify-Topic: no stream is mapped to it",
        value: body.value,
        json,
      };
  return { records: [record] };
}
