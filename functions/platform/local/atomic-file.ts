import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { mkdir, open, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Local state files that must survive a `kill -9`: a file is written to a temporary sibling,
 * fsync'ed, renamed over the target (atomic on POSIX file systems) and the folder fsync'ed, so
 * a reader finds the old content or the new one, never half of either. Temporary files are named
 * `<file>.<random>.tmp`; a process killed between write and rename leaves one behind, which
 * `removeStaleTempFiles` clears when the next run starts (under the state folder's lock).
 */

const TEMP_SUFFIX = ".tmp";

export async function writeFileAtomic(path: string, body: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `${basename(path)}.${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`);
  const handle = await open(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY);
  try {
    await handle.writeFile(body);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(tmp, path);
  await syncDir(dir);
}

/** Makes the rename itself durable: the folder entry is metadata of the folder. */
async function syncDir(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Some file systems (and Windows) cannot fsync a directory; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}

/**
 * Removes the temporary files `writeFileAtomic` left in `dir` (not recursive). Call only while
 * no other process writes there. Returns the names removed.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const stale = names.filter((name) => /\.[0-9a-f]{12}\.tmp$/.test(name));
  for (const name of stale) await rm(join(dir, name), { force: true });
  return stale;
}
