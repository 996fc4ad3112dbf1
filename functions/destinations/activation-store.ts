import {
  type ActivationBatch,
  ActivationBatchSchema,
  batchObjectKey,
  MEMBERSHIP_OPS,
  type MembershipOp,
} from "../core/activation/batches.js";
import type { PendingBatch } from "../core/activation/resume.js";
import type { ObjectStore } from "../platform/ports.js";

/**
 * Batch objects in the store (`activation/<sync>/<run>/<op>-<n>.json`): written by the planner
 * before it records the run, read by activate-<destination>, and read again by a later plan to
 * resume the batches of a run that did not finish. Hashes: pseudonymous personal data.
 */

export interface BatchIdentity {
  readonly syncId: string;
  readonly runId: string;
  readonly op: MembershipOp;
  readonly batch: number;
}

/** The batch, or why it cannot be used (the message never names a row). */
export async function loadBatchObject(
  store: ObjectStore,
  id: BatchIdentity,
  key = batchObjectKey(id.syncId, id.runId, id.op, id.batch),
): Promise<ActivationBatch | string> {
  if (key !== batchObjectKey(id.syncId, id.runId, id.op, id.batch)) {
    return `message points outside its batch's key (${key}): not read`;
  }
  const bytes = await store.get(key);
  if (!bytes) return `batch object ${key} is missing: the next run plans these rows again`;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    return `batch object ${key} is not JSON`;
  }
  const parsed = ActivationBatchSchema.safeParse(json);
  if (!parsed.success) {
    return `batch object ${key} does not match the batch contract (${parsed.error.issues[0]?.path.join(".")})`;
  }
  const batch = parsed.data;
  if (
    batch.syncId !== id.syncId ||
    batch.runId !== id.runId ||
    batch.op !== id.op ||
    batch.batch !== id.batch
  ) {
    return `batch object ${key} belongs to another batch than its message`;
  }
  return batch;
}

export interface RunBatches {
  /** Batches of the run not settled yet, with their objects. */
  readonly pending: PendingBatch[];
  /** Unsettled batches whose object is unusable: key → why. */
  readonly unusable: ReadonlyArray<{ readonly id: BatchIdentity; readonly reason: string }>;
  /** Batches the run planned that are neither settled nor in the store. */
  readonly missing: number;
}

/** The run's batches that still need an outcome, read back from the store. */
export async function unsettledBatches(
  store: ObjectStore,
  run: { syncId: string; runId: string; batches: number },
  settled: ReadonlyArray<{ op: MembershipOp; batch: number }>,
): Promise<RunBatches> {
  const done = new Set(settled.map((b) => `${b.op}-${b.batch}`));
  const pending: PendingBatch[] = [];
  const unusable: Array<{ id: BatchIdentity; reason: string }> = [];
  const known = new Set(done);
  const prefix = `activation/${run.syncId}/${run.runId}/`;
  for (const object of await store.list(prefix)) {
    const match = /^(add|remove)-(\d+)\.json$/.exec(object.key.slice(prefix.length));
    const op = MEMBERSHIP_OPS.find((o) => o === match?.[1]);
    if (!match || !op) continue;
    const id = { syncId: run.syncId, runId: run.runId, op, batch: Number(match[2]) };
    known.add(`${op}-${id.batch}`);
    if (done.has(`${op}-${id.batch}`)) continue;
    const loaded = await loadBatchObject(store, id);
    if (typeof loaded === "string") unusable.push({ id, reason: loaded });
    else pending.push({ key: object.key, batch: loaded });
  }
  return { pending, unusable, missing: Math.max(0, run.batches - known.size) };
}
