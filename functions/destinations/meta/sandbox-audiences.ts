import { readFile } from "node:fs/promises";
import { z } from "zod";
import { writeFileAtomic } from "../../platform/local/atomic-file.js";

/**
 * The audiences a local Meta sandbox holds: per audience, the set of hashed emails and phones.
 * Optionally persisted to a JSON file so the audience survives across processes (the demo runs
 * twice); every change is on disk before the sandbox answers, as Meta's answer means "received".
 */

export type AudienceKey = "EMAIL" | "PHONE";

const StateFileSchema = z.object({
  version: z.literal(1),
  audiences: z.record(
    z.string(),
    z.object({ EMAIL: z.array(z.string()), PHONE: z.array(z.string()) }),
  ),
});

export interface AudienceStore {
  has(audienceId: string): boolean;
  /** Creates an empty audience (no-op when it exists). */
  create(audienceId: string): Promise<void>;
  /** The audience's members under `key`, sorted. Throws for an unknown audience. */
  members(audienceId: string, key?: AudienceKey): string[];
  add(audienceId: string, key: AudienceKey, values: readonly string[]): Promise<void>;
  remove(audienceId: string, key: AudienceKey, values: readonly string[]): Promise<void>;
  /** Resolves when every change so far is on disk. */
  flush(): Promise<void>;
}

type Members = Record<AudienceKey, Set<string>>;

export async function openAudienceStore(
  options: { statePath?: string | undefined; audiences?: readonly string[] | undefined } = {},
): Promise<AudienceStore> {
  const audiences = new Map<string, Members>();
  const statePath = options.statePath;
  if (statePath) {
    for (const [id, members] of Object.entries(await readState(statePath))) {
      audiences.set(id, { EMAIL: new Set(members.EMAIL), PHONE: new Set(members.PHONE) });
    }
  }
  let writes: Promise<void> = Promise.resolve();
  const persist = (): Promise<void> => {
    if (!statePath) return Promise.resolve();
    const snapshot = serialize(audiences);
    writes = writes.then(() => writeState(statePath, snapshot));
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
    async add(id, key, values) {
      const set = audience(id)[key];
      for (const value of values) set.add(value);
      await persist();
    },
    async remove(id, key, values) {
      const set = audience(id)[key];
      for (const value of values) set.delete(value);
      await persist();
    },
    flush: () => writes,
  };
  for (const id of options.audiences ?? []) await store.create(id);
  return store;
}

function serialize(audiences: Map<string, Members>): string {
  const out: z.infer<typeof StateFileSchema> = { version: 1, audiences: {} };
  for (const [id, members] of audiences) {
    out.audiences[id] = { EMAIL: [...members.EMAIL].sort(), PHONE: [...members.PHONE].sort() };
  }
  return `${JSON.stringify(out)}\n`;
}

async function readState(path: string): Promise<z.infer<typeof StateFileSchema>["audiences"]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
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
  return parsed.data.audiences;
}

/** temp + fsync + rename: the sandbox answers only once the change survives a `kill -9`. */
function writeState(path: string, body: string): Promise<void> {
  return writeFileAtomic(path, body);
}
