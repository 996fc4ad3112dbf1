/**
 * The final status of a sync run, from the settled outcome of each of its batches. A run is
 * final only when every planned batch has one; until then it is open (and a later plan resumes
 * it). Statuses: `succeeded` (every batch delivered whole, or handed to a later run),
 * `partially_rejected` (delivered, but the destination refused some rows: they are in
 * ops.sync_rejections and in the next diff), `failed` (some batch was not delivered: refused, or
 * given up after the delivery budget; the reason says what to do).
 */

export type SettledBatchStatus = "succeeded" | "partial" | "failed" | "superseded";
export type RunStatus = "succeeded" | "partially_rejected" | "failed";

export interface SettledBatchRow {
  readonly op: "add" | "remove";
  readonly batch: number;
  readonly status: SettledBatchStatus;
  readonly accepted: number;
  readonly errorCode: string | null;
  readonly error: string | null;
}

export interface RunOutcome {
  readonly status: RunStatus;
  readonly reason: string | null;
  readonly batches: number;
  readonly succeeded: number;
  readonly partial: number;
  readonly failed: number;
  readonly superseded: number;
  readonly acceptedAdds: number;
  readonly acceptedRemoves: number;
  readonly errorCodes: readonly string[];
}

/** The outcome, or `undefined` while some of the `batches` planned batches are not settled. */
export function runOutcome(
  batches: number,
  settled: readonly SettledBatchRow[],
): RunOutcome | undefined {
  // One row per batch: a batch delivered twice (a resumed message racing its original) counts once.
  const byBatch = new Map<string, SettledBatchRow>();
  for (const row of settled) byBatch.set(`${row.op}-${row.batch}`, row);
  if (byBatch.size < batches) return undefined;
  const rows = [...byBatch.values()];
  const count = (status: SettledBatchStatus) => rows.filter((r) => r.status === status).length;
  const failed = rows.filter((r) => r.status === "failed");
  const errorCodes = [...new Set(failed.map((r) => r.errorCode ?? "unknown"))].sort();
  const partial = count("partial");
  const status: RunStatus =
    failed.length > 0 ? "failed" : partial > 0 ? "partially_rejected" : "succeeded";
  const accepted = (op: "add" | "remove") =>
    rows.filter((r) => r.op === op).reduce((n, r) => n + r.accepted, 0);
  return {
    status,
    reason: reasonFor(status, rows.length, failed, partial, count("superseded")),
    batches: rows.length,
    succeeded: count("succeeded"),
    partial,
    failed: failed.length,
    superseded: count("superseded"),
    acceptedAdds: accepted("add"),
    acceptedRemoves: accepted("remove"),
    errorCodes,
  };
}

function reasonFor(
  status: RunStatus,
  batches: number,
  failed: readonly SettledBatchRow[],
  partial: number,
  superseded: number,
): string | null {
  if (status === "succeeded") {
    return superseded > 0
      ? `${superseded} of ${batches} batches were taken over by a later run (a row no longer matched the segment); that run sent what was still needed`
      : null;
  }
  if (status === "partially_rejected") {
    return `the destination refused some rows in ${partial} of ${batches} batches: see ops.sync_rejections; they stay in the next run's diff`;
  }
  const first = failed[0];
  const detail = first?.error ?? "no detail recorded";
  return `${failed.length} of ${batches} batches not delivered; ${first?.op} batch ${first?.batch} (${first?.errorCode ?? "unknown"}): ${detail}`;
}
