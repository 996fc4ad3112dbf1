import type { RawLine } from "../../../functions/core/raw-table.js";
import { rawTableSpec } from "../../../functions/core/raw-table.js";
import type { DuckDbWarehouse } from "../../../functions/platform/local/duckdb-warehouse.js";
import { loadRaw } from "../fixtures.js";

/**
 * Raw rows for the answer models (rpt_, seg_, analytics), shaped as load-raw lands them: landing
 * metadata plus the vendor payload, trimmed to what the models read. Kept apart from
 * ../fixtures.ts so each answer's fixtures say exactly what its expected rows follow from.
 */

let batch = 0;

export function rawLine(
  source: string,
  stream: string,
  recordId: string,
  payload: unknown,
): RawLine {
  batch += 1;
  return {
    _record_id: recordId,
    _source: source,
    _stream: stream,
    _received_at: new Date().toISOString(),
    _batch_id: `answers-${batch}`,
    _object: `raw/${source}/${stream}/dt=2026-01-01/answers-${batch}.ndjson`,
    payload,
  };
}

/**
 * Loads rows into raw tables. First everything the graph declares exists, empty, as the SQL
 * tests' loadRaw leaves it (every registered stream's raw table, and whatever else a source
 * declares), so the graph's declarations all resolve.
 */
export async function loadRawTables(
  warehouse: DuckDbWarehouse,
  tables: Record<string, readonly RawLine[]>,
): Promise<void> {
  await loadRaw(warehouse, {});
  for (const [name, lines] of Object.entries(tables)) {
    const [source, stream] = name.split(".") as [string, string];
    const spec = rawTableSpec(source, stream);
    await warehouse.ensureTable(spec);
    await warehouse.insertRows(
      spec,
      lines.map((line) => ({ ...line })),
    );
  }
}

/** The raw tables every graph run needs, empty. */
export const EMPTY_CORE = { "shopify.orders": [], "sendgrid.events": [] } as const;

export interface SendgridFixtureEvent {
  readonly id: string;
  readonly message: string;
  readonly email: string;
  readonly event: string;
  readonly at: string;
  readonly category?: string | readonly string[];
  readonly singlesend?: { readonly id: string; readonly name: string };
  readonly machineOpen?: boolean;
}

/** A SendGrid Event Webhook event (documented fields: sg_event_id, sg_message_id, category …). */
export function sendgridMessageEvent(event: SendgridFixtureEvent): RawLine {
  return rawLine("sendgrid", "events", event.id, {
    email: event.email,
    timestamp: Math.floor(Date.parse(event.at) / 1000),
    event: event.event,
    sg_event_id: event.id,
    sg_message_id: `${event.message}.filterdrecv-1`,
    ...(event.category === undefined ? {} : { category: event.category }),
    ...(event.singlesend
      ? { singlesend_id: event.singlesend.id, singlesend_name: event.singlesend.name }
      : {}),
    ...(event.machineOpen === undefined ? {} : { sg_machine_open: event.machineOpen }),
  });
}

export interface BasketFixture {
  readonly id: string;
  readonly email: string;
  readonly createdAt: string;
  readonly totalPrice: string;
  readonly products: readonly (readonly [productId: number, title: string])[];
  readonly cancelled?: boolean;
  readonly firstName?: string;
}

/** A Shopify Order with line items (ids as JSON numbers, as Shopify sends them). */
export function shopifyBasket(order: BasketFixture): RawLine {
  const lines = order.products.map(([productId, title], i) => ({
    id: Number(order.id) * 10 + i,
    product_id: productId,
    variant_id: productId * 10,
    title,
    variant_title: "M",
    sku: `SKU-${productId}`,
    quantity: 1,
    price: "10.00",
  }));
  return rawLine("shopify", "orders", `${order.id}-${order.createdAt}`, {
    id: Number(order.id),
    name: `#${order.id}`,
    email: order.email,
    contact_email: order.email,
    created_at: order.createdAt,
    updated_at: order.createdAt,
    cancelled_at: order.cancelled ? order.createdAt : null,
    test: false,
    total_price: order.totalPrice,
    currency: "EUR",
    financial_status: "paid",
    note_attributes: [],
    billing_address: { country_code: "DE", province_code: null },
    customer: { email: order.email, first_name: order.firstName ?? null, last_name: null },
    line_items: lines,
  });
}
