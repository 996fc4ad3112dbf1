import type { ColumnSpec, TableSpec } from "../platform/ports.js";

/**
 * Every raw table has the same shape: the exact accepted payload as JSON plus landing metadata.
 * Schema drift never breaks landing; staging models extract fields from `payload`.
 * One raw table per (source, stream): `raw.<source>_<stream>` (e.g. `raw.shopify_orders`).
 */
export const RAW_COLUMNS: readonly ColumnSpec[] = [
  {
    name: "_record_id",
    type: "STRING",
    mode: "REQUIRED",
    description: "Stable id of the record (vendor event id or entity id + version).",
  },
  {
    name: "_source",
    type: "STRING",
    mode: "REQUIRED",
    description: "Source system, e.g. shopify.",
  },
  {
    name: "_stream",
    type: "STRING",
    mode: "REQUIRED",
    description: "Stream within the source, e.g. orders.",
  },
  {
    name: "_received_at",
    type: "TIMESTAMP",
    mode: "REQUIRED",
    description: "When the ingest function accepted the record.",
  },
  {
    name: "_batch_id",
    type: "STRING",
    mode: "REQUIRED",
    description: "Batch (object) the record landed in.",
  },
  {
    name: "_object",
    type: "STRING",
    mode: "REQUIRED",
    description: "Object key of the landed NDJSON file.",
  },
  {
    name: "payload",
    type: "JSON",
    mode: "REQUIRED",
    description: "The record exactly as the vendor sent it.",
  },
  // Appended last and NULLABLE: tables created before they existed gain them on the next load,
  // and rows landed before read as NULL (staging treats NULL as the `default` connection).
  {
    name: "_connection",
    type: "STRING",
    mode: "NULLABLE",
    description:
      "Connection (configured account of the source: a shop, a portal) the record came from.",
  },
  {
    name: "_business_unit",
    type: "STRING",
    mode: "NULLABLE",
    description: "Business unit of that connection when the record landed.",
  },
];

export const RAW_DATASET = "raw";

export function rawTableName(source: string, stream: string): string {
  return `${source}_${stream}`;
}

export function rawTableSpec(source: string, stream: string, dataset = RAW_DATASET): TableSpec {
  return {
    dataset,
    table: rawTableName(source, stream),
    columns: RAW_COLUMNS,
    description: `Raw ${source} ${stream}: append-only, one row per accepted record.`,
    partitionBy: "_received_at",
    clusterBy: ["_record_id"],
  };
}

/** One line of a raw NDJSON file: what the load step puts into the raw table. */
export interface RawLine {
  readonly _record_id: string;
  readonly _source: string;
  readonly _stream: string;
  readonly _received_at: string;
  readonly _batch_id: string;
  readonly _object: string;
  readonly payload: unknown;
  readonly _connection?: string;
  readonly _business_unit?: string;
}

/** Object key layout of the lake: `raw/<source>/<stream>/dt=YYYY-MM-DD/<batch>.ndjson`. */
export function rawObjectKey(source: string, stream: string, dt: string, batchId: string): string {
  return `raw/${source}/${stream}/dt=${dt}/${batchId}.ndjson`;
}

export function quarantineObjectKey(
  source: string,
  stream: string,
  dt: string,
  batchId: string,
): string {
  return `quarantine/${source}/${stream}/dt=${dt}/${batchId}.ndjson`;
}

const RAW_KEY =
  /^raw\/([a-z0-9_]+)\/([a-z0-9_]+)\/dt=(\d{4}-\d{2}-\d{2})\/([A-Za-z0-9_.-]+)\.ndjson$/;

/** Parses a raw object key; `undefined` for any other key (quarantine, ledgers…). */
export function parseRawObjectKey(
  key: string,
): { source: string; stream: string; dt: string; batchId: string } | undefined {
  const m = RAW_KEY.exec(key);
  if (!m) return undefined;
  const [, source, stream, dt, batchId] = m;
  if (!source || !stream || !dt || !batchId) return undefined;
  return { source, stream, dt, batchId };
}
