import type { RunOutcome } from "../core/activation/outcome.js";
import type { PendingBatch } from "../core/activation/resume.js";
import type { Logger } from "../platform/logger.js";
import type { Clock, ObjectStore, Warehouse } from "../platform/ports.js";
import { unsettledBatches } from "./activation-store.js";
import { recordBatch, recordRun, recordRunOutcome, type SyncRunRecord } from "./sync-log.js";
import { hasOutcome, openRuns, settledBatches } from "./sync-runs.js";

/**
 * What earlier runs of a sync left unfinished, read from durable state only: their `planned`
 * rows, the batch outcomes in ops and the batch objects in the store. A batch whose object is
 * unusable is settled as failed here (it cannot be sent); a run whose objects are gone (expired)
 * is closed as failed. What remains is pending: the new plan resumes or takes it over.
 */

export interface OpenRunsDeps {
  readonly warehouse: Warehouse;
  readonly store: ObjectStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface OpenWork {
  /** Runs that were open when planning started (some may be closable now). */
  readonly runs: readonly SyncRunRecord[];
  readonly pending: readonly PendingBatch[];
}

export async function collectOpenWork(
  deps: OpenRunsDeps,
  syncId: string,
  options: { readonly dryRun?: boolean } = {},
): Promise<OpenWork> {
  const runs = await openRuns(deps.warehouse, syncId);
  const pending: PendingBatch[] = [];
  const kept: SyncRunRecord[] = [];
  for (const run of runs) {
    const settled = await settledBatches(deps.warehouse, run.runId);
    const batches = await unsettledBatches(deps.store, run, settled);
    if (batches.missing > 0 && options.dryRun) continue;
    if (batches.missing > 0) {
      const reason = `${batches.missing} of ${run.batches} batch objects of this run are gone from the store (expired?): their rows cannot be resent from here; the next run's diff plans every change that is still needed`;
      await abandonRun(deps.warehouse, deps.clock, run, reason);
      deps.logger.error(
        { syncId, runId: run.runId, missing: batches.missing },
        "activation run abandoned",
      );
      continue;
    }
    for (const { id, reason } of options.dryRun ? [] : batches.unusable) {
      await recordBatch(deps.warehouse, {
        ...id,
        messageId: "recovery",
        objectKey: `activation/${id.syncId}/${id.runId}/${id.op}-${id.batch}.json`,
        sent: 0,
        received: null,
        accepted: 0,
        invalid: null,
        attempts: 0,
        status: "failed",
        errorCode: "batch_object_unusable",
        error: reason,
        recordedAt: deps.clock.now(),
      });
    }
    pending.push(...batches.pending);
    kept.push(run);
  }
  return { runs: kept, pending };
}

/** Closes a run whose batches can no longer be known (their objects expired): failed, with why. */
async function abandonRun(
  warehouse: Warehouse,
  clock: Clock,
  run: SyncRunRecord,
  reason: string,
): Promise<void> {
  if (await hasOutcome(warehouse, run.runId)) return;
  const settled = await settledBatches(warehouse, run.runId);
  const outcome: RunOutcome = {
    status: "failed",
    reason,
    batches: run.batches,
    succeeded: settled.filter((b) => b.status === "succeeded").length,
    partial: settled.filter((b) => b.status === "partial").length,
    failed: run.batches - settled.filter((b) => b.status !== "failed").length,
    superseded: settled.filter((b) => b.status === "superseded").length,
    acceptedAdds: settled.filter((b) => b.op === "add").reduce((n, b) => n + b.accepted, 0),
    acceptedRemoves: settled.filter((b) => b.op === "remove").reduce((n, b) => n + b.accepted, 0),
    errorCodes: ["batch_object_missing"],
  };
  const at = clock.now();
  await recordRunOutcome(warehouse, { runId: run.runId, syncId: run.syncId, at, outcome });
  await recordRun(warehouse, { ...run, status: "failed", recordedAt: at });
}
