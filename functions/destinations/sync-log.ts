import type { RunOutcome, RunStatus } from "../core/activation/outcome.js";
import type { Warehouse } from "../platform/ports.js";
import { SYNC_BATCHES, SYNC_REJECTIONS, SYNC_RUN_OUTCOMES, SYNC_RUNS } from "./ops-tables.js";

/** Typed appends to the sync log (`ops.sync_runs`, `ops.sync_batches`, `ops.sync_rejections`). */

export interface SyncRunRecord {
  readonly runId: string;
  readonly syncId: string;
  readonly destination: string;
  readonly audienceId: string;
  readonly segment: string;
  readonly segmentRows: number;
  readonly eligibleContacts: number;
  readonly targetIdentifiers: number;
  readonly plannedAdds: number;
  readonly plannedRemoves: number;
  readonly unchanged: number;
  readonly batches: number;
  readonly skippedNoConsent: number;
  readonly skippedNoEmail: number;
  readonly invalidIdentifiers: number;
  readonly plannedUpdates?: number;
  readonly relinked?: number;
  readonly skippedSuppressed?: number;
  readonly missingColumns?: readonly string[];
  readonly startedAt: Date;
  readonly recordedAt: Date;
  readonly status: "planned" | "no_changes" | RunStatus;
}

export function recordRun(warehouse: Warehouse, run: SyncRunRecord): Promise<void> {
  return warehouse.insertRows(SYNC_RUNS, [
    {
      run_id: run.runId,
      sync_id: run.syncId,
      destination: run.destination,
      audience_id: run.audienceId,
      segment: run.segment,
      segment_rows: run.segmentRows,
      eligible_contacts: run.eligibleContacts,
      target_identifiers: run.targetIdentifiers,
      planned_adds: run.plannedAdds,
      planned_removes: run.plannedRemoves,
      unchanged: run.unchanged,
      batches: run.batches,
      skipped_no_consent: run.skippedNoConsent,
      skipped_no_email: run.skippedNoEmail,
      invalid_identifiers: run.invalidIdentifiers,
      planned_updates: run.plannedUpdates ?? 0,
      relinked: run.relinked ?? 0,
      skipped_suppressed: run.skippedSuppressed ?? 0,
      missing_columns:
        run.missingColumns && run.missingColumns.length > 0 ? run.missingColumns.join(",") : null,
      started_at: run.startedAt,
      recorded_at: run.recordedAt,
      status: run.status,
    },
  ]);
}

export interface SyncBatchRecord {
  readonly runId: string;
  readonly syncId: string;
  readonly op: "add" | "remove";
  readonly batch: number;
  readonly messageId: string;
  readonly objectKey: string;
  readonly sent: number;
  readonly received: number | null;
  readonly accepted: number;
  readonly invalid: number | null;
  readonly attempts: number;
  readonly status: "succeeded" | "partial" | "failed" | "superseded" | "retrying";
  readonly errorCode: string | null;
  readonly error: string | null;
  readonly recordedAt: Date;
  readonly matchRate?: string | null;
}

export function recordBatch(warehouse: Warehouse, batch: SyncBatchRecord): Promise<void> {
  return warehouse.insertRows(SYNC_BATCHES, [
    {
      run_id: batch.runId,
      sync_id: batch.syncId,
      op: batch.op,
      batch: batch.batch,
      message_id: batch.messageId,
      object_key: batch.objectKey,
      sent: batch.sent,
      received: batch.received,
      accepted: batch.accepted,
      invalid: batch.invalid,
      attempts: batch.attempts,
      status: batch.status,
      error_code: batch.errorCode,
      error: batch.error,
      recorded_at: batch.recordedAt,
      match_rate: batch.matchRate ?? null,
    },
  ]);
}

export interface SyncRejectionRecord {
  readonly contactId: string;
  readonly reason: string;
}

export function recordRejections(
  warehouse: Warehouse,
  context: {
    runId: string;
    syncId: string;
    op: "add" | "remove";
    batch: number | null;
    stage: "plan" | "send";
    at: Date;
  },
  rejections: readonly SyncRejectionRecord[],
): Promise<void> {
  return warehouse.insertRows(
    SYNC_REJECTIONS,
    rejections.map((r) => ({
      run_id: context.runId,
      sync_id: context.syncId,
      contact_id: r.contactId,
      op: context.op,
      batch: context.batch,
      stage: context.stage,
      reason: r.reason,
      recorded_at: context.at,
    })),
  );
}

export function recordRunOutcome(
  warehouse: Warehouse,
  input: { runId: string; syncId: string; at: Date; outcome: RunOutcome },
): Promise<void> {
  const { outcome } = input;
  return warehouse.insertRows(SYNC_RUN_OUTCOMES, [
    {
      run_id: input.runId,
      sync_id: input.syncId,
      status: outcome.status,
      reason: outcome.reason,
      batches: outcome.batches,
      batches_succeeded: outcome.succeeded,
      batches_partial: outcome.partial,
      batches_failed: outcome.failed,
      batches_superseded: outcome.superseded,
      accepted_adds: outcome.acceptedAdds,
      accepted_removes: outcome.acceptedRemoves,
      error_codes: outcome.errorCodes.length > 0 ? outcome.errorCodes.join(",") : null,
      finished_at: input.at,
    },
  ]);
}
