import {
  type ActivationBatch,
  ActivationBatchSchema,
  type ActivationPointer,
  ActivationPointerSchema,
  batchObjectKey,
  uploadSessionId,
} from "../core/activation/batches.js";
import { type Rejection, settleBatch } from "../core/activation/settle.js";
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
import { type CloudEvent, decodePubsubJson } from "../platform/cloudevents.js";
import type { Logger } from "../platform/logger.js";
import type { Clock, ObjectStore, Warehouse } from "../platform/ports.js";

export interface ActivateMetaDeps {
  readonly warehouse: Warehouse;
  readonly store: ObjectStore;
  readonly meta: MetaAudienceClient;
  readonly logger: Logger;
  readonly clock: Clock;
}

export interface ActivationOutcome {
  readonly status: "succeeded" | "partial" | "failed" | "duplicate" | "discarded";
  readonly sent: number;
  readonly accepted: number;
  readonly invalid: number;
}

/**
 * The `activate-meta` function (Pub/Sub trigger): loads the batch a pointer names, sends it to
 * Meta, and records the outcome: accepted rows change `ops.sync_members`, refused rows go to
 * `ops.sync_rejections`, the batch to `ops.sync_batches`. Throws on a transient failure (after
 * the client's retries) so Pub/Sub redelivers; records and returns on a permanent one (the rows
 * stay in the next run's diff). A batch with a terminal outcome is never sent or counted again.
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
  const ids = {
    syncId: pointer.syncId,
    runId: pointer.runId,
    op: pointer.op,
    batch: pointer.batch,
  };
  await ensureSyncTables(warehouse);
  if (await hasTerminalBatch(warehouse, ids)) {
    logger.info({ ...ids, messageId }, "batch already recorded: redelivery ignored");
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

  const loaded = await loadBatch(deps.store, pointer);
  if (typeof loaded === "string") {
    await record({ status: "failed", errorCode: "batch_object_unusable", error: loaded });
    logger.error({ ...ids, messageId, error: loaded }, "activation batch failed");
    return { status: "failed", sent: 0, accepted: 0, invalid: 0 };
  }
  const rows = loaded.rows;
  let results: MetaBatchResult[];
  try {
    results = await deps.meta.send(
      pointer.op,
      pointer.audienceId,
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
      await record({ ...failure, status: "retrying" });
      logger.warn(
        { ...ids, messageId, errorCode: error.label },
        "Meta unavailable: batch left for redelivery",
      );
      throw error;
    }
    const rejections = rows.flatMap((row) =>
      row.contactIds.map((contactId) => ({ contactId, reason: error.label })),
    );
    await writeRejections(deps, ids, rejections);
    await record({ ...failure, status: "failed" });
    logger.error(
      { ...ids, messageId, sent: rows.length, errorCode: error.label },
      "Meta refused the batch: recorded, retried by the next run",
    );
    return { status: "failed", sent: rows.length, accepted: 0, invalid: 0 };
  }

  const received = results.reduce((n, r) => n + r.numReceived, 0);
  const invalid = results.reduce((n, r) => n + r.numInvalidEntries, 0);
  const settled = settleBatch(rows, {
    received,
    invalid,
    invalidSamples: Object.assign({}, ...results.map((r) => r.invalidEntrySamples)),
  });
  const at = deps.clock.now();
  if (pointer.op === "add") {
    const accepted = settled.accepted.flatMap((row) =>
      row.contactIds.map((contactId) => ({ contactId, hash: row.hash })),
    );
    await addMembers(warehouse, {
      syncId: ids.syncId,
      runId: ids.runId,
      identifierType: loaded.schema,
      at,
      rows: accepted,
    });
  } else {
    await removeMembers(
      warehouse,
      ids.syncId,
      settled.accepted.map((row) => row.hash),
    );
  }
  await writeRejections(deps, ids, settled.rejections);
  const attempts = results.reduce((n, r) => n + r.attempts, 0);
  await record({
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
  logger.info({ ...ids, messageId, ...outcome, received, attempts }, "activation batch sent");
  return outcome;
}

async function loadBatch(
  store: ObjectStore,
  pointer: ActivationPointer,
): Promise<ActivationBatch | string> {
  if (pointer.key !== batchObjectKey(pointer.syncId, pointer.runId, pointer.op, pointer.batch)) {
    return `message points outside its batch's key (${pointer.key}): not read`;
  }
  const bytes = await store.get(pointer.key);
  if (!bytes) return `batch object ${pointer.key} is missing: the next run plans these rows again`;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    return `batch object ${pointer.key} is not JSON`;
  }
  const parsed = ActivationBatchSchema.safeParse(json);
  if (!parsed.success) {
    return `batch object ${pointer.key} does not match the batch contract (${parsed.error.issues[0]?.path.join(".")})`;
  }
  const batch = parsed.data;
  if (batch.runId !== pointer.runId || batch.op !== pointer.op || batch.batch !== pointer.batch) {
    return `batch object ${pointer.key} belongs to another batch than its message`;
  }
  return batch;
}

/** Rejections of one batch are written once, even when the batch is delivered again. */
async function writeRejections(
  deps: ActivateMetaDeps,
  ids: { syncId: string; runId: string; op: "add" | "remove"; batch: number },
  rejections: readonly Rejection[],
): Promise<void> {
  if (rejections.length === 0 || (await hasRejections(deps.warehouse, ids))) return;
  await recordRejections(
    deps.warehouse,
    { ...ids, stage: "send", at: deps.clock.now() },
    rejections,
  );
}
