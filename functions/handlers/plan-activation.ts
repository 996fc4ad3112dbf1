import { randomBytes } from "node:crypto";
import {
  ACTIVATE_META_TOPIC,
  batchObjectKey,
  type MembershipOp,
  planBatches,
  pointerTo,
} from "../core/activation/batches.js";
import { planMembershipDiff } from "../core/activation/diff.js";
import { parseSyncConfig, type SyncConfigInput } from "../core/activation/sync-config.js";
import { customAudienceEmailKey } from "../destinations/meta/normalize.js";
import { readSegmentMembers } from "../destinations/segment-reader.js";
import { ensureSyncTables, latestRunProgress, readSnapshot } from "../destinations/sync-ledger.js";
import { recordRejections, recordRun, type SyncRunRecord } from "../destinations/sync-log.js";
import type { Logger } from "../platform/logger.js";
import type { Clock, EventBus, ObjectStore, Warehouse } from "../platform/ports.js";

export interface PlanActivationDeps {
  readonly warehouse: Warehouse;
  readonly store: ObjectStore;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  /** A previous run younger than this with batches not yet done blocks planning (default 1 h). */
  readonly inFlightTimeoutMs?: number;
  readonly newRunId?: () => string;
}

export interface PlannedBatch {
  readonly op: MembershipOp;
  readonly batch: number;
  readonly rows: number;
  readonly key: string;
  readonly messageId: string;
}

export interface ActivationPlan {
  readonly status: "planned" | "no_changes" | "skipped_in_flight";
  readonly syncId: string;
  readonly runId: string;
  readonly audienceId: string;
  readonly segmentRows: number;
  readonly eligibleContacts: number;
  readonly plannedAdds: number;
  readonly plannedRemoves: number;
  readonly unchanged: number;
  readonly skipped: { noConsent: number; noEmail: number; invalidEmail: number };
  readonly batches: readonly PlannedBatch[];
}

/**
 * Plans one run of an audience sync: reads the segment and the last synced snapshot, diffs them
 * (consent gate, normalization, hashing), writes each batch of ≤ 10,000 rows to the store and
 * publishes a small pointer per batch on `activate-meta`. The snapshot changes only when Meta
 * accepts a batch, so rows a previous run could not deliver are simply in this diff again.
 */
export async function planActivation(
  deps: PlanActivationDeps,
  syncInput: SyncConfigInput,
): Promise<ActivationPlan> {
  const sync = parseSyncConfig(syncInput);
  const { warehouse, logger } = deps;
  const startedAt = deps.clock.now();
  const runId = deps.newRunId?.() ?? newRunId(startedAt);
  await ensureSyncTables(warehouse);
  let run: SyncRunRecord = {
    runId,
    syncId: sync.id,
    destination: sync.destination,
    audienceId: sync.audienceId,
    segment: `${sync.segment.dataset}.${sync.segment.table}`,
    segmentRows: 0,
    eligibleContacts: 0,
    targetIdentifiers: 0,
    plannedAdds: 0,
    plannedRemoves: 0,
    unchanged: 0,
    batches: 0,
    skippedNoConsent: 0,
    skippedNoEmail: 0,
    invalidIdentifiers: 0,
    startedAt,
    recordedAt: startedAt,
    status: "skipped_in_flight",
  };

  // Two overlapping runs would both send the changes still in flight: wait for the first.
  const previous = await latestRunProgress(warehouse, sync.id);
  if (
    previous?.status === "planned" &&
    previous.done < previous.batches &&
    startedAt.getTime() - previous.startedAt.getTime() < (deps.inFlightTimeoutMs ?? 3_600_000)
  ) {
    await recordRun(warehouse, run);
    logger.warn(
      {
        syncId: sync.id,
        runId,
        previousRunId: previous.runId,
        done: previous.done,
        batches: previous.batches,
      },
      "activation not planned: the previous run still has batches in flight",
    );
    return summarize(run, []);
  }

  const members = await readSegmentMembers(warehouse, sync.segment);
  const diff = planMembershipDiff(members, await readSnapshot(warehouse, sync.id), {
    requiredConsent: sync.requiredConsent,
    identify: customAudienceEmailKey,
  });
  const batches = planBatches(diff, { sync, runId, plannedAt: startedAt });
  run = {
    ...run,
    segmentRows: members.length,
    eligibleContacts: diff.eligibleContacts,
    targetIdentifiers: diff.targetIdentifiers,
    plannedAdds: diff.adds.length,
    plannedRemoves: diff.removes.length,
    unchanged: diff.unchanged,
    batches: batches.length,
    skippedNoConsent: diff.skipped.noConsent,
    skippedNoEmail: diff.skipped.noEmail,
    invalidIdentifiers: diff.skipped.invalidEmail.length,
    recordedAt: deps.clock.now(),
    status: batches.length > 0 ? "planned" : "no_changes",
  };

  const pointers = [];
  for (const batch of batches) {
    const key = batchObjectKey(sync.id, runId, batch.op, batch.batch);
    await deps.store.put(key, JSON.stringify(batch), { contentType: "application/json" });
    pointers.push(pointerTo(batch, key));
  }
  await recordRun(warehouse, run);
  await recordRejections(
    warehouse,
    { runId, syncId: sync.id, op: "add", batch: null, stage: "plan", at: run.recordedAt },
    diff.skipped.invalidEmail.map((contactId) => ({ contactId, reason: "invalid_email" })),
  );

  const planned: PlannedBatch[] = [];
  try {
    for (const pointer of pointers) {
      const messageId = await deps.bus.publish(ACTIVATE_META_TOPIC, {
        data: pointer,
        attributes: { sync_id: sync.id, run_id: runId, op: pointer.op },
      });
      planned.push({
        op: pointer.op,
        batch: pointer.batch,
        rows: pointer.rows,
        key: pointer.key,
        messageId,
      });
    }
  } catch (error) {
    await recordRun(warehouse, { ...run, status: "publish_failed", recordedAt: deps.clock.now() });
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `sync ${sync.id} run ${runId}: published ${planned.length} of ${pointers.length} batches before the bus failed (${reason}); the next run plans the rest again`,
    );
  }

  const plan = summarize(run, planned);
  const { batches: _batches, ...counts } = plan;
  logger.info({ ...counts, batches: planned.length }, "activation planned");
  return plan;
}

function summarize(run: SyncRunRecord, batches: readonly PlannedBatch[]): ActivationPlan {
  return {
    status:
      run.status === "planned" || run.status === "no_changes" ? run.status : "skipped_in_flight",
    syncId: run.syncId,
    runId: run.runId,
    audienceId: run.audienceId,
    segmentRows: run.segmentRows,
    eligibleContacts: run.eligibleContacts,
    plannedAdds: run.plannedAdds,
    plannedRemoves: run.plannedRemoves,
    unchanged: run.unchanged,
    skipped: {
      noConsent: run.skippedNoConsent,
      noEmail: run.skippedNoEmail,
      invalidEmail: run.invalidIdentifiers,
    },
    batches,
  };
}

/** Sortable and unique: `20260501T101500Z-3f9a1c`. */
function newRunId(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}
