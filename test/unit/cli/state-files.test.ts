import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CorruptStateError,
  readDemoState,
  removeLeftovers,
  writeDemoState,
} from "../../../functions/cli/demo/demo-state.js";
import {
  acquireStateLock,
  LOCK_FILE,
  StateLockedError,
} from "../../../functions/cli/demo/state-lock.js";
import { openAudienceStore } from "../../../functions/destinations/meta/sandbox-audiences.js";

const STATE = {
  version: 1 as const,
  seed: 0,
  contacts: 50,
  anchor: "2026-12-01T10:00:00.000Z",
  runs: 1,
  metaAudienceId: "23850000000000001",
};

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.pid"], { stdio: "ignore" });
  if (child.pid === undefined) throw new Error("could not start a child process");
  return child.pid;
}

async function writeLock(dir: string, pid: number, host = hostname()): Promise<void> {
  await writeFile(
    join(dir, LOCK_FILE),
    JSON.stringify({
      pid,
      hostname: host,
      startedAt: "2026-12-01T09:00:00.000Z",
      command: "unistack demo",
      token: "0123456789abcdef",
    }),
  );
}

describe("local state files", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "unistack-state-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("names the holder's pid and how to clear a stale lock when another run holds the folder", async () => {
    await writeLock(dir, process.pid);
    const error = await acquireStateLock(dir, { command: "unistack demo" }).catch((e) => e);
    expect(error).toBeInstanceOf(StateLockedError);
    expect(error.message).toContain(`another unistack run is using ${dir}: pid ${process.pid}`);
    expect(error.message).toContain(`kill ${process.pid}`);
    expect(error.message).toContain(`delete ${join(dir, LOCK_FILE)}`);
  });

  it("refuses a second run while the first holds the lock, and admits it after release", async () => {
    const first = await acquireStateLock(dir, { command: "unistack demo" });
    await expect(acquireStateLock(dir, { command: "unistack demo" })).rejects.toThrow(
      StateLockedError,
    );
    await first.release();
    const second = await acquireStateLock(dir, { command: "unistack demo" });
    expect(second.tookOverFrom).toBeUndefined();
    await second.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it("takes over the lock of a run that was killed, and says whose it was", async () => {
    const pid = deadPid();
    await writeLock(dir, pid);
    const lock = await acquireStateLock(dir, { command: "unistack demo" });
    expect(lock.tookOverFrom).toBe(pid);
    const holder = JSON.parse(await readFile(join(dir, LOCK_FILE), "utf8")) as { pid: number };
    expect(holder.pid).toBe(process.pid);
    await lock.release();
  });

  it("does not take over a lock held on another machine", async () => {
    await writeLock(dir, deadPid(), "some-other-host");
    await expect(acquireStateLock(dir, { command: "unistack demo" })).rejects.toThrow(
      /pid \d+ on some-other-host/,
    );
  });

  it("names the state file and the way out when it is not JSON", async () => {
    await writeFile(join(dir, "demo-state.json"), '{"version": 1, "seed": 4');
    const error = await readDemoState(dir).catch((e) => e);
    expect(error).toBeInstanceOf(CorruptStateError);
    expect(error.message).toContain(join(dir, "demo-state.json"));
    expect(error.message).toContain("it is not JSON");
    expect(error.message).toContain(`unistack demo --fresh --dir ${dir}`);
  });

  it("names the field when the state file has the wrong shape", async () => {
    await writeFile(join(dir, "demo-state.json"), JSON.stringify({ ...STATE, runs: -1 }));
    await expect(readDemoState(dir)).rejects.toThrow(/runs: .*--fresh/);
  });

  it("writes the state atomically: the new content, no temporary file left", async () => {
    await writeDemoState(dir, STATE);
    await writeDemoState(dir, { ...STATE, runs: 2 });
    expect(await readDemoState(dir)).toEqual({ ...STATE, runs: 2 });
    expect(await readdir(dir)).toEqual(["demo-state.json"]);
  });

  it("clears what a killed run left half-written, and nothing else", async () => {
    await writeDemoState(dir, STATE);
    await mkdir(join(dir, "sandbox"));
    await mkdir(join(dir, "lake", ".tmp"), { recursive: true });
    await mkdir(join(dir, "lake", "raw"), { recursive: true });
    const leftovers = [
      "demo-state.json.0a1b2c3d4e5f.tmp",
      "sandbox/meta-audiences.json.ffeeddccbbaa.tmp",
      "lake/.tmp/9f8e7d6c5b4a3210.part",
      `${LOCK_FILE}.0123456789abcdef.draft`,
    ];
    for (const file of leftovers) await writeFile(join(dir, file), "half");
    await writeFile(join(dir, "lake", "raw", "kept.ndjson"), "{}\n");

    expect(await removeLeftovers(dir)).toBe(leftovers.length);
    expect((await readdir(dir)).sort()).toEqual(["demo-state.json", "lake", "sandbox"]);
    expect(await readdir(join(dir, "lake", ".tmp"))).toEqual([]);
    expect(await readdir(join(dir, "lake", "raw"))).toEqual(["kept.ndjson"]);
    expect(await readDemoState(dir)).toEqual(STATE);
  });

  it("names the sandbox state file and the way out when it is corrupt", async () => {
    const path = join(dir, "meta-audiences.json");
    await writeFile(path, "{not json");
    await expect(openAudienceStore({ statePath: path })).rejects.toThrow(
      new RegExp(`${path} cannot be read \\(not JSON.*--fresh`),
    );
  });
});
