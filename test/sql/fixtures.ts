import { resolve } from "node:path";
import { afterEach, beforeAll, beforeEach } from "vitest";
import { ERASED_RECORDS } from "../../functions/core/privacy/privacy-tables.js";
import { type RawLine, rawTableSpec } from "../../functions/core/raw-table.js";
import { compileProject } from "../../functions/dataform/compile.js";
import type { CompiledGraph } from "../../functions/dataform/compiled-graph.js";
import { runDuckDbGraph } from "../../functions/dataform/run-duckdb.js";
import { rawStreamsOf } from "../../functions/handlers/load-raw.js";
import {
  createDuckDbWarehouse,
  type DuckDbWarehouse,
} from "../../functions/platform/local/duckdb-warehouse.js";
import {
  createLocalGa4Export,
  type LocalGa4Export,
} from "../../functions/sources/ga4/local-export.js";
import { ensureLocalDeclarations } from "../../functions/sources/local-declarations.js";
import { PULL_SOURCES } from "../../functions/sources/pull-registry.js";
import { WEBHOOK_SOURCES } from "../../functions/sources/registry.js";

/**
 * Raw rows shaped as load-raw lands them: landing metadata plus the vendor's exact payload
 * (Shopify Order objects and SendGrid events, trimmed to the fields the models read; see
 * /work/shared/vectors for the full vendor examples these follow).
 */

export const DAY_MS = 86_400_000;

export function daysAgo(days: number, now = Date.now()): string {
  return new Date(now - days * DAY_MS).toISOString();
}

let batch = 0;

function rawLine(source: string, stream: string, recordId: string, payload: unknown): RawLine {
  batch += 1;
  return {
    _record_id: recordId,
    _source: source,
    _stream: stream,
    _received_at: new Date().toISOString(),
    _batch_id: `batch-${batch}`,
    _object: `raw/${source}/${stream}/dt=2026-01-01/batch-${batch}.ndjson`,
    payload,
  };
}

export interface OrderFixture {
  readonly id: string;
  readonly email?: string | null;
  readonly contactEmail?: string;
  readonly createdAt: string;
  readonly updatedAt?: string;
  readonly totalPrice?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly countryCode?: string;
  /** customer.email_marketing_consent */
  readonly emailConsent?: { state: string; at: string | null };
  /** note_attributes written by the storefront consent banner. */
  readonly banner?: { adUserData?: string; adPersonalization?: string };
  readonly cancelledAt?: string;
  /** Identity fields: customer.id, customer and billing phone, address, note attributes. */
  readonly customerId?: string;
  readonly phone?: string;
  readonly street?: string;
  readonly zip?: string;
  readonly city?: string;
  readonly birthDate?: string;
}

/** A Shopify Order payload; ids go in as JSON numbers, as Shopify sends them. */
export function shopifyOrder(order: OrderFixture): RawLine {
  const noteAttributes = [{ name: "gift_note", value: "none" }];
  if (order.birthDate) noteAttributes.push({ name: "date_of_birth", value: order.birthDate });
  if (order.banner?.adUserData) {
    noteAttributes.push({ name: "consent_ad_user_data", value: order.banner.adUserData });
  }
  if (order.banner?.adPersonalization) {
    noteAttributes.push({
      name: "consent_ad_personalization",
      value: order.banner.adPersonalization,
    });
  }
  const updatedAt = order.updatedAt ?? order.createdAt;
  const payloadJson = `{"id": ${order.id}, ${JSON.stringify({
    name: `#${order.id.slice(-4)}`,
    email: order.email ?? null,
    contact_email: order.contactEmail ?? order.email ?? null,
    created_at: order.createdAt,
    updated_at: updatedAt,
    cancelled_at: order.cancelledAt ?? null,
    test: false,
    total_price: order.totalPrice ?? "10.00",
    currency: "EUR",
    financial_status: "paid",
    note_attributes: noteAttributes,
    billing_address: {
      country_code: order.countryCode ?? "DE",
      province_code: null,
      address1: order.street ?? null,
      zip: order.zip ?? null,
      city: order.city ?? null,
      phone: order.phone ?? null,
    },
    customer: {
      ...(order.customerId ? { id: Number(order.customerId) } : {}),
      email: order.email ?? null,
      phone: order.phone ?? null,
      first_name: order.firstName ?? null,
      last_name: order.lastName ?? null,
      email_marketing_consent: order.emailConsent
        ? {
            state: order.emailConsent.state,
            opt_in_level: "single_opt_in",
            consent_updated_at: order.emailConsent.at,
          }
        : null,
    },
    line_items: [{ title: "Mug", quantity: 1, price: order.totalPrice ?? "10.00" }],
  }).slice(1)}`;
  // The id is spliced in as a bare number: JSON.stringify cannot write an int64 above 2^53.
  return rawLine("shopify", "orders", `${order.id}-${updatedAt}`, payloadJson);
}

export function sendgridEvent(event: {
  id: string;
  email: string;
  event: string;
  at: string;
  asmGroupId?: number;
}): RawLine {
  return rawLine("sendgrid", "events", event.id, {
    email: event.email,
    timestamp: Math.floor(Date.parse(event.at) / 1000),
    event: event.event,
    sg_event_id: event.id,
    sg_message_id: `msg-${event.id}`,
    category: "newsletter",
    ...(event.asmGroupId === undefined ? {} : { asm_group_id: event.asmGroupId }),
  });
}

export async function loadRaw(
  warehouse: DuckDbWarehouse,
  rows: { orders?: readonly RawLine[]; events?: readonly RawLine[]; lines?: readonly RawLine[] },
): Promise<void> {
  const asRows = (lines: readonly RawLine[] = []) => lines.map((line) => ({ ...line }));
  // The graph also reads the GA4 export (declared, not loaded): an empty one unless a test writes it.
  await localGa4Export().ensure(warehouse);
  // ensureTable first: a source without rows still has its (empty) raw table, as the demo and the
  // cloud runs have one for every registered stream.
  for (const { source, stream } of rawStreamsOf([...WEBHOOK_SOURCES, ...PULL_SOURCES])) {
    await warehouse.ensureTable(rawTableSpec(source, stream));
  }
  // Every staging model reads raw minus the records erasures removed.
  await warehouse.ensureTable(ERASED_RECORDS);
  await warehouse.insertRows(rawTableSpec("shopify", "orders"), asRows(rows.orders));
  await warehouse.insertRows(rawTableSpec("sendgrid", "events"), asRows(rows.events));
  // Any other raw rows, each into the table of its _source and _stream.
  const byTable = new Map<string, RawLine[]>();
  for (const line of rows.lines ?? []) {
    const key = `${line._source}\n${line._stream}`;
    byTable.set(key, [...(byTable.get(key) ?? []), line]);
  }
  for (const [key, lines] of byTable) {
    const [source = "", stream = ""] = key.split("\n");
    await warehouse.insertRows(rawTableSpec(source, stream), asRows(lines));
  }
}

/** A raw line as load-raw lands it: landing metadata plus the vendor's exact payload. */
export function rawRow(
  source: string,
  stream: string,
  recordId: string,
  payload: unknown,
): RawLine {
  return rawLine(source, stream, recordId, payload);
}

export const repoRoot = resolve(import.meta.dirname, "../..");

/** The local GA4 export in the dataset workflow_settings.yaml names (vars.ga4_dataset). */
export function localGa4Export(): LocalGa4Export {
  return createLocalGa4Export({ projectDir: repoRoot, dataset: "analytics_000000000" });
}

export interface GraphWarehouse {
  /** The project compiled for DuckDB, once per test file. */
  readonly graph: CompiledGraph;
  /** A fresh in-memory warehouse for each test. */
  readonly warehouse: DuckDbWarehouse;
}

/** Registers the hooks every model test file needs and hands back what they set up. */
export function useGraphWarehouse(): GraphWarehouse {
  const state = {} as { graph: CompiledGraph; warehouse: DuckDbWarehouse };
  beforeAll(async () => {
    state.graph = await compileProject({ projectDir: repoRoot, target: "duckdb" });
  });
  beforeEach(async () => {
    state.warehouse = await createDuckDbWarehouse({ path: ":memory:" });
  });
  afterEach(async () => {
    await state.warehouse.close();
  });
  return state;
}

/**
 * Loads the raw objects of `source`'s streams landed in the lake since the last call (`loaded`
 * remembers the keys; `only` keeps some back), as the loader's sweep would, then runs the graph.
 */
export async function loadLandedAndRun(
  db: GraphWarehouse,
  lake: { store: { uriOf(key: string): string }; keys(prefix: string): Promise<string[]> },
  pulled: {
    source: string;
    streams: readonly string[];
    loaded: Set<string>;
    only?: ((key: string) => boolean) | undefined;
  },
): Promise<void> {
  const { source, streams, loaded, only = () => true } = pulled;
  for (const stream of streams) {
    const keys = (await lake.keys(`raw/${source}/${stream}/`)).filter(
      (k) => !loaded.has(k) && only(k),
    );
    if (keys.length === 0) continue;
    for (const k of keys) loaded.add(k);
    await db.warehouse.load({
      table: rawTableSpec(source, stream),
      sourceUris: keys.map((k) => lake.store.uriOf(k)),
      jobId: `${source}_${stream}_${loaded.size}`,
    });
  }
  await ensureLocalDeclarations(db.warehouse, db.graph, repoRoot);
  await runDuckDbGraph(db.warehouse, db.graph);
}
