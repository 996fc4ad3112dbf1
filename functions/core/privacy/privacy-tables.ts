import type { ColumnSpec, TableSpec } from "../../platform/ports.js";

/**
 * The `privacy` dataset: what erasure keeps so erased people stay erased, and what it did. It holds
 * no identifier in clear and no unsalted hash of one (see salted-key.ts); only the erase
 * function writes it, Dataform reads `erased_records` (staging leaves those records out).
 */
export const PRIVACY_DATASET = "privacy";

const col = (
  name: string,
  type: ColumnSpec["type"],
  description: string,
  mode: ColumnSpec["mode"] = "REQUIRED",
): ColumnSpec => ({ name, type, mode, description });

export const SUPPRESSION_LIST: TableSpec = {
  dataset: PRIVACY_DATASET,
  table: "suppression_list",
  description:
    "Identifiers of erased people as salted SHA-256 keys (salt in Secret Manager): ingest, pulls and the erase function drop records that carry one.",
  columns: [
    col("key", "STRING", "SHA-256 hex of <salt>:<kind>:<normalized value>."),
    col("salt_fingerprint", "STRING", "Which salt made the key (a one-way tag of it)."),
    col("erasure_id", "STRING", "The erasure that added it."),
    col("added_at", "TIMESTAMP", "When it was added."),
  ],
};

export const ERASED_RECORDS: TableSpec = {
  dataset: PRIVACY_DATASET,
  table: "erased_records",
  description:
    "Raw records removed by an erasure, as SHA-256 of <source>/<stream>/<record id>: staging models leave these records out, so a restored raw table or lake object does not bring them back.",
  clusterBy: ["record_hash"],
  columns: [
    col("source", "STRING", "Source of the record."),
    col("stream", "STRING", "Stream of the record."),
    col("record_hash", "STRING", "SHA-256 hex of <source>/<stream>/<_record_id>."),
    col("erasure_id", "STRING", "The erasure that removed it."),
    col("erased_at", "TIMESTAMP", "When."),
  ],
};

export const ERASURE_REPORTS: TableSpec = {
  dataset: PRIVACY_DATASET,
  table: "erasure_reports",
  description:
    "What each erasure removed where: one row per (erasure, location) with a count; no personal data.",
  partitionBy: "recorded_at",
  columns: [
    col("erasure_id", "STRING", "Erasure id."),
    col("origin", "STRING", "Who asked: cli, pubsub, shopify customers/redact…"),
    col("status", "STRING", "completed | awaiting_destinations | failed."),
    col("location", "STRING", "lake:raw/…, warehouse:marts.dim_contacts, destination:<sync>…"),
    col("removed", "INT64", "Records, rows or members removed there."),
    col("requested_at", "TIMESTAMP", "When the erasure was asked for."),
    col("recorded_at", "TIMESTAMP", "When this row was written."),
  ],
};

export const PRIVACY_TABLES: readonly TableSpec[] = [
  SUPPRESSION_LIST,
  ERASED_RECORDS,
  ERASURE_REPORTS,
];
