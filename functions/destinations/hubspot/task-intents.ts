import { z } from "zod";
import type { ObjectStore } from "../../platform/ports.js";

/**
 * The lookup ledger of HubSpot task creations (docs/decisions.md, "HubSpot tasks exactly once").
 * HubSpot takes no idempotency key on a create, and its search index lags a create by seconds:
 * a task created just before a crash may not be found yet by the retry's search. So before a
 * create, an *intent* is written for each task key, create-if-absent, at
 * `activation/_task-intents/<sync>/<key>/<attempt>.json` (its own prefix, so
 * activate-hubspot may create objects there and nowhere else); a retry that does not find the key by
 * search and finds a recent intent waits for the index instead of creating again. An intent
 * older than the search lag whose key search still does not find was never created: the next
 * attempt writes a new intent and creates. Objects only (no warehouse table): create-if-absent
 * makes two concurrent deliveries of one batch agree on who creates.
 */

const IntentSchema = z.object({
  key: z.string().regex(/^[0-9a-f]{64}$/),
  runId: z.string(),
  intendedAt: z.iso.datetime(),
});

export interface TaskIntent {
  readonly attempt: number;
  readonly intendedAt: Date;
}

const prefixOf = (syncId: string, key: string) => `activation/_task-intents/${syncId}/${key}/`;

/** The latest intent of a task key, or `undefined` when none was ever written. */
export async function latestIntent(
  store: ObjectStore,
  syncId: string,
  key: string,
): Promise<TaskIntent | undefined> {
  const objects = await store.list(prefixOf(syncId, key));
  let latest: TaskIntent | undefined;
  for (const object of objects) {
    const attempt = Number(/\/(\d+)\.json$/.exec(object.key)?.[1] ?? Number.NaN);
    if (!Number.isSafeInteger(attempt) || (latest && latest.attempt >= attempt)) continue;
    const bytes = await store.get(object.key);
    const parsed = bytes
      ? IntentSchema.safeParse(JSON.parse(Buffer.from(bytes).toString("utf8")))
      : undefined;
    // An unreadable intent still says "someone was about to create": count it, as of now.
    latest = {
      attempt,
      intendedAt: parsed?.success ? new Date(parsed.data.intendedAt) : new Date(),
    };
  }
  return latest;
}

/**
 * Writes intent `attempt` for a key; `false` when another delivery wrote that attempt first
 * (it creates the task: this one must not).
 */
export async function writeIntent(
  store: ObjectStore,
  input: { syncId: string; key: string; attempt: number; runId: string; at: Date },
): Promise<boolean> {
  const body = JSON.stringify({
    key: input.key,
    runId: input.runId,
    intendedAt: input.at.toISOString(),
  });
  const result = await store.put(
    `${prefixOf(input.syncId, input.key)}${input.attempt}.json`,
    body,
    {
      contentType: "application/json",
      ifAbsent: true,
    },
  );
  return result.created;
}
