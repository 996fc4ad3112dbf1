import type { ActivationBatch } from "./batches.js";
import type { PendingChanges } from "./diff.js";

/**
 * What a new plan does with the batches of earlier runs that are not settled (their message was
 * lost in a crash, dead-lettered, or is still on its way). Each batch is either
 * - **resumed**: every row still agrees with the target (an add still wanted with the same
 *   payload, a remove still unwanted), so the very same batch object is sent again under its run's upload session; the
 *   destination sees the same upload, and the new diff counts these changes as done; or
 * - **taken over**: some row contradicts the target (the contact withdrew consent after the add
 *   was planned, or came back after the remove). Sending it late could undo a newer decision,
 *   so it is closed as superseded and the new diff treats its rows as "may or may not have
 *   happened": a withdrawn contact's remove is sent now, whatever the old add did.
 * Pure: the handler loads the batch objects and records the outcome.
 */

export interface PendingBatch {
  readonly key: string;
  readonly batch: ActivationBatch;
}

export interface PendingPartition {
  readonly resume: readonly PendingBatch[];
  readonly takeOver: readonly PendingBatch[];
  readonly changes: PendingChanges;
}

export function partitionPending(
  pending: readonly PendingBatch[],
  wanted: ReadonlyMap<string, { readonly digest?: string }>,
): PendingPartition {
  const resume: PendingBatch[] = [];
  const takeOver: PendingBatch[] = [];
  const willAdd = new Map<string, string[]>();
  const willRemove = new Map<string, string[]>();
  const mayHaveAdded = new Map<string, string[]>();
  const mayHaveRemoved = new Map<string, string[]>();
  for (const item of pending) {
    const { op, rows } = item.batch;
    // An add agrees when the key is still wanted with the same payload (a stale payload, e.g.
    // an old consent state, is not resent); a remove when the key is not wanted any more.
    const agrees = rows.every((row) => {
      const now = wanted.get(row.hash);
      if (op === "remove") return now === undefined;
      return now !== undefined && (row.digest === undefined || row.digest === now.digest);
    });
    (agrees ? resume : takeOver).push(item);
    const into = agrees
      ? op === "add"
        ? willAdd
        : willRemove
      : op === "add"
        ? mayHaveAdded
        : mayHaveRemoved;
    for (const row of rows) into.set(row.hash, [...(into.get(row.hash) ?? []), ...row.contactIds]);
  }
  return { resume, takeOver, changes: { willAdd, willRemove, mayHaveAdded, mayHaveRemoved } };
}
