import type { ColumnSpec, TableSpec } from "../platform/ports.js";

/**
 * The sync log in the warehouse (`ops` dataset), shared by every destination. Analysts read it
 * to see what was sent, accepted and rejected; the planner reads `sync_members` as the last
 * synced snapshot. docs/destinations.md shows the queries.
 */

export const OPS_DATASET = "ops";

const col = (
  name: string,
  type: ColumnSpec["type"],
  description: string,
  mode: ColumnSpec["mode"] = "NULLABLE",
): ColumnSpec => ({ name, type, mode, description });

export const SYNC_MEMBERS: TableSpec = {
  dataset: OPS_DATASET,
  table: "sync_members",
  description:
    "What each destination holds according to us: one row per (sync, contact, identifier) accepted by the destination. Changes only on acceptance.",
  clusterBy: ["sync_id"],
  columns: [
    col("sync_id", "STRING", "Sync the membership belongs to.", "REQUIRED"),
    col("contact_id", "STRING", "Contact the identifier was sent for.", "REQUIRED"),
    col("identifier_type", "STRING", "Destination match key, e.g. EMAIL_SHA256.", "REQUIRED"),
    col("identifier_hash", "STRING", "SHA-256 hex of the normalized identifier.", "REQUIRED"),
    col("added_at", "TIMESTAMP", "When the destination accepted the add.", "REQUIRED"),
    col("run_id", "STRING", "Run whose batch added it."),
    col(
      "payload_digest",
      "STRING",
      "Digest of what was sent for the member (consent, fields, match keys); a change is sent again. NULL in rows of earlier versions (= identifier_hash).",
    ),
    col(
      "member_keys",
      "STRING",
      "JSON of the hashed match keys last sent (multi-key audiences): what a remove sends.",
    ),
    col(
      "destination_id",
      "STRING",
      "The destination's id of the record (SendGrid contact, HubSpot object).",
    ),
  ],
};

export const SYNC_RUNS: TableSpec = {
  dataset: OPS_DATASET,
  table: "sync_runs",
  description:
    "One row per change of a sync run's status (append-only): the diff it planned ('planned'), then its final status once every batch is settled ('succeeded', 'partially_rejected', 'failed'; details in sync_run_outcomes), or 'no_changes'. The latest row of a run is its status.",
  partitionBy: "started_at",
  clusterBy: ["sync_id"],
  columns: [
    col("run_id", "STRING", "Run id.", "REQUIRED"),
    col("sync_id", "STRING", "Sync id.", "REQUIRED"),
    col("destination", "STRING", "Destination: meta, google_ads, sendgrid, hubspot.", "REQUIRED"),
    col(
      "audience_id",
      "STRING",
      "What the sync writes to: audience id, customer/list, list id, contacts or tasks.",
    ),
    col("segment", "STRING", "Segment table read, dataset.table."),
    col("segment_rows", "INT64", "Rows read from the segment."),
    col("eligible_contacts", "INT64", "Contacts with every required consent and a usable email."),
    col("target_identifiers", "INT64", "Identifiers the destination should hold after the run."),
    col("planned_adds", "INT64", "Identifiers planned to be added."),
    col("planned_removes", "INT64", "Identifiers planned to be removed."),
    col("unchanged", "INT64", "Identifiers already held and still wanted."),
    col("batches", "INT64", "Batches published (adds and removes)."),
    col("skipped_no_consent", "INT64", "Segment rows without every required consent."),
    col("skipped_no_email", "INT64", "Consented segment rows without an email."),
    col("invalid_identifiers", "INT64", "Consented rows whose identifier cannot be normalized."),
    col("planned_updates", "INT64", "Held members whose payload changed, sent again."),
    col("relinked", "INT64", "Held members now wanted by other contacts (merges): ledger only."),
    col("skipped_suppressed", "INT64", "Rows kept out by a realtime suppression window."),
    col("missing_columns", "STRING", "Optional match-key columns the segment lacks (not sent)."),
    col("started_at", "TIMESTAMP", "When planning started.", "REQUIRED"),
    col("recorded_at", "TIMESTAMP", "When this row was written.", "REQUIRED"),
    col(
      "status",
      "STRING",
      "planned (open) | succeeded | partially_rejected | failed | no_changes; publish_failed and skipped_in_flight only in rows of earlier versions.",
      "REQUIRED",
    ),
  ],
};

export const SYNC_BATCHES: TableSpec = {
  dataset: OPS_DATASET,
  table: "sync_batches",
  description:
    "One row per attempt outcome of a batch (append-only). Terminal statuses: succeeded, partial, failed; retrying rows are transient attempts.",
  partitionBy: "recorded_at",
  clusterBy: ["sync_id", "run_id"],
  columns: [
    col("run_id", "STRING", "Run id.", "REQUIRED"),
    col("sync_id", "STRING", "Sync id.", "REQUIRED"),
    col("op", "STRING", "add | remove.", "REQUIRED"),
    col("batch", "INT64", "1-based batch number within the run and op.", "REQUIRED"),
    col("message_id", "STRING", "Pub/Sub message that carried the pointer."),
    col("object_key", "STRING", "Batch object in the store."),
    col("sent", "INT64", "Rows sent to the destination."),
    col("received", "INT64", "Rows the destination says it received (num_received)."),
    col("accepted", "INT64", "Rows recorded as accepted."),
    col("invalid", "INT64", "Rows the destination refused (num_invalid_entries)."),
    col("attempts", "INT64", "HTTP attempts made in this delivery."),
    col(
      "status",
      "STRING",
      "succeeded | partial | failed | superseded (a later run took its rows over) | retrying (a failed delivery that will be retried).",
      "REQUIRED",
    ),
    col("error_code", "STRING", "Stable label, e.g. meta_100_1713230, http_429, network."),
    col("error", "STRING", "What went wrong and what to do (never personal data)."),
    col("recorded_at", "TIMESTAMP", "When this row was written.", "REQUIRED"),
    col(
      "match_rate",
      "STRING",
      "Match rate the destination reported, when it does (Google: a range such as 50-60%).",
    ),
  ],
};

export const SYNC_REJECTIONS: TableSpec = {
  dataset: OPS_DATASET,
  table: "sync_rejections",
  description:
    "Contacts whose change was not accepted in a run. They stay in the next run's diff until accepted.",
  partitionBy: "recorded_at",
  clusterBy: ["sync_id", "run_id"],
  columns: [
    col("run_id", "STRING", "Run id.", "REQUIRED"),
    col("sync_id", "STRING", "Sync id.", "REQUIRED"),
    col("contact_id", "STRING", "Contact whose change was rejected.", "REQUIRED"),
    col("op", "STRING", "add | remove.", "REQUIRED"),
    col("batch", "INT64", "Batch number; NULL when rejected while planning."),
    col("stage", "STRING", "plan | send.", "REQUIRED"),
    col("reason", "STRING", "Why, e.g. invalid_email, meta_100_1713230.", "REQUIRED"),
    col("recorded_at", "TIMESTAMP", "When this row was written.", "REQUIRED"),
  ],
};

export const SYNC_RUN_OUTCOMES: TableSpec = {
  dataset: OPS_DATASET,
  table: "sync_run_outcomes",
  description:
    "One row per finished sync run: its final status, why, and what its batches achieved. A run is finished when every batch is settled (sent and answered, refused, given up after the delivery budget, or taken over by a later run).",
  partitionBy: "finished_at",
  clusterBy: ["sync_id"],
  columns: [
    col("run_id", "STRING", "Run id.", "REQUIRED"),
    col("sync_id", "STRING", "Sync id.", "REQUIRED"),
    col("status", "STRING", "succeeded | partially_rejected | failed.", "REQUIRED"),
    col("reason", "STRING", "What went wrong and what to do; NULL when it succeeded."),
    col("batches", "INT64", "Batches the run planned.", "REQUIRED"),
    col("batches_succeeded", "INT64", "Batches the destination took whole.", "REQUIRED"),
    col(
      "batches_partial",
      "INT64",
      "Batches of which the destination refused some rows.",
      "REQUIRED",
    ),
    col("batches_failed", "INT64", "Batches not delivered (refused, or given up).", "REQUIRED"),
    col("batches_superseded", "INT64", "Batches a later run took over.", "REQUIRED"),
    col("accepted_adds", "INT64", "Add rows the destination accepted.", "REQUIRED"),
    col("accepted_removes", "INT64", "Remove rows the destination accepted.", "REQUIRED"),
    col("error_codes", "STRING", "Distinct error codes of failed batches, comma-separated."),
    col("finished_at", "TIMESTAMP", "When the run was settled.", "REQUIRED"),
  ],
};

export const SYNC_SUPPRESSIONS: TableSpec = {
  dataset: OPS_DATASET,
  table: "sync_suppressions",
  description:
    "Members a realtime rule removed (a purchase took them out of a retargeting audience): the planner does not add them back before expires_at, so the next batch run agrees with the realtime path until the segment itself excludes them.",
  partitionBy: "suppressed_at",
  clusterBy: ["sync_id"],
  columns: [
    col("sync_id", "STRING", "Sync the suppression applies to.", "REQUIRED"),
    col("identifier_hash", "STRING", "Member key suppressed.", "REQUIRED"),
    col("contact_id", "STRING", "Contact whose event triggered it (erasure deletes by it)."),
    col("reason", "STRING", "Why, e.g. purchase.", "REQUIRED"),
    col("source_record_id", "STRING", "Record that triggered it (e.g. the Shopify order version)."),
    col("suppressed_at", "TIMESTAMP", "When the realtime rule ran.", "REQUIRED"),
    col("expires_at", "TIMESTAMP", "Until when the planner keeps the member out.", "REQUIRED"),
    col(
      "removed_at",
      "TIMESTAMP",
      "When the destination took the realtime remove; NULL on the row written before sending (a row with it set means the (order, sync) is done).",
    ),
  ],
};

export const SYNC_TABLES: readonly TableSpec[] = [
  SYNC_MEMBERS,
  SYNC_RUNS,
  SYNC_BATCHES,
  SYNC_REJECTIONS,
  SYNC_RUN_OUTCOMES,
  SYNC_SUPPRESSIONS,
];
