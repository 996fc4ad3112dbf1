import { createHash } from "node:crypto";
import type { StreamContract } from "../../core/ingest/source.js";
import { defineStream } from "../stream-contract.js";
import { utcInstant } from "./extract.js";
import {
  ShopifyCustomerResourceSchema,
  type ShopifyCustomersDataRequest,
  ShopifyCustomersDataRequestSchema,
  type ShopifyCustomersRedact,
  ShopifyCustomersRedactSchema,
  ShopifyDeletionSchema,
  ShopifyProductSchema,
  ShopifyRefundSchema,
  ShopifyShopRedactSchema,
} from "./resource-contracts.js";

/**
 * A record without a time of its own (a deletion, a privacy request) is dated by when it was
 * received: an invalid Date makes the ingest batch take the receive date as its `dt`.
 */
const UNDATED = () => new Date(Number.NaN);

function hintOf(value: unknown, ...keys: string[]): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const id = record.id;
  if (typeof id !== "number" && typeof id !== "bigint" && typeof id !== "string") return undefined;
  const at = keys
    .map((k) => record[k])
    .find((v) => typeof v === "string" && !Number.isNaN(Date.parse(v)));
  return `${id.toString()}:${typeof at === "string" ? utcInstant(at) : "unknown"}`;
}

const versioned = { recordIdHint: (value: unknown) => hintOf(value, "updated_at") };

export const customersStream: StreamContract = defineStream({
  schema: ShopifyCustomerResourceSchema,
  recordId: (c) => `${c.id.toString()}:${utcInstant(c.updated_at)}`,
  eventTime: (c) => new Date(c.updated_at),
  ...versioned,
});

export const productsStream: StreamContract = defineStream({
  schema: ShopifyProductSchema,
  recordId: (p) => `${p.id.toString()}:${utcInstant(p.updated_at)}`,
  eventTime: (p) => new Date(p.updated_at),
  ...versioned,
});

/** Refunds are never edited: the refund id is the record id. */
export const refundsStream: StreamContract = defineStream({
  schema: ShopifyRefundSchema,
  recordId: (r) => r.id.toString(),
  eventTime: (r) => new Date(r.created_at),
  recordIdHint: (value) => hintOf(value)?.split(":")[0],
});

/** `customers/delete`, `products/delete`: the deleted id; a repeat of the deletion lands once. */
export const deletionsStream: StreamContract = defineStream({
  schema: ShopifyDeletionSchema,
  recordId: (d) => `${d.id.toString()}:deleted`,
  eventTime: UNDATED,
  recordIdHint: () => undefined,
});

const digest = (value: unknown) =>
  createHash("sha256")
    .update(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)))
    .digest("hex")
    .slice(0, 16);

/** `customers_redact:<shop>:<customer id or ->:<digest of the customer and orders>`. */
export function customersRedactRecordId(r: ShopifyCustomersRedact): string {
  return `customers_redact:${r.shop_id.toString()}:${r.customer.id?.toString() ?? "-"}:${digest([r.customer, r.orders_to_redact])}`;
}

export function dataRequestRecordId(r: ShopifyCustomersDataRequest): string {
  return `data_request:${r.data_request.id.toString()}`;
}

export const customersRedactStream: StreamContract = defineStream({
  schema: ShopifyCustomersRedactSchema,
  recordId: customersRedactRecordId,
  eventTime: UNDATED,
  recordIdHint: () => undefined,
});

export const customersDataRequestStream: StreamContract = defineStream({
  schema: ShopifyCustomersDataRequestSchema,
  recordId: dataRequestRecordId,
  eventTime: UNDATED,
  recordIdHint: () => undefined,
});

export const shopRedactStream: StreamContract = defineStream({
  schema: ShopifyShopRedactSchema,
  recordId: (r) => `shop_redact:${r.shop_id.toString()}`,
  eventTime: UNDATED,
  recordIdHint: () => undefined,
});

/** Webhook topics beyond `orders/*`, and the stream each lands in. */
export const SHOPIFY_RESOURCE_TOPICS: Readonly<Record<string, string>> = {
  "customers/create": "customers",
  "customers/update": "customers",
  "customers/enable": "customers",
  "customers/disable": "customers",
  "customers/delete": "customer_deletions",
  "products/create": "products",
  "products/update": "products",
  "products/delete": "product_deletions",
  "refunds/create": "refunds",
  "customers/data_request": "customers_data_request",
  "customers/redact": "customers_redact",
  "shop/redact": "shop_redact",
};

export const SHOPIFY_RESOURCE_STREAMS: Readonly<Record<string, StreamContract>> = {
  customers: customersStream,
  customer_deletions: deletionsStream,
  products: productsStream,
  product_deletions: deletionsStream,
  refunds: refundsStream,
  customers_data_request: customersDataRequestStream,
  customers_redact: customersRedactStream,
  shop_redact: shopRedactStream,
};
