import {
  type ActivationBatch,
  type ActivationPointer,
  ActivationPointerSchema,
} from "../core/activation/batches.js";
import type { Rejection } from "../core/activation/settle.js";
import { type BatchIdentity, loadBatchObject } from "../destinations/activation-store.js";
import { DestinationApiError } from "../destinations/errors.js";
import { type DestinationSender, rejectRows, type SendOutcome } from "../destinations/sender.js";
import {
  ensureSyncTables,
  hasRejections,
  hasTerminalBatch,
  removeMembers,
  upsertMembers,
} from "../destinations/sync-ledger.js";
import { recordBatch, recordRejections, type SyncBatchRecord } from "../destinations/sync-log.js";
import { failedDeliveries, settleRunById } from "../destinations/sync-runs.js";
import { activeSuppressions } from "../destinations/sync-suppressions.js";
import { type CloudEvent, decodePubsubJson } from "../platform/cloudevents.js";
import type { Logger } from "../platform/logger.js";
import type { Clock, ObjectStore, Warehouse } from "../platform/ports.js";

/** Deliveries of one batch before it is settled as failed (keep below the subscription's max). */
export const DEFAULT_MAX_DELIVERIES = 15;

export interface ActivateDeps {
  readonly warehouse: Warehouse;
  readonly store: ObjectStore;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly sender: DestinationSender;
  /**
   * Whether this deployment sends the pointer's sync to the pointer's target: `undefined` when
   * it does, else why not. A message naming another audience or an unknown sync is refused.
   */
  readonly refuse: (pointer: ActivationPointer) => string | undefined;
  /**
   * Failed deliveries of one batch (each after the client's own retries) before the batch is
   * recorded as failed and acknowledged, so its run gets a final status instead of a dead letter.
   */
  readonly maxDeliveries?: number;
}

export interface ActivationOutcome {
  readonly status: "succeeded" | "partial" | "failed" | "duplicate" | "discarded";
  readonly sent: number;
  readonly accepted: number;
  readonly invalid: number;
}

type Settle = (fields: Partial<SyncBatchRecord> & Pick<SyncBatchRecord, "status">) => Promise<void>;

/**
 * The `activate-<destination>` functions (Pub/Sub trigger): load the batch a pointer names, send
 * it, and record the outcome: accepted rows change `ops.sync_members`, refused rows go to
 * `ops.sync_rejections`, the batch to `ops.sync_batches`. Adds of members a realtime rule has
 * just suppressed are dropped first. A transient failure (after the client's retries) is
 * recorded as `retrying` and thrown so Pub/Sub redelivers, until the delivery budget is spent:
 * then the batch is recorded as failed and acknowledged. A permanent failure is recorded and
 * acknowledged at once (the rows stay in the next run's diff). A batch with a settled outcome is
 * never sent or counted again; the last settled batch of a run closes the run.
 */
export async function activateBatch(
  deps: ActivateDeps,
  event: CloudEvent<unknown>,
): Promise<ActivationOutcome> {
  const { warehouse, logger } = deps;
  const { data, messageId } = decodePubsubJson(event);
  const parsed = ActivationPointerSchema.safeParse(data);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join(".") || "message");
    logger.error({ messageId, fields }, "activation message discarded: not an activation pointer");
    return { status: "discarded", sent: 0, accepted: 0, invalid: 0 };
  }
  const pointer = parsed.data;
  const ids: BatchIdentity = {
    syncId: pointer.syncId,
    runId: pointer.runId,
    op: pointer.op,
    batch: pointer.batch,
  };
  await ensureSyncTables(warehouse);
  if (await hasTerminalBatch(warehouse, ids)) {
    logger.info({ ...ids, messageId }, "batch already settled: redelivery ignored");
    return { status: "duplicate", sent: 0, accepted: 0, invalid: 0 };
  }
  const record: Settle = (fields) =>
    recordBatch(warehouse, {
      ...ids,
      messageId,
      objectKey: pointer.key,
      sent: 0,
      received: null,
      accepted: 0,
      invalid: null,
      attempts: 0,
      errorCode: null,
      error: null,
      recordedAt: deps.clock.now(),
      ...fields,
    });
  const settle: Settle = async (fields) => {
    await record(fields);
    await settleRunById(warehouse, deps.clock, ids.runId);
  };

  const refusal =
    pointer.destination !== deps.sender.destination
      ? `message is for ${pointer.destination}, this function sends to ${deps.sender.destination}: not sent`
      : deps.refuse(pointer);
  if (refusal) {
    await settle({ status: "failed", errorCode: "audience_mismatch", error: refusal });
    logger.error({ ...ids, messageId }, "activation batch refused: not this function's target");
    return { status: "failed", sent: 0, accepted: 0, invalid: 0 };
  }
  const loaded = await loadBatchObject(deps.store, ids, pointer.key);
  if (typeof loaded === "string") {
    await settle({ status: "failed", errorCode: "batch_object_unusable", error: loaded });
    logger.error({ ...ids, messageId, error: loaded }, "activation batch failed");
    return { status: "failed", sent: 0, accepted: 0, invalid: 0 };
  }
  const { batch, held } = await withoutSuppressed(deps, loaded);
  let outcome: SendOutcome;
  try {
    outcome =
      batch.rows.length > 0
        ? await deps.sender.send(batch)
        : {
            status: "succeeded",
            accepted: [],
            rejections: [],
            received: 0,
            invalid: 0,
            attempts: 0,
          };
  } catch (error) {
    if (!(error instanceof DestinationApiError)) throw error;
    return failedSend(deps, { ids, messageId, batch, held, error, record, settle });
  }
  return recordAccepted(deps, { ids, messageId, batch, held, outcome, settle });
}

/** Adds of members a realtime rule suppressed since the plan are not sent (nor recorded held). */
async function withoutSuppressed(
  deps: ActivateDeps,
  batch: ActivationBatch,
): Promise<{ batch: ActivationBatch; held: Rejection[] }> {
  if (batch.op !== "add") return { batch, held: [] };
  const suppressed = await activeSuppressions(deps.warehouse, batch.syncId, deps.clock.now());
  if (suppressed.size === 0) return { batch, held: [] };
  const kept = batch.rows.filter((row) => !suppressed.has(row.hash));
  const dropped = batch.rows.filter((row) => suppressed.has(row.hash));
  return { batch: { ...batch, rows: kept }, held: rejectRows(dropped, "suppressed_realtime") };
}

async function failedSend(
  deps: ActivateDeps,
  input: {
    ids: BatchIdentity;
    messageId: string;
    batch: ActivationBatch;
    held: Rejection[];
    error: DestinationApiError;
    record: Settle;
    settle: Settle;
  },
): Promise<ActivationOutcome> {
  const { ids, messageId, batch, error } = input;
  const failure = {
    sent: batch.rows.length,
    attempts: error.attempts,
    errorCode: error.label,
    error: error.message,
  };
  if (error.retryable) {
    const deliveries = (await failedDeliveries(deps.warehouse, ids)) + 1;
    if (deliveries < (deps.maxDeliveries ?? DEFAULT_MAX_DELIVERIES)) {
      await input.record({ ...failure, status: "retrying" });
      deps.logger.warn(
        { ...ids, messageId, errorCode: error.label, deliveries },
        "destination unavailable: batch left for redelivery",
      );
      throw error;
    }
    failure.error = `${batch.destination} did not take the batch in ${deliveries} deliveries, each retried by the client (last answer: ${error.describeAnswer()}). Check the platform's status and rate limits; the rows stay in the next run's diff.`;
  }
  await writeRejections(deps, ids, [...input.held, ...rejectRows(batch.rows, error.label)]);
  await input.settle({ ...failure, status: "failed" });
  deps.logger.error(
    { ...ids, messageId, sent: batch.rows.length, errorCode: error.label },
    "destination did not take the batch: recorded as failed, its rows stay in the next run's diff",
  );
  return { status: "failed", sent: batch.rows.length, accepted: 0, invalid: 0 };
}

async function recordAccepted(
  deps: ActivateDeps,
  input: {
    ids: BatchIdentity;
    messageId: string;
    batch: ActivationBatch;
    held: Rejection[];
    outcome: SendOutcome;
    settle: Settle;
  },
): Promise<ActivationOutcome> {
  const { ids, batch, outcome } = input;
  const at = deps.clock.now();
  if (ids.op === "add") {
    await upsertMembers(deps.warehouse, {
      syncId: ids.syncId,
      runId: ids.runId,
      identifierType: batch.schema,
      at,
      members: outcome.accepted.map(({ row, destinationId }) => ({
        hash: row.hash,
        contactIds: row.contactIds,
        digest: row.digest,
        keys: row.keys,
        destinationId: destinationId ?? row.destinationId,
      })),
    });
  } else {
    await removeMembers(
      deps.warehouse,
      ids.syncId,
      outcome.accepted.map(({ row }) => row.hash),
    );
  }
  await writeRejections(deps, ids, [...input.held, ...outcome.rejections]);
  // Written last: a crash before it means the batch is sent again (same upload) and recorded once.
  await input.settle({
    status: outcome.status,
    sent: batch.rows.length,
    received: outcome.received,
    accepted: outcome.accepted.length,
    invalid: outcome.invalid,
    attempts: outcome.attempts,
    matchRate: outcome.matchRate ?? null,
  });
  const result = {
    status: outcome.status,
    sent: batch.rows.length,
    accepted: outcome.accepted.length,
    invalid: outcome.invalid ?? 0,
  };
  deps.logger.info(
    { ...ids, messageId: input.messageId, ...result, attempts: outcome.attempts },
    "activation batch sent",
  );
  return result;
}

/** Rejections of one batch are written once, even when the batch is delivered again. */
async function writeRejections(
  deps: ActivateDeps,
  ids: BatchIdentity,
  rejections: readonly Rejection[],
): Promise<void> {
  if (rejections.length === 0 || (await hasRejections(deps.warehouse, ids))) return;
  await recordRejections(
    deps.warehouse,
    { ...ids, stage: "send", at: deps.clock.now() },
    rejections,
  );
}
