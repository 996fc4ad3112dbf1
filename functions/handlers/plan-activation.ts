import { randomBytes } from "node:crypto";
import {
  ACTIVATE_META_TOPIC,
  type ActivationPointer,
  batchObjectKey,
  type MembershipOp,
  planBatches,
  pointerTo,
} from "../core/activation/batches.js";
import { diffAgainst, membershipTarget } from "../core/activation/diff.js";
import type { RunStatus } from "../core/activation/outcome.js";
import { partitionPending } from "../core/activation/resume.js";
import { parseSyncConfig, type SyncConfigInput } from "../core/activation/sync-config.js";
import { customAudienceEmailKey } from "../destinations/meta/normalize.js";
import { collectOpenWork } from "../destinations/run-recovery.js";
import { readSegmentMembers } from "../destinations/segment-reader.js";
import { ensureSyncTables, readSnapshot } from "../destinations/sync-ledger.js";
import {
  recordBatch,
  recordRejections,
  recordRun,
  type SyncRunRecord,
} from "../destinations/sync-log.js";
import { settleRun } from "../destinations/sync-runs.js";
import type { Logger } from "../platform/logger.js";
import type { Clock, EventBus, ObjectStore, Warehouse } from "../platform/ports.js";

export interface PlanActivationDeps {
  readonly warehouse: Warehouse;
  readonly store: ObjectStore;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly newRunId?: () => string;
}

export interface PlannedBatch {
  readonly runId: string;
  readonly op: MembershipOp;
  readonly batch: number;
  readonly rows: number;
  readonly key: string;
  readonly messageId: string;
}

export interface ActivationPlan {
  readonly status: "planned" | "no_changes";
  readonly syncId: string;
  readonly runId: string;
  readonly audienceId: string;
  readonly segmentRows: number;
  readonly eligibleContacts: number;
  readonly plannedAdds: number;
  readonly plannedRemoves: number;
  readonly unchanged: number;
  readonly skipped: { noConsent: number; noEmail: number; invalidEmail: number };
  /** This run's batches. */
  readonly batches: readonly PlannedBatch[];
  /** Batches of earlier, unfinished runs sent again (same objects, same upload sessions). */
  readonly resumed: readonly PlannedBatch[];
  /** Batches of earlier runs this run took over (their rows are in this run's diff). */
  readonly takenOver: number;
  /** Earlier runs whose every batch was settled, closed while planning. */
  readonly closed: ReadonlyArray<{ readonly runId: string; readonly status: RunStatus }>;
  /** Runs this plan leaves to settle: the resumed ones and this one (when it has batches). */
  readonly awaiting: readonly string[];
}

/**
 * Plans one run of an audience sync. First it recovers what earlier runs left unfinished, from
 * durable state (the `planned` rows, batch outcomes and batch objects; never a timer): a batch
 * that still agrees with the segment is sent again as it was, one that contradicts it (a
 * contact withdrew consent since) is taken over by this run. Then it diffs the segment against
 * the last synced snapshot and those pending changes (consent gate, normalization, hashing),
 * writes each batch of ≤ 10,000 rows to the store and publishes a small pointer per batch on
 * `activate-meta`, removes first. The snapshot changes only when Meta accepts a batch, so rows a
 * previous run could not deliver are simply in this diff again.
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

  const open = await collectOpenWork(deps, sync.id);
  const members = await readSegmentMembers(warehouse, sync.segment);
  const target = membershipTarget(members, {
    requiredConsent: sync.requiredConsent,
    identify: customAudienceEmailKey,
  });
  const partition = partitionPending(open.pending, target.wanted);
  // Closed before anything new is published, so a late delivery of these is ignored.
  for (const { key, batch } of partition.takeOver) {
    await recordBatch(warehouse, {
      ...batch,
      messageId: "recovery",
      objectKey: key,
      sent: 0,
      received: null,
      accepted: 0,
      invalid: null,
      attempts: 0,
      status: "superseded",
      errorCode: "superseded",
      error: `taken over by run ${runId}: a row contradicts the current segment, so its changes are planned again there`,
      recordedAt: deps.clock.now(),
    });
  }
  const diff = diffAgainst(target, await readSnapshot(warehouse, sync.id), partition.changes);
  const batches = planBatches(diff, { sync, runId, plannedAt: startedAt });
  const run: SyncRunRecord = {
    runId,
    syncId: sync.id,
    destination: sync.destination,
    audienceId: sync.audienceId,
    segment: `${sync.segment.dataset}.${sync.segment.table}`,
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
    startedAt,
    recordedAt: deps.clock.now(),
    status: batches.length > 0 ? "planned" : "no_changes",
  };
  const pointers: ActivationPointer[] = [];
  for (const batch of batches) {
    const key = batchObjectKey(sync.id, runId, batch.op, batch.batch);
    await deps.store.put(key, JSON.stringify(batch), { contentType: "application/json" });
    pointers.push(pointerTo(batch, key));
  }
  // The durable promise: from here a crash leaves an open run that the next plan resumes.
  await recordRun(warehouse, run);
  await recordRejections(
    warehouse,
    { runId, syncId: sync.id, op: "add", batch: null, stage: "plan", at: run.recordedAt },
    diff.skipped.invalidEmail.map((contactId) => ({ contactId, reason: "invalid_email" })),
  );

  const resumed = await publishAll(
    deps,
    partition.resume.map(({ key, batch }) => pointerTo(batch, key)),
    { syncId: sync.id, runId },
  );
  const planned = await publishAll(deps, pointers, { syncId: sync.id, runId });
  const closed: Array<{ runId: string; status: RunStatus }> = [];
  for (const earlier of open.runs) {
    const outcome = await settleRun(warehouse, deps.clock, earlier);
    if (outcome) closed.push({ runId: earlier.runId, status: outcome.status });
  }
  const awaiting = [
    ...new Set([...resumed.map((b) => b.runId), ...(planned.length > 0 ? [runId] : [])]),
  ];
  const plan: ActivationPlan = {
    status: run.status === "planned" ? "planned" : "no_changes",
    syncId: sync.id,
    runId,
    audienceId: sync.audienceId,
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
    batches: planned,
    resumed,
    takenOver: partition.takeOver.length,
    closed,
    awaiting,
  };
  const { batches: _b, resumed: _r, closed: _c, awaiting: _a, ...counts } = plan;
  logger.info(
    {
      ...counts,
      batches: planned.length,
      resumedBatches: resumed.length,
      closedRuns: closed.length,
    },
    "activation planned",
  );
  return plan;
}

/** Publishes pointers; a bus failure leaves the run open (resumed by the next plan) and says so. */
async function publishAll(
  deps: PlanActivationDeps,
  pointers: readonly ActivationPointer[],
  context: { syncId: string; runId: string },
): Promise<PlannedBatch[]> {
  const published: PlannedBatch[] = [];
  try {
    for (const pointer of pointers) {
      const messageId = await deps.bus.publish(ACTIVATE_META_TOPIC, {
        data: pointer,
        attributes: { sync_id: pointer.syncId, run_id: pointer.runId, op: pointer.op },
      });
      const { runId, op, batch, rows, key } = pointer;
      published.push({ runId, op, batch, rows, key, messageId });
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `sync ${context.syncId} run ${context.runId}: published ${published.length} of ${pointers.length} batches before the bus failed (${reason}); the run stays open and the next plan sends the rest`,
    );
  }
  return published;
}

/** Sortable and unique: `20260501T101500Z-3f9a1c`. */
function newRunId(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}
