import {
  type ActivationBatch,
  ActivationPointerSchema,
  uploadSessionId,
} from "../core/activation/batches.js";
import { type Rejection, settleBatch } from "../core/activation/settle.js";
import { type BatchIdentity, loadBatchObject } from "../destinations/activation-store.js";
import type { MetaAudienceClient, MetaBatchResult } from "../destinations/meta/client.js";
import { MetaApiError } from "../destinations/meta/errors.js";
import {
  addMembers,
  ensureSyncTables,
  hasRejections,
  hasTerminalBatch,
  removeMembers,
} from "../destinations/sync-ledger.js";
import { recordBatch, recordRejections, type SyncBatchRecord } from "../destinations/sync-log.js";
import { failedDeliveries, settleRunById } from "../destinations/sync-runs.js";
import { type CloudEvent, decodePubsubJson } from "../platform/cloudevents.js";
import type { Logger } from "../platform/logger.js";
import type { Clock, ObjectStore, Warehouse } from "../platform/ports.js";

/** Deliveries of one batch before it is settled as failed (keep below the subscription's max). */
export const DEFAULT_MAX_DELIVERIES = 15;

export interface ActivateMetaDeps {
  readonly warehouse: Warehouse;
  readonly store: ObjectStore;
  readonly meta: MetaAudienceClient;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The audience this deployment syncs to (META_AUDIENCE_ID): a message naming another is refused. */
  readonly audienceId: string;
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

type Ids = BatchIdentity;

/**
 * The `activate-meta` function (Pub/Sub trigger): loads the batch a pointer names, sends it to
 * Meta under its run's upload session, and records the outcome: accepted rows change
 * `ops.sync_members`, refused rows go to `ops.sync_rejections`, the batch to `ops.sync_batches`.
 * A transient failure (after the client's retries) is recorded as `retrying` and thrown so Pub/Sub
 * redelivers, until the delivery budget is spent: then the batch is recorded as failed and
 * acknowledged. A permanent failure is recorded and acknowledged at once (the rows stay in the
 * next run's diff). A batch with a settled outcome is never sent or counted again; the last
 * settled batch of a run closes the run (`ops.sync_run_outcomes`).
 */
export async function activateMeta(
  deps: ActivateMetaDeps,
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
  const ids: Ids = {
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
  const record = (fields: Partial<SyncBatchRecord> & Pick<SyncBatchRecord, "status">) =>
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
  const settle = async (
    fields: Partial<SyncBatchRecord> & Pick<SyncBatchRecord, "status">,
  ): Promise<void> => {
    await record(fields);
    await settleRunById(warehouse, deps.clock, ids.runId);
  };

  if (pointer.audienceId !== deps.audienceId) {
    const error = `message names audience ${pointer.audienceId}, this function syncs ${deps.audienceId}: not sent`;
    await settle({ status: "failed", errorCode: "audience_mismatch", error });
    logger.error({ ...ids, messageId }, "activation batch refused: audience mismatch");
    return { status: "failed", sent: 0, accepted: 0, invalid: 0 };
  }
  const loaded = await loadBatchObject(deps.store, ids, pointer.key);
  if (typeof loaded === "string") {
    await settle({ status: "failed", errorCode: "batch_object_unusable", error: loaded });
    logger.error({ ...ids, messageId, error: loaded }, "activation batch failed");
    return { status: "failed", sent: 0, accepted: 0, invalid: 0 };
  }
  const rows = loaded.rows;
  let results: MetaBatchResult[];
  try {
    results = await deps.meta.send(
      pointer.op,
      deps.audienceId,
      rows.map((row) => row.hash),
      {
        sessionId: uploadSessionId(pointer.runId, pointer.op),
        batchSeq: pointer.batch,
        lastBatch: pointer.batch === pointer.batches,
        estimatedTotal: pointer.totalRows,
      },
    );
  } catch (error) {
    if (!(error instanceof MetaApiError)) throw error;
    const failure = {
      sent: rows.length,
      attempts: error.attempts,
      errorCode: error.label,
      error: error.message,
    };
    if (error.retryable) {
      const deliveries = (await failedDeliveries(warehouse, ids)) + 1;
      if (deliveries < (deps.maxDeliveries ?? DEFAULT_MAX_DELIVERIES)) {
        await record({ ...failure, status: "retrying" });
        logger.warn(
          { ...ids, messageId, errorCode: error.label, deliveries },
          "Meta unavailable: batch left for redelivery",
        );
        throw error;
      }
      failure.error = `Meta did not take the batch in ${deliveries} deliveries, each retried by the client (last answer: ${describeAnswer(error)}). Check Meta's status and the app's rate limits; the rows stay in the next run's diff.`;
    }
    await writeRejections(
      deps,
      ids,
      rows.flatMap((row) =>
        row.contactIds.map((contactId) => ({ contactId, reason: error.label })),
      ),
    );
    await settle({ ...failure, status: "failed" });
    logger.error(
      { ...ids, messageId, sent: rows.length, errorCode: error.label },
      "Meta did not take the batch: recorded as failed, its rows stay in the next run's diff",
    );
    return { status: "failed", sent: rows.length, accepted: 0, invalid: 0 };
  }
  return recordAccepted(deps, { ids, messageId, loaded, results, settle });
}

async function recordAccepted(
  deps: ActivateMetaDeps,
  input: {
    ids: Ids;
    messageId: string;
    loaded: ActivationBatch;
    results: readonly MetaBatchResult[];
    settle: (f: Partial<SyncBatchRecord> & Pick<SyncBatchRecord, "status">) => Promise<void>;
  },
): Promise<ActivationOutcome> {
  const { ids, loaded, results } = input;
  const rows = loaded.rows;
  const received = results.reduce((n, r) => n + r.numReceived, 0);
  const invalid = results.reduce((n, r) => n + r.numInvalidEntries, 0);
  const settled = settleBatch(rows, {
    received,
    invalid,
    invalidSamples: Object.assign({}, ...results.map((r) => r.invalidEntrySamples)),
  });
  const at = deps.clock.now();
  if (ids.op === "add") {
    const accepted = settled.accepted.flatMap((row) =>
      row.contactIds.map((contactId) => ({ contactId, hash: row.hash })),
    );
    await addMembers(deps.warehouse, {
      syncId: ids.syncId,
      runId: ids.runId,
      identifierType: loaded.schema,
      at,
      rows: accepted,
    });
  } else {
    await removeMembers(
      deps.warehouse,
      ids.syncId,
      settled.accepted.map((row) => row.hash),
    );
  }
  await writeRejections(deps, ids, settled.rejections);
  const attempts = results.reduce((n, r) => n + r.attempts, 0);
  // Written last: a crash before it means the batch is sent again (same session) and recorded once.
  await input.settle({
    status: settled.status,
    sent: rows.length,
    received,
    accepted: settled.accepted.length,
    invalid,
    attempts,
  });
  const outcome = {
    status: settled.status,
    sent: rows.length,
    accepted: settled.accepted.length,
    invalid,
  };
  deps.logger.info(
    { ...ids, messageId: input.messageId, ...outcome, received, attempts },
    "activation batch sent",
  );
  return outcome;
}

function describeAnswer(error: MetaApiError): string {
  const code = error.code !== undefined ? `, Graph code ${error.code}` : "";
  return error.status !== undefined ? `HTTP ${error.status}${code}` : "no answer (network)";
}

/** Rejections of one batch are written once, even when the batch is delivered again. */
async function writeRejections(
  deps: ActivateMetaDeps,
  ids: Ids,
  rejections: readonly Rejection[],
): Promise<void> {
  if (rejections.length === 0 || (await hasRejections(deps.warehouse, ids))) return;
  await recordRejections(
    deps.warehouse,
    { ...ids, stage: "send", at: deps.clock.now() },
    rejections,
  );
}
