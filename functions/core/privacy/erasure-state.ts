import { z } from "zod";
import type { ObjectStore } from "../../platform/ports.js";

/**
 * An erasure's progress, in the lake (`privacy/erasures/<id>.json`), so a killed or retried
 * erasure continues where it was. While it runs it holds the person's salted keys and contact
 * ids; once completed only counts remain.
 */
export const ERASURES_PREFIX = "privacy/erasures/";

export const ErasureStatusSchema = z.enum([
  /** Keys suppressed, person not yet resolved. */
  "started",
  /** Person resolved: keys and contact ids known. */
  "resolved",
  /** Lake and warehouse erased; destinations asked to remove; waiting for them. */
  "awaiting_destinations",
  "completed",
]);
export type ErasureStatus = z.infer<typeof ErasureStatusSchema>;

export const ErasureStateSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  origin: z.string(),
  status: ErasureStatusSchema,
  requestedAt: z.string(),
  updatedAt: z.string(),
  deep: z.boolean(),
  keys: z.array(z.string()),
  contactIds: z.array(z.string()),
  /** Removed per location so far (see the report). */
  removed: z.record(z.string(), z.number()),
  lake: z.object({ read: z.number(), rewritten: z.number(), deleted: z.number() }),
  suppressionKeysAdded: z.number(),
  /**
   * Lake objects the erasure found holding the person, saved before any is changed: once a raw
   * object's rows are deleted, the raw table no longer points at it, so a retry after a crash
   * must know it from here.
   */
  objects: z.array(z.string()).default([]),
  removalsRequestedAt: z.string().optional(),
  completedAt: z.string().optional(),
});
export type ErasureState = z.infer<typeof ErasureStateSchema>;

export function stateKey(id: string): string {
  return `${ERASURES_PREFIX}${id}.json`;
}

export async function readState(store: ObjectStore, id: string): Promise<ErasureState | undefined> {
  const bytes = await store.get(stateKey(id));
  if (!bytes) return undefined;
  const parsed = ErasureStateSchema.safeParse(JSON.parse(Buffer.from(bytes).toString("utf8")));
  if (!parsed.success) {
    throw new Error(
      `erasure state ${stateKey(id)} cannot be read (${parsed.error.issues[0]?.path.join(".")}): run the erasure again with the same identifiers`,
    );
  }
  return parsed.data;
}

export async function saveState(store: ObjectStore, state: ErasureState): Promise<void> {
  await store.put(stateKey(state.id), JSON.stringify(state), { contentType: "application/json" });
}

/** Erasures not completed yet, oldest first. */
export async function unfinishedErasures(store: ObjectStore): Promise<ErasureState[]> {
  const states: ErasureState[] = [];
  for (const object of await store.list(ERASURES_PREFIX)) {
    const id = object.key.slice(ERASURES_PREFIX.length).replace(/\.json$/, "");
    const state = await readState(store, id);
    if (state && state.status !== "completed") states.push(state);
  }
  return states.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
}
