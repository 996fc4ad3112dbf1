import { ActivationPointerSchema } from "../core/activation/batches.js";
import { ensureSyncTables, hasTerminalBatch } from "../destinations/sync-ledger.js";
import { recordBatch } from "../destinations/sync-log.js";
import { settleRunById } from "../destinations/sync-runs.js";
import { type CloudEvent, decodePubsubJson } from "../platform/cloudevents.js";
import type { ActivateMetaDeps } from "./activate-meta.js";

/**
 * For a delivery the bus gave up on (local dead letter): records its batch as failed so the run
 * gets a final status, unless the batch was settled meanwhile.
 */
export async function settleDeadLetteredActivation(
  deps: Pick<ActivateMetaDeps, "warehouse" | "clock" | "logger">,
  event: CloudEvent<unknown>,
  error: string,
): Promise<boolean> {
  const parsed = ActivationPointerSchema.safeParse(decodePubsubJson(event).data);
  if (!parsed.success) return false;
  const { syncId, runId, op, batch, key } = parsed.data;
  const ids = { syncId, runId, op, batch };
  await ensureSyncTables(deps.warehouse);
  if (await hasTerminalBatch(deps.warehouse, ids)) return false;
  await recordBatch(deps.warehouse, {
    ...ids,
    messageId: event.id,
    objectKey: key,
    sent: 0,
    received: null,
    accepted: 0,
    invalid: null,
    attempts: 0,
    status: "failed",
    errorCode: "dead_lettered",
    error: `the delivery was dead-lettered after its last attempt (${error}); the rows stay in the next run's diff`,
    recordedAt: deps.clock.now(),
  });
  await settleRunById(deps.warehouse, deps.clock, runId);
  deps.logger.error({ ...ids, messageId: event.id }, "activation batch dead-lettered");
  return true;
}
