import { randomBytes } from "node:crypto";
import { ACTIVATE_TOPICS, type ActivationPointer } from "../core/activation/batches.js";
import type { EventBus } from "../platform/ports.js";
import type { PlannedBatch } from "./plan-activation.js";

/**
 * Publishes pointers on their destination's topic (`activate-<destination>`). A bus failure
 * leaves the run open (the next plan resumes it from durable state) and says so.
 */
export async function publishAll(
  deps: { readonly bus: EventBus },
  pointers: readonly ActivationPointer[],
  context: { syncId: string; runId: string },
): Promise<PlannedBatch[]> {
  const published: PlannedBatch[] = [];
  try {
    for (const pointer of pointers) {
      const messageId = await deps.bus.publish(ACTIVATE_TOPICS[pointer.destination], {
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
export function newRunId(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}
