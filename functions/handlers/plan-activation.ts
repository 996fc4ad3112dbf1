import {
  type ActivationPointer,
  batchObjectKey,
  type MembershipOp,
  planBatches,
  pointerTo,
} from "../core/activation/batches.js";
import { diffAgainst } from "../core/activation/diff.js";
import { membershipTarget } from "../core/activation/members.js";
import type { RunStatus } from "../core/activation/outcome.js";
import { type PlanPreview, previewOf } from "../core/activation/preview.js";
import { partitionPending } from "../core/activation/resume.js";
import {
  type DestinationType,
  parseSyncConfig,
  removesOnLeave,
  type SyncConfigInput,
  syncTarget,
} from "../core/activation/sync-config.js";
import { planSpecOf, syncColumns } from "../destinations/plan-specs.js";
import { collectOpenWork } from "../destinations/run-recovery.js";
import { readSegmentMembers } from "../destinations/segment-reader.js";
import { ensureSyncTables, readSnapshot, upsertMembers } from "../destinations/sync-ledger.js";
import {
  recordBatch,
  recordRejections,
  recordRun,
  type SyncRunRecord,
} from "../destinations/sync-log.js";
import { settleRun } from "../destinations/sync-runs.js";
import { activeSuppressions } from "../destinations/sync-suppressions.js";
import type { Logger } from "../platform/logger.js";
import type { Clock, EventBus, ObjectStore, Warehouse } from "../platform/ports.js";
import { newRunId, publishAll } from "./activation-publish.js";

export interface PlanActivationDeps {
  readonly warehouse: Warehouse;
  readonly store: ObjectStore;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly newRunId?: () => string;
}

export interface PlanOptions {
  /** Contacts being erased: removed from the destination whatever the segment says. */
  readonly forget?: ReadonlySet<string>;
  /** Compute and show the plan, write and send nothing (`unistack sync --dry-run`). */
  readonly dryRun?: boolean;
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
  readonly status: "planned" | "no_changes" | "dry_run";
  readonly syncId: string;
  readonly runId: string;
  readonly destination: DestinationType;
  /** What the sync writes to (audience, customer/list, list, contacts, tasks). */
  readonly audienceId: string;
  readonly segmentRows: number;
  readonly eligibleContacts: number;
  readonly plannedAdds: number;
  readonly plannedUpdates: number;
  readonly plannedRemoves: number;
  readonly relinked: number;
  readonly unchanged: number;
  readonly skipped: {
    noConsent: number;
    noEmail: number;
    invalidEmail: number;
    suppressed: number;
    forgotten: number;
  };
  /** Optional match-key columns the segment lacks: those keys are not sent. */
  readonly missingColumns: readonly string[];
  /** This run's batches (none in a dry run). */
  readonly batches: readonly PlannedBatch[];
  /** Batches of earlier, unfinished runs sent again (same objects, same upload sessions). */
  readonly resumed: readonly PlannedBatch[];
  /** Batches of earlier runs this run took over (their rows are in this run's diff). */
  readonly takenOver: number;
  /** Earlier runs whose every batch was settled, closed while planning. */
  readonly closed: ReadonlyArray<{ readonly runId: string; readonly status: RunStatus }>;
  /** Runs this plan leaves to settle: the resumed ones and this one (when it has batches). */
  readonly awaiting: readonly string[];
  /** Dry runs: a few masked rows per change. */
  readonly preview?: PlanPreview;
}

/**
 * Plans one run of a sync, for any destination. First it recovers what earlier runs left
 * unfinished, from durable state (the `planned` rows, batch outcomes and batch objects; never a
 * timer): a batch that still agrees with the segment is sent again as it was, one that
 * contradicts it (a contact withdrew consent since) is taken over by this run. Then it reads the
 * segment, keeps members with every required consent and a usable identifier (outside a
 * realtime suppression window), normalizes and hashes them the destination's way, and diffs them
 * against the last accepted snapshot: adds, updates (changed payload), removes, and relinks (a
 * key now wanted by other contacts after a merge: ledger only, nothing sent). Each batch is an
 * object in the store with a small pointer on `activate-<destination>`, removes first. The
 * snapshot changes only when the destination accepts a batch, so rows an earlier run could not
 * deliver are simply in this diff again.
 */
export async function planActivation(
  deps: PlanActivationDeps,
  syncInput: SyncConfigInput,
  options: PlanOptions = {},
): Promise<ActivationPlan> {
  const sync = parseSyncConfig(syncInput);
  const { warehouse, logger } = deps;
  const dryRun = options.dryRun === true;
  const startedAt = deps.clock.now();
  const runId = deps.newRunId?.() ?? newRunId(startedAt);
  await ensureSyncTables(warehouse);

  const open = await collectOpenWork(deps, sync.id, { dryRun });
  const segment = await readSegmentMembers(warehouse, sync.segment, syncColumns(sync));
  const spec = planSpecOf(sync, segment.available);
  const target = membershipTarget(segment.members, {
    requiredConsent: sync.requiredConsent,
    identify: spec.identify,
    ...(options.forget ? { forget: options.forget } : {}),
    suppressed: await activeSuppressions(warehouse, sync.id, startedAt),
  });
  const partition = partitionPending(open.pending, target.wanted);
  const diff = diffAgainst(target, await readSnapshot(warehouse, sync.id), partition.changes, {
    removesOnLeave: removesOnLeave(sync),
    ...(options.forget ? { forget: options.forget } : {}),
  });
  const batches = planBatches(diff, { sync, runId, plannedAt: startedAt, schema: spec.schema });
  const run: SyncRunRecord = {
    runId,
    syncId: sync.id,
    destination: sync.destination,
    audienceId: syncTarget(sync),
    segment: `${sync.segment.dataset}.${sync.segment.table}`,
    segmentRows: segment.members.length,
    eligibleContacts: diff.eligibleContacts,
    targetIdentifiers: diff.targetIdentifiers,
    plannedAdds: diff.adds.length,
    plannedRemoves: diff.removes.length,
    plannedUpdates: diff.updates.length,
    relinked: diff.relinks.length,
    unchanged: diff.unchanged,
    batches: batches.length,
    skippedNoConsent: diff.skipped.noConsent,
    skippedNoEmail: diff.skipped.noEmail,
    invalidIdentifiers: diff.skipped.invalid.length,
    skippedSuppressed: diff.skipped.suppressed,
    missingColumns: segment.missingColumns,
    startedAt,
    recordedAt: deps.clock.now(),
    status: batches.length > 0 ? "planned" : "no_changes",
  };
  const summary = {
    syncId: sync.id,
    runId,
    destination: sync.destination,
    audienceId: run.audienceId,
    segmentRows: run.segmentRows,
    eligibleContacts: run.eligibleContacts,
    plannedAdds: run.plannedAdds,
    plannedUpdates: diff.updates.length,
    plannedRemoves: run.plannedRemoves,
    relinked: diff.relinks.length,
    unchanged: run.unchanged,
    skipped: {
      noConsent: diff.skipped.noConsent,
      noEmail: diff.skipped.noEmail,
      invalidEmail: diff.skipped.invalid.length,
      suppressed: diff.skipped.suppressed,
      forgotten: diff.skipped.forgotten,
    },
    missingColumns: segment.missingColumns,
    takenOver: partition.takeOver.length,
  };
  if (dryRun) {
    const resumable = partition.resume.map(({ key, batch }) => ({
      runId: batch.runId,
      op: batch.op,
      batch: batch.batch,
      rows: batch.rows.length,
      key,
      messageId: "",
    }));
    return {
      ...summary,
      status: "dry_run",
      batches: [],
      resumed: resumable,
      closed: [],
      awaiting: [],
      preview: previewOf(diff),
    };
  }

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
    diff.skipped.invalid,
  );
  // A merge moved keys to other contacts: the ledger follows, the destination sees nothing.
  await upsertMembers(warehouse, {
    syncId: sync.id,
    runId,
    identifierType: spec.schema,
    at: run.recordedAt,
    members: diff.relinks.map((item) => ({
      hash: item.identifierHash,
      contactIds: item.contactIds,
      digest: item.digest,
      keys: item.payload?.keys,
      destinationId: item.destinationId,
    })),
  });

  const context = { syncId: sync.id, runId };
  const resumed = await publishAll(
    deps,
    partition.resume.map(({ key, batch }) => pointerTo(batch, key)),
    context,
  );
  const planned = await publishAll(deps, pointers, context);
  const closed: Array<{ runId: string; status: RunStatus }> = [];
  for (const earlier of open.runs) {
    const outcome = await settleRun(warehouse, deps.clock, earlier);
    if (outcome) closed.push({ runId: earlier.runId, status: outcome.status });
  }
  const awaiting = [
    ...new Set([...resumed.map((b) => b.runId), ...(planned.length > 0 ? [runId] : [])]),
  ];
  logger.info(
    {
      ...summary,
      status: run.status,
      batches: planned.length,
      resumedBatches: resumed.length,
      closedRuns: closed.length,
    },
    "activation planned",
  );
  return {
    ...summary,
    status: run.status === "planned" ? "planned" : "no_changes",
    batches: planned,
    resumed,
    closed,
    awaiting,
  };
}

/**
 * The generic removal path (erasure, privacy): every sync plans a run in which these contacts
 * are no members, whatever their segments still say, so every destination holding them gets a
 * remove (ad audiences and lists: the member; the CRM: the records created for them).
 */
export async function removeFromEveryDestination(
  deps: PlanActivationDeps,
  syncs: readonly SyncConfigInput[],
  input: { readonly contactIds: readonly string[] },
): Promise<ActivationPlan[]> {
  const forget = new Set(input.contactIds);
  const plans: ActivationPlan[] = [];
  for (const sync of syncs) plans.push(await planActivation(deps, sync, { forget }));
  return plans;
}
