import { z } from "zod";
import { SYNC_BATCHES, SYNC_REJECTIONS, SYNC_RUN_OUTCOMES, SYNC_RUNS } from "./ops-tables.js";

/**
 * The history of sync runs, read from the sync log (`ops`) only: what `unistack syncs` shows.
 * One entry per run, newest first: when it started, its current status (the latest
 * `sync_runs` row: `planned` while open, then the final status, or `no_changes`), what it
 * planned, what the destination accepted, rejected contacts per reason, and the match rate the
 * destination reported for its batches (Google's range; Meta and SendGrid report none). The SQL
 * runs on BigQuery and DuckDB alike (QUALIFY after a WHERE, no parameters).
 */

export interface SyncHistoryRun {
  readonly runId: string;
  readonly syncId: string;
  readonly destination: string;
  readonly target: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly status: string;
  readonly reason: string | null;
  readonly segmentRows: number;
  readonly eligibleContacts: number;
  readonly plannedAdds: number;
  readonly plannedUpdates: number;
  readonly plannedRemoves: number;
  readonly batches: number;
  readonly acceptedAdds: number | null;
  readonly acceptedRemoves: number | null;
  /** Rejected contacts per reason (`invalid_email`, `meta_100_1713230`, …). */
  readonly rejected: Readonly<Record<string, number>>;
  readonly matchRate: string | null;
}

type Query = (sql: string) => Promise<ReadonlyArray<Record<string, unknown>>>;

const count = z.preprocess((v) => (v === null || v === undefined ? 0 : Number(v)), z.number());
const maybeCount = z.preprocess(
  (v) => (v === null || v === undefined ? null : Number(v)),
  z.number().nullable(),
);
const instant = z.preprocess(
  (v) => (v instanceof Date ? v.toISOString() : v === null ? null : String(v)),
  z.string().nullable(),
);

const RunRow = z.object({
  run_id: z.string(),
  sync_id: z.string(),
  destination: z.string(),
  audience_id: z.string().nullable(),
  started_at: instant,
  status: z.string(),
  segment_rows: count,
  eligible_contacts: count,
  planned_adds: count,
  planned_updates: count,
  planned_removes: count,
  batches: count,
  outcome_reason: z.string().nullable(),
  accepted_adds: maybeCount,
  accepted_removes: maybeCount,
  finished_at: instant,
});

const t = (spec: { dataset: string; table: string }) => `${spec.dataset}.${spec.table}`;

export async function readSyncHistory(
  query: Query,
  options: { readonly syncId?: string; readonly limit: number },
): Promise<SyncHistoryRun[]> {
  const rows = await query(
    `SELECT r.run_id, r.sync_id, r.destination, r.audience_id, r.started_at, r.status,
       r.segment_rows, r.eligible_contacts, r.planned_adds, r.planned_updates, r.planned_removes,
       r.batches, o.reason AS outcome_reason, o.accepted_adds, o.accepted_removes, o.finished_at
     FROM (SELECT * FROM ${t(SYNC_RUNS)} WHERE TRUE
           QUALIFY ROW_NUMBER() OVER (PARTITION BY run_id ORDER BY recorded_at DESC) = 1) AS r
     LEFT JOIN (SELECT * FROM ${t(SYNC_RUN_OUTCOMES)} WHERE TRUE
           QUALIFY ROW_NUMBER() OVER (PARTITION BY run_id ORDER BY finished_at) = 1) AS o
       ON o.run_id = r.run_id
     ORDER BY r.started_at DESC, r.run_id DESC`,
  );
  const runs = rows
    .map((row) => RunRow.parse(row))
    .filter((r) => options.syncId === undefined || r.sync_id === options.syncId)
    .slice(0, options.limit);
  if (runs.length === 0) return [];
  const rejected = new Map<string, Record<string, number>>();
  for (const row of await query(
    `SELECT run_id, reason, COUNT(*) AS contacts FROM ${t(SYNC_REJECTIONS)} GROUP BY run_id, reason ORDER BY run_id, reason`,
  )) {
    const r = z.object({ run_id: z.string(), reason: z.string(), contacts: count }).parse(row);
    rejected.set(r.run_id, { ...rejected.get(r.run_id), [r.reason]: r.contacts });
  }
  const matchRates = new Map<string, string>();
  for (const row of await query(
    `SELECT run_id, match_rate FROM ${t(SYNC_BATCHES)} WHERE match_rate IS NOT NULL
     QUALIFY ROW_NUMBER() OVER (PARTITION BY run_id ORDER BY recorded_at DESC) = 1`,
  )) {
    const r = z.object({ run_id: z.string(), match_rate: z.string() }).parse(row);
    matchRates.set(r.run_id, r.match_rate);
  }
  return runs.map((r) => ({
    runId: r.run_id,
    syncId: r.sync_id,
    destination: r.destination,
    target: r.audience_id,
    startedAt: r.started_at ?? "",
    finishedAt: r.finished_at,
    status: r.status,
    reason: r.outcome_reason,
    segmentRows: r.segment_rows,
    eligibleContacts: r.eligible_contacts,
    plannedAdds: r.planned_adds,
    plannedUpdates: r.planned_updates,
    plannedRemoves: r.planned_removes,
    batches: r.batches,
    acceptedAdds: r.accepted_adds,
    acceptedRemoves: r.accepted_removes,
    rejected: rejected.get(r.run_id) ?? {},
    matchRate: matchRates.get(r.run_id) ?? null,
  }));
}
