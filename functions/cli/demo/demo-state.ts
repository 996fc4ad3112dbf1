import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { removeStaleTempFiles, writeFileAtomic } from "../../platform/local/atomic-file.js";
import { LOCAL_SALT_FILE } from "../../platform/local/privacy-salt.js";
import { LOCK_FILE } from "./state-lock.js";

/** What the demo remembers between runs, in `<dir>/demo-state.json`. */
export const DemoStateSchema = z.object({
  version: z.literal(1),
  seed: z.number().int(),
  contacts: z.number().int().positive(),
  /** Time anchor of the synthetic scenario: fixed at run 1 so later runs continue the story. */
  anchor: z.iso.datetime(),
  runs: z.number().int().nonnegative(),
  metaAudienceId: z.string().regex(/^\d+$/),
});
export type DemoState = z.infer<typeof DemoStateSchema>;

export const DEMO_STATE_FILE = "demo-state.json";

/** A state file that cannot be read as a demo state: the message names it and the way out. */
export class CorruptStateError extends Error {
  override readonly name = "CorruptStateError";
}

export async function readDemoState(dir: string): Promise<DemoState | undefined> {
  const path = join(dir, DEMO_STATE_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new CorruptStateError(corruptMessage(path, dir, `it is not JSON (${why})`));
  }
  const parsed = DemoStateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const why = `${issue?.path.join(".") || "file"}: ${issue?.message ?? "unexpected shape"}`;
    throw new CorruptStateError(
      corruptMessage(path, dir, `it is not a demo state this version understands (${why})`),
    );
  }
  return parsed.data;
}

function corruptMessage(path: string, dir: string, why: string): string {
  return `${path} cannot be read: ${why}. It holds the scenario's seed, size, time anchor and finished runs; without it the data in ${dir} cannot be continued. Start over with \`unistack demo --fresh --dir ${dir}\` (deletes the lake, warehouse and sandbox state there), or restore the file from a backup.`;
}

/** Written atomically: a run killed while saving leaves the previous state, never half a file. */
export async function writeDemoState(dir: string, state: DemoState): Promise<void> {
  await writeFileAtomic(join(dir, DEMO_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * Clears what a killed run can leave half-done: temporary files of atomic writes (state, sandbox)
 * and partial objects in the lake's staging folder. Only under the state folder's lock, when no
 * other process writes there. Returns how many files were removed.
 */
export async function removeLeftovers(dir: string): Promise<number> {
  let removed = (await removeStaleTempFiles(dir)).length;
  // A run killed while taking the lock leaves its draft (or a stale lock moved aside).
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith(`${LOCK_FILE}.`) && /\.(draft|stale)$/.test(name)) {
      await rm(join(dir, name), { force: true });
      removed++;
    }
  }
  removed += (await removeStaleTempFiles(join(dir, "sandbox"))).length;
  // The folder object store writes `<lake>/.tmp/<random>.part`, then links or renames it.
  const staging = join(dir, "lake", ".tmp");
  let parts: string[] = [];
  try {
    parts = (await readdir(staging)).filter((name) => name.endsWith(".part"));
  } catch {
    // no lake yet
  }
  for (const name of parts) await rm(join(staging, name), { force: true });
  return removed + parts.length;
}

/** Removes everything a previous demo left in `dir` (lake, warehouse, sandbox state), not the lock. */
export async function wipeDemoDir(dir: string): Promise<void> {
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    if (entry === LOCK_FILE) continue;
    if (
      ["lake", "sandbox", DEMO_STATE_FILE, LOCAL_SALT_FILE].includes(entry) ||
      entry.startsWith("warehouse.duckdb")
    ) {
      await rm(join(dir, entry), { recursive: true, force: true });
    }
  }
}
