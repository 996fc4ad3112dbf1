import { z } from "zod";
import type { IdentifierKind } from "../activation/sync-config.js";
import { parseJsonExact } from "../ingest/json-text.js";

/**
 * Who bought, from one landed Shopify order line (`raw/shopify/orders/…`): the identifiers a
 * retargeting audience matches on, read the way the identity graph reads them (order email, else
 * contact email, else the customer's; phone likewise; names, country and postcode from the
 * billing address, else the customer). Values are as the shop sent them: each destination
 * normalizes them its own way (the same `identify` the batch planner uses), so the key a purchase
 * suppresses is the key the planner would compute for the same person.
 */

const Text = z.string().nullable().optional();
const Address = z
  .looseObject({
    first_name: Text,
    last_name: Text,
    phone: Text,
    country_code: Text,
    zip: Text,
  })
  .nullable()
  .optional();

const OrderSchema = z.looseObject({
  // Shopify ids pass 2^53: read exactly (`parseJsonExact` gives them as bigint).
  id: z.union([z.string(), z.number(), z.bigint()]).transform(String),
  email: Text,
  contact_email: Text,
  phone: Text,
  test: z.boolean().optional(),
  cancelled_at: Text,
  billing_address: Address,
  customer: z
    .looseObject({ email: Text, phone: Text, first_name: Text, last_name: Text })
    .nullable()
    .optional(),
});

const RawLineSchema = z.looseObject({ _record_id: z.string(), payload: z.unknown() });

export interface Purchase {
  /** `shopify:order:<id>`: the identity graph's record key, and the realtime ledger's. */
  readonly orderKey: string;
  readonly values: Readonly<Partial<Record<IdentifierKind, string>>>;
}

export type PurchaseRead =
  | { readonly ok: true; readonly purchase: Purchase }
  | { readonly ok: false; readonly reason: "not_an_order" | "test_or_cancelled" };

const first = (...values: (string | null | undefined)[]): string | undefined =>
  values.map((v) => v?.trim()).find((v): v is string => v !== undefined && v !== "");

export function purchaseOf(payload: unknown): PurchaseRead {
  const parsed = OrderSchema.safeParse(payload);
  if (!parsed.success) return { ok: false, reason: "not_an_order" };
  const order = parsed.data;
  // The batch segments ignore test and cancelled orders: so does the realtime path.
  if (order.test === true || first(order.cancelled_at)) {
    return { ok: false, reason: "test_or_cancelled" };
  }
  const bill = order.billing_address ?? undefined;
  const customer = order.customer ?? undefined;
  const values: Partial<Record<IdentifierKind, string>> = {};
  const set = (kind: IdentifierKind, value: string | undefined) => {
    if (value !== undefined) values[kind] = value;
  };
  set("email", first(order.email, order.contact_email, customer?.email));
  set("phone", first(order.phone, customer?.phone, bill?.phone));
  set("first_name", first(bill?.first_name, customer?.first_name));
  set("last_name", first(bill?.last_name, customer?.last_name));
  set("country", first(bill?.country_code));
  set("zip", first(bill?.zip));
  return { ok: true, purchase: { orderKey: `shopify:order:${order.id}`, values } };
}

/** The lines of a raw object whose `_record_id` is one of `recordIds`, in object order. */
export function linesOf(ndjson: string, recordIds: readonly string[]): unknown[] {
  const wanted = new Set(recordIds);
  const out: unknown[] = [];
  for (const text of ndjson.split("\n")) {
    if (text.trim() === "") continue;
    let json: unknown;
    try {
      json = parseJsonExact(text);
    } catch {
      continue;
    }
    const line = RawLineSchema.safeParse(json);
    if (line.success && wanted.has(line.data._record_id)) out.push(line.data.payload);
  }
  return out;
}
