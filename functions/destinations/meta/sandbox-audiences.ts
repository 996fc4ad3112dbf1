import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { writeFileAtomic } from "../../platform/local/atomic-file.js";

/**
 * The audiences a local Meta sandbox holds: per audience, the set of hashed emails and phones,
 * and a journal of the uploads it applied (no values: session, sequence, counts, a digest).
 * Optionally persisted to a JSON file so the audience survives across processes (the demo runs
 * twice, and is killed in the crash test); every change is on disk, audience and journal in one
 * atomic write, before the sandbox answers, as Meta's answer means "received".
 */

export type AudienceKey = "EMAIL" | "PHONE";

/** One applied users-edge call, as the journal keeps it. */
export const UploadRecordSchema = z.object({
  audienceId: z.string(),
  op: z.enum(["add", "remove"]),
  sessionId: z.number().nullable(),
  batchSeq: z.number().nullable(),
  /** Valid values in the call. */
  rows: z.number().int(),
  /** Values that changed the audience (added when absent, removed when present). */
  changed: z.number().int(),
  /** SHA-256 of the call's sorted values: tells a resend of the same batch from another batch. */
  digest: z.string(),
});
export type UploadRecord = z.infer<typeof UploadRecordSchema>;

const StateFileSchema = z.object({
  version: z.literal(1),
  audiences: z.record(
    z.string(),
    z.object({ EMAIL: z.array(z.string()), PHONE: z.array(z.string()) }),
  ),
  uploads: z.array(UploadRecordSchema).default([]),
});
type StateFile = z.infer<typeof StateFileSchema>;

export interface UploadSessionRef {
  readonly sessionId: number;
  readonly batchSeq: number;
}

export interface AudienceStore {
  has(audienceId: string): boolean;
  /** Creates an empty audience (no-op when it exists). */
  create(audienceId: string): Promise<void>;
  /** The audience's members under `key`, sorted. Throws for an unknown audience. */
  members(audienceId: string, key?: AudienceKey): string[];
  /** Applies an add or remove and journals it; resolves once both are on disk. */
  apply(
    op: "add" | "remove",
    audienceId: string,
    key: AudienceKey,
    values: readonly string[],
    session?: UploadSessionRef,
  ): Promise<UploadRecord>;
  /** Every upload applied so far, oldest first (across restarts when persisted). */
  uploads(): readonly UploadRecord[];
  /** Resolves when every change so far is on disk. */
  flush(): Promise<void>;
}

type Members = Record<AudienceKey, Set<string>>;

export async function openAudienceStore(
  options: { statePath?: string | undefined; audiences?: readonly string[] | undefined } = {},
): Promise<AudienceStore> {
  const audiences = new Map<string, Members>();
  const journal: UploadRecord[] = [];
  const statePath = options.statePath;
  if (statePath) {
    const state = await readState(statePath);
    for (const [id, members] of Object.entries(state.audiences)) {
      audiences.set(id, { EMAIL: new Set(members.EMAIL), PHONE: new Set(members.PHONE) });
    }
    journal.push(...state.uploads);
  }
  let writes: Promise<void> = Promise.resolve();
  const persist = (): Promise<void> => {
    if (!statePath) return Promise.resolve();
    const snapshot = serialize(audiences, journal);
    writes = writes.then(() => writeFileAtomic(statePath, snapshot));
    return writes;
  };
  const audience = (id: string): Members => {
    const found = audiences.get(id);
    if (!found) throw new Error(`sandbox audience ${id} does not exist: create it first`);
    return found;
  };

  const store: AudienceStore = {
    has: (id) => audiences.has(id),
    async create(id) {
      if (audiences.has(id)) return;
      audiences.set(id, { EMAIL: new Set(), PHONE: new Set() });
      await persist();
    },
    members: (id, key = "EMAIL") => [...audience(id)[key]].sort(),
    async apply(op, id, key, values, session) {
      const set = audience(id)[key];
      let changed = 0;
      for (const value of values) {
        if (op === "add" && !set.has(value)) {
          set.add(value);
          changed++;
        } else if (op === "remove" && set.delete(value)) {
          changed++;
        }
      }
      const record: UploadRecord = {
        audienceId: id,
        op,
        sessionId: session?.sessionId ?? null,
        batchSeq: session?.batchSeq ?? null,
        rows: values.length,
        changed,
        digest: createHash("sha256")
          .update([...values].sort().join("\n"))
          .digest("hex"),
      };
      journal.push(record);
      await persist();
      return record;
    },
    uploads: () => journal,
    flush: () => writes,
  };
  for (const id of options.audiences ?? []) await store.create(id);
  return store;
}

function serialize(audiences: Map<string, Members>, uploads: readonly UploadRecord[]): string {
  const out: StateFile = { version: 1, audiences: {}, uploads: [...uploads] };
  for (const [id, members] of audiences) {
    out.audiences[id] = { EMAIL: [...members.EMAIL].sort(), PHONE: [...members.PHONE].sort() };
  }
  return `${JSON.stringify(out)}\n`;
}

async function readState(path: string): Promise<StateFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      return { version: 1, audiences: {}, uploads: [] };
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    json = error;
  }
  const parsed = StateFileSchema.safeParse(json);
  if (!parsed.success) {
    const why =
      json instanceof Error ? `not JSON: ${json.message}` : parsed.error.issues[0]?.message;
    throw new Error(
      `Meta sandbox state ${path} cannot be read (${why}): it holds the local Meta audience, which must agree with the sync log in ops.sync_members. Restore it from a backup, or start the demo over with \`unistack demo --fresh\``,
    );
  }
  return parsed.data;
}
