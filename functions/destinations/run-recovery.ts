import type { PendingBatch } from "../core/activation/resume.js";
import type { Logger } from "../platform/logger.js";
import type { Clock, ObjectStore, Warehouse } from "../platform/ports.js";
import { unsettledBatches } from "./activation-store.js";
import { recordBatch, type SyncRunRecord } from "./sync-log.js";
import { abandonRun, openRuns, settledBatches } from "./sync-runs.js";

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

export async function collectOpenWork(deps: OpenRunsDeps, syncId: string): Promise<OpenWork> {
  const runs = await openRuns(deps.warehouse, syncId);
  const pending: PendingBatch[] = [];
  const kept: SyncRunRecord[] = [];
  for (const run of runs) {
    const settled = await settledBatches(deps.warehouse, run.runId);
    const batches = await unsettledBatches(deps.store, run, settled);
    if (batches.missing > 0) {
      const reason = `${batches.missing} of ${run.batches} batch objects of this run are gone from the store (expired?): their rows cannot be resent from here; the next run's diff plans every change that is still needed`;
      await abandonRun(deps.warehouse, deps.clock, run, reason);
      deps.logger.error(
        { syncId, runId: run.runId, missing: batches.missing },
        "activation run abandoned",
      );
      continue;
    }
    for (const { id, reason } of batches.unusable) {
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
