import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { writeFileAtomic } from "../../platform/local/atomic-file.js";

/**
 * The audiences a local Meta sandbox holds, and a journal of the uploads it applied (no values:
 * session, sequence, counts, a digest). A member is one uploaded row of hashed keys (`{EMAIL}`
 * for a single-key upload, `{EMAIL, PHONE, FN, …}` for a multi-key one). Meta holds people, not
 * rows: a remove takes out every held row that shares an email or phone value with a removed
 * row (the people it matches), so a member re-sent with a new phone is removed whole.
 * Optionally persisted to a JSON file so the audience survives across processes (the demo runs
 * twice, and is killed in the crash test); every change is on disk, audience and journal in one
 * atomic write, before the sandbox answers, as Meta's answer means "received".
 */

export type AudienceKey = "EMAIL" | "PHONE";
/** One held row: Meta key name → SHA-256 hex. */
export type MemberRow = Readonly<Record<string, string>>;

/** Keys that identify a person (a match on one of them is a match on the person). */
const PERSON_KEYS = ["EMAIL", "PHONE"] as const;

/** One applied users-edge call, as the journal keeps it. */
export const UploadRecordSchema = z.object({
  audienceId: z.string(),
  op: z.enum(["add", "remove"]),
  sessionId: z.number().nullable(),
  batchSeq: z.number().nullable(),
  /** Valid rows in the call. */
  rows: z.number().int(),
  /** Rows that changed the audience (added when absent, held rows removed). */
  changed: z.number().int(),
  /** SHA-256 of the call's sorted rows: tells a resend of the same batch from another batch. */
  digest: z.string(),
});
export type UploadRecord = z.infer<typeof UploadRecordSchema>;

const RowSchema = z.record(z.string(), z.string());
const StateFileSchema = z.union([
  z.object({
    version: z.literal(2),
    audiences: z.record(z.string(), z.object({ rows: z.array(RowSchema) })),
    uploads: z.array(UploadRecordSchema).default([]),
  }),
  // Files of earlier versions held single-key values only.
  z
    .object({
      version: z.literal(1),
      audiences: z.record(
        z.string(),
        z.object({ EMAIL: z.array(z.string()), PHONE: z.array(z.string()) }),
      ),
      uploads: z.array(UploadRecordSchema).default([]),
    })
    .transform((v1) => ({
      version: 2 as const,
      audiences: Object.fromEntries(
        Object.entries(v1.audiences).map(([id, a]) => [
          id,
          { rows: [...a.EMAIL.map((h) => ({ EMAIL: h })), ...a.PHONE.map((h) => ({ PHONE: h }))] },
        ]),
      ),
      uploads: v1.uploads,
    })),
]);
type StateFile = z.output<typeof StateFileSchema>;

export interface UploadSessionRef {
  readonly sessionId: number;
  readonly batchSeq: number;
}

export interface AudienceStore {
  has(audienceId: string): boolean;
  /** Creates an empty audience (no-op when it exists). */
  create(audienceId: string): Promise<void>;
  /** The distinct values the audience holds under `key`, sorted. Throws for an unknown audience. */
  members(audienceId: string, key?: AudienceKey): string[];
  /** Every held row, sorted by its canonical form. */
  rows(audienceId: string): MemberRow[];
  /** Applies an add or remove of rows and journals it; resolves once both are on disk. */
  apply(
    op: "add" | "remove",
    audienceId: string,
    rows: readonly MemberRow[],
    session?: UploadSessionRef,
  ): Promise<UploadRecord>;
  /** Every upload applied so far, oldest first (across restarts when persisted). */
  uploads(): readonly UploadRecord[];
  /** Resolves when every change so far is on disk. */
  flush(): Promise<void>;
}

/** A row's canonical form: `EMAIL=…|PHONE=…`, keys sorted, empty values left out. */
function canonical(row: MemberRow): string {
  return Object.keys(row)
    .filter((k) => row[k] !== "")
    .sort()
    .map((k) => `${k}=${row[k]}`)
    .join("|");
}

class Audience {
  readonly byId = new Map<string, MemberRow>();
  /** PERSON_KEYS value → ids of rows holding it. */
  readonly index = new Map<string, Set<string>>();

  add(row: MemberRow): boolean {
    const id = canonical(row);
    if (id === "" || this.byId.has(id)) return false;
    this.byId.set(id, row);
    for (const ref of personRefs(row)) {
      const ids = this.index.get(ref) ?? new Set<string>();
      ids.add(id);
      this.index.set(ref, ids);
    }
    return true;
  }

  /** Removes the rows of the people `row` matches; answers how many rows went. */
  remove(row: MemberRow): number {
    const ids = new Set<string>();
    for (const ref of personRefs(row)) for (const id of this.index.get(ref) ?? []) ids.add(id);
    if (ids.size === 0 && this.byId.has(canonical(row))) ids.add(canonical(row));
    for (const id of ids) {
      const held = this.byId.get(id);
      if (!held) continue;
      this.byId.delete(id);
      for (const ref of personRefs(held)) this.index.get(ref)?.delete(id);
    }
    return ids.size;
  }
}

function personRefs(row: MemberRow): string[] {
  const refs: string[] = [];
  for (const key of PERSON_KEYS) {
    const value = row[key];
    if (value) refs.push(`${key}=${value}`);
  }
  return refs;
}

export async function openAudienceStore(
  options: { statePath?: string | undefined; audiences?: readonly string[] | undefined } = {},
): Promise<AudienceStore> {
  const audiences = new Map<string, Audience>();
  const journal: UploadRecord[] = [];
  const statePath = options.statePath;
  if (statePath) {
    const state = await readState(statePath);
    for (const [id, held] of Object.entries(state.audiences)) {
      const audience = new Audience();
      for (const row of held.rows) audience.add(row);
      audiences.set(id, audience);
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
  const audience = (id: string): Audience => {
    const found = audiences.get(id);
    if (!found) throw new Error(`sandbox audience ${id} does not exist: create it first`);
    return found;
  };

  const store: AudienceStore = {
    has: (id) => audiences.has(id),
    async create(id) {
      if (audiences.has(id)) return;
      audiences.set(id, new Audience());
      await persist();
    },
    members(id, key = "EMAIL") {
      const values = new Set<string>();
      for (const row of audience(id).byId.values()) {
        const value = row[key];
        if (value) values.add(value);
      }
      return [...values].sort();
    },
    rows: (id) =>
      [...audience(id).byId.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, r]) => r),
    async apply(op, id, rows, session) {
      const target = audience(id);
      let changed = 0;
      for (const row of rows)
        changed += op === "add" ? Number(target.add(row)) : target.remove(row);
      const record: UploadRecord = {
        audienceId: id,
        op,
        sessionId: session?.sessionId ?? null,
        batchSeq: session?.batchSeq ?? null,
        rows: rows.length,
        changed,
        digest: createHash("sha256").update(rows.map(canonical).sort().join("\n")).digest("hex"),
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

function serialize(audiences: Map<string, Audience>, uploads: readonly UploadRecord[]): string {
  const out: StateFile = { version: 2, audiences: {}, uploads: [...uploads] };
  for (const [id, audience] of audiences) {
    out.audiences[id] = {
      rows: [...audience.byId.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, r]) => r),
    };
  }
  return `${JSON.stringify(out)}\n`;
}

async function readState(path: string): Promise<StateFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      return { version: 2, audiences: {}, uploads: [] };
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
