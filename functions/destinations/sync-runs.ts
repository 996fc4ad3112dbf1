import { z } from "zod";
import { type RunOutcome, runOutcome, type SettledBatchRow } from "../core/activation/outcome.js";
import type { Clock, Warehouse } from "../platform/ports.js";
import { SYNC_BATCHES, SYNC_RUN_OUTCOMES, SYNC_RUNS } from "./ops-tables.js";
import { recordRun, recordRunOutcome, type SyncRunRecord } from "./sync-log.js";

/**
 * Run-level reads of the sync log: which runs are still open (planned, not every batch settled)
 * and closing a run once it is settled. This is the durable state activation recovers from: the
 * `planned` row, the batch objects in the store and the batch outcomes, never a timer.
 */

const q = (t: { dataset: string; table: string }) => `${t.dataset}.${t.table}`;

/** Run statuses after which nothing of the run is sent any more. */
export const FINAL_RUN_STATUSES = [
  "succeeded",
  "partially_rejected",
  "failed",
  "no_changes",
  // written by earlier versions only
  "publish_failed",
  "skipped_in_flight",
] as const;
const FINAL_SQL = FINAL_RUN_STATUSES.map((s) => `'${s}'`).join(", ");
const SETTLED_SQL = "'succeeded', 'partial', 'failed', 'superseded'";

const num = z.coerce.number();
const PlannedRow = z.object({
  run_id: z.string(),
  sync_id: z.string(),
  destination: z.string(),
  audience_id: z.string().nullable(),
  segment: z.string().nullable(),
  segment_rows: num.nullable(),
  eligible_contacts: num.nullable(),
  target_identifiers: num.nullable(),
  planned_adds: num.nullable(),
  planned_removes: num.nullable(),
  unchanged: num.nullable(),
  batches: num.nullable(),
  skipped_no_consent: num.nullable(),
  skipped_no_email: num.nullable(),
  invalid_identifiers: num.nullable(),
  planned_updates: num.nullable().optional(),
  relinked: num.nullable().optional(),
  skipped_suppressed: num.nullable().optional(),
  missing_columns: z.string().nullable().optional(),
  started_at: z.coerce.date(),
  recorded_at: z.coerce.date(),
});

function toRecord(row: unknown): SyncRunRecord {
  const r = PlannedRow.parse(row);
  return {
    runId: r.run_id,
    syncId: r.sync_id,
    destination: r.destination,
    audienceId: r.audience_id ?? "",
    segment: r.segment ?? "",
    segmentRows: r.segment_rows ?? 0,
    eligibleContacts: r.eligible_contacts ?? 0,
    targetIdentifiers: r.target_identifiers ?? 0,
    plannedAdds: r.planned_adds ?? 0,
    plannedRemoves: r.planned_removes ?? 0,
    unchanged: r.unchanged ?? 0,
    batches: r.batches ?? 0,
    skippedNoConsent: r.skipped_no_consent ?? 0,
    skippedNoEmail: r.skipped_no_email ?? 0,
    invalidIdentifiers: r.invalid_identifiers ?? 0,
    plannedUpdates: r.planned_updates ?? 0,
    relinked: r.relinked ?? 0,
    skippedSuppressed: r.skipped_suppressed ?? 0,
    missingColumns: r.missing_columns ? r.missing_columns.split(",") : [],
    startedAt: r.started_at,
    recordedAt: r.recorded_at,
    status: "planned",
  };
}

const COLUMNS =
  "run_id, sync_id, destination, audience_id, segment, segment_rows, eligible_contacts, target_identifiers, planned_adds, planned_removes, unchanged, batches, skipped_no_consent, skipped_no_email, invalid_identifiers, planned_updates, relinked, skipped_suppressed, missing_columns, started_at, recorded_at";

/** Runs of the sync that planned batches and have no final status yet, oldest first. */
export async function openRuns(warehouse: Warehouse, syncId: string): Promise<SyncRunRecord[]> {
  const rows = await warehouse.query(
    `SELECT ${COLUMNS} FROM ${q(SYNC_RUNS)} AS r WHERE r.sync_id = @sync_id AND r.status = 'planned' AND NOT EXISTS (SELECT 1 FROM ${q(SYNC_RUNS)} AS f WHERE f.run_id = r.run_id AND f.status IN (${FINAL_SQL})) ORDER BY r.started_at, r.run_id`,
    { sync_id: syncId },
  );
  return rows.map(toRecord);
}

/** The `planned` row of one run, or `undefined`. */
export async function plannedRun(
  warehouse: Warehouse,
  runId: string,
): Promise<SyncRunRecord | undefined> {
  const [row] = await warehouse.query(
    `SELECT ${COLUMNS} FROM ${q(SYNC_RUNS)} WHERE run_id = @run_id AND status = 'planned' ORDER BY recorded_at LIMIT 1`,
    { run_id: runId },
  );
  return row ? toRecord(row) : undefined;
}

const SettledRow = z.object({
  op: z.enum(["add", "remove"]),
  batch: num,
  status: z.enum(["succeeded", "partial", "failed", "superseded"]),
  accepted: num.nullable(),
  error_code: z.string().nullable(),
  error: z.string().nullable(),
});

/** The settled outcome of each batch of a run (several rows of one batch: the last wins). */
export async function settledBatches(
  warehouse: Warehouse,
  runId: string,
): Promise<SettledBatchRow[]> {
  const rows = await warehouse.query(
    `SELECT op, batch, status, accepted, error_code, error FROM ${q(SYNC_BATCHES)} WHERE run_id = @run_id AND status IN (${SETTLED_SQL}) ORDER BY recorded_at`,
    { run_id: runId },
  );
  return rows.map((row) => {
    const r = SettledRow.parse(row);
    return {
      op: r.op,
      batch: r.batch,
      status: r.status,
      accepted: r.accepted ?? 0,
      errorCode: r.error_code,
      error: r.error,
    };
  });
}

/** Deliveries of one batch that failed and were left for another delivery (`retrying` rows). */
export async function failedDeliveries(
  warehouse: Warehouse,
  key: { runId: string; op: string; batch: number },
): Promise<number> {
  const [row] = await warehouse.query(
    `SELECT COUNT(*) AS n FROM ${q(SYNC_BATCHES)} WHERE run_id = @run_id AND op = @op AND batch = @batch AND status = 'retrying'`,
    { run_id: key.runId, op: key.op, batch: key.batch },
  );
  return num.parse(row?.n ?? 0);
}

export async function hasOutcome(warehouse: Warehouse, runId: string): Promise<boolean> {
  const [row] = await warehouse.query(
    `SELECT COUNT(*) AS n FROM ${q(SYNC_RUN_OUTCOMES)} WHERE run_id = @run_id`,
    { run_id: runId },
  );
  return num.parse(row?.n ?? 0) > 0;
}

/**
 * Closes the run when every batch is settled: one `sync_run_outcomes` row and a final
 * `sync_runs` row. Returns the outcome, or `undefined` while batches are outstanding. Safe to
 * call from several places (every settled batch calls it; so does the next plan).
 */
export function settleRun(
  warehouse: Warehouse,
  clock: Clock,
  run: SyncRunRecord,
): Promise<RunOutcome | undefined> {
  // One settlement at a time per warehouse client: the last two batches of a run often settle
  // together, and both would otherwise find the run complete and close it twice. (Across cloud
  // instances that race remains; readers take a run's first outcome row.)
  const previous = settling.get(warehouse) ?? Promise.resolve();
  const next = previous.then(async () => {
    const outcome = runOutcome(run.batches, await settledBatches(warehouse, run.runId));
    if (!outcome || (await hasOutcome(warehouse, run.runId))) return outcome;
    const at = clock.now();
    await recordRunOutcome(warehouse, { runId: run.runId, syncId: run.syncId, at, outcome });
    await recordRun(warehouse, { ...run, status: outcome.status, recordedAt: at });
    return outcome;
  });
  settling.set(
    warehouse,
    next.then(
      () => undefined,
      () => undefined,
    ),
  );
  return next;
}

const settling = new WeakMap<Warehouse, Promise<void>>();

/** `settleRun` for a run known by its id (from a batch message). */
export async function settleRunById(
  warehouse: Warehouse,
  clock: Clock,
  runId: string,
): Promise<RunOutcome | undefined> {
  const run = await plannedRun(warehouse, runId);
  return run ? settleRun(warehouse, clock, run) : undefined;
}
