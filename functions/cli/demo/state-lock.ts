import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rename, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../../platform/local/atomic-file.js";

/**
 * One run per state folder: `<dir>/unistack.lock` names the process holding it. It is created
 * complete (written to a temporary file, then hard-linked into place, which fails if a lock
 * exists), so no reader ever sees a half-written lock. A lock whose process is gone (the run was
 * killed) is taken over at once; liveness is the holder's pid, not a timer or a heartbeat.
 */

export const LOCK_FILE = "unistack.lock";

const HolderSchema = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  startedAt: z.string(),
  command: z.string(),
  token: z.string(),
});
type Holder = z.infer<typeof HolderSchema>;

export class StateLockedError extends Error {
  override readonly name = "StateLockedError";
}

export interface StateLock {
  readonly path: string;
  /** The pid of a killed run whose stale lock this run took over, if any. */
  readonly tookOverFrom: number | undefined;
  release(): Promise<void>;
}

export async function acquireStateLock(
  dir: string,
  options: { command: string; pid?: number },
): Promise<StateLock> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const me: Holder = {
    pid: options.pid ?? process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    command: options.command,
    token: randomBytes(8).toString("hex"),
  };
  let tookOverFrom: number | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await tryCreate(path, me)) {
      return { path, tookOverFrom, release: () => release(path, me.token) };
    }
    const holder = await readHolder(path);
    if (holder === "gone") continue;
    if (holder !== "unreadable" && isRunning(holder)) {
      throw new StateLockedError(lockedMessage(dir, path, holder));
    }
    if (holder !== "unreadable" && holder.hostname !== me.hostname) {
      throw new StateLockedError(lockedMessage(dir, path, holder));
    }
    // The holder was killed (or left a lock nobody can read): move it aside and try again.
    if (await takeOver(path, holder)) tookOverFrom = holder === "unreadable" ? 0 : holder.pid;
  }
  throw new StateLockedError(
    `could not take the lock ${path}: other runs keep starting in ${dir}. Run one at a time.`,
  );
}

async function tryCreate(path: string, me: Holder): Promise<boolean> {
  const draft = `${path}.${me.token}.draft`;
  await writeFileAtomic(draft, `${JSON.stringify(me)}\n`);
  try {
    await link(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await rm(draft, { force: true });
  }
}

async function readHolder(path: string): Promise<Holder | "gone" | "unreadable"> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
  try {
    const parsed = HolderSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : "unreadable";
  } catch {
    return "unreadable";
  }
}

function isRunning(holder: Holder): boolean {
  if (holder.hostname !== hostname()) return true; // cannot tell: assume it runs
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Moves a stale lock aside. If another starter replaced it in the meantime (its token differs
 * from the stale holder's), the moved file is put back and this attempt counts as lost.
 */
async function takeOver(path: string, stale: Holder | "unreadable"): Promise<boolean> {
  const aside = `${path}.${randomBytes(6).toString("hex")}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  const moved = await readHolder(aside);
  const same =
    stale === "unreadable"
      ? moved === "unreadable"
      : moved !== "gone" && moved !== "unreadable" && moved.token === stale.token;
  if (!same) {
    await link(aside, path).catch(() => undefined);
    await rm(aside, { force: true });
    return false;
  }
  await rm(aside, { force: true });
  return true;
}

async function release(path: string, token: string): Promise<void> {
  const holder = await readHolder(path);
  if (holder !== "gone" && holder !== "unreadable" && holder.token === token) {
    await rm(path, { force: true });
  }
}

function lockedMessage(dir: string, path: string, holder: Holder): string {
  const where = holder.hostname === hostname() ? "" : ` on ${holder.hostname}`;
  return `another unistack run is using ${dir}: pid ${holder.pid}${where}, "${holder.command}", started ${holder.startedAt}. Wait for it to finish or stop it (kill ${holder.pid}). If that process is not running any more, the lock is stale: delete ${path} and run again.`;
}
