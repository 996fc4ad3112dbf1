import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../functions/cli/options.js";
import { createDuckDbWarehouse } from "../../functions/platform/local/duckdb-warehouse.js";

/**
 * Failures are loud: `unistack demo` run as a user runs it, against a destination that refuses
 * the token or never stops answering 429. The run exits non-zero, says what failed and what to
 * do, leaves a final status in ops (never "planned") and is not counted as finished; once the
 * destination is fine, the same command finishes it.
 */

const repoRoot = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
const CONTACTS = "80";

interface Result {
  code: number;
  out: string;
  err: string;
}

async function demo(dir: string, ...extra: string[]): Promise<Result> {
  const args = ["bin/unistack.js", "demo", "--contacts", CONTACTS, "--seed", "0", "--dir", dir];
  try {
    const { stdout, stderr } = await run(process.execPath, [...args, ...extra], {
      cwd: repoRoot,
      timeout: 180_000,
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: e.stdout ?? "", err: e.stderr ?? "" };
  }
}

async function opsRuns(dir: string): Promise<{ open: number; statuses: string[] }> {
  const warehouse = await createDuckDbWarehouse({ path: join(dir, "warehouse.duckdb") });
  try {
    const latest = await warehouse.query<{ status: string }>(
      `SELECT status FROM ops.sync_runs r WHERE recorded_at = (SELECT MAX(recorded_at) FROM ops.sync_runs f WHERE f.run_id = r.run_id) ORDER BY recorded_at`,
    );
    return {
      open: latest.filter((r) => r.status === "planned").length,
      statuses: latest.map((r) => r.status),
    };
  } finally {
    await warehouse.close();
  }
}

async function finishedRuns(dir: string): Promise<number> {
  return (JSON.parse(await readFile(join(dir, "demo-state.json"), "utf8")) as { runs: number })
    .runs;
}

async function audience(dir: string): Promise<number> {
  const state = JSON.parse(await readFile(join(dir, "sandbox", "meta-audiences.json"), "utf8"));
  // Sandbox state file v2: one held row of hashed keys per member.
  return (Object.values(state.audiences)[0] as { rows: unknown[] }).rows.length;
}

describe("unistack demo when the destination fails", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "unistack-fail-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("exits 4 with what failed and what to do when Meta refuses the token, and leaves the run failed in ops", async () => {
    const r = await demo(join(dir, "token"), "--rehearse-failure", "meta-bad-token");
    expect(r.code).toBe(EXIT.activationIncomplete);
    expect(r.err).toContain(
      "the Meta audience sync did not complete (run 1 is not recorded as finished)",
    );
    expect(r.err).toContain("Check META_ACCESS_TOKEN: it is missing, expired or revoked");
    expect(r.err).toContain("What to do:");
    expect(await opsRuns(join(dir, "token"))).toEqual({ open: 0, statuses: ["failed"] });
    expect(await finishedRuns(join(dir, "token"))).toBe(0);
    expect(await audience(join(dir, "token"))).toBe(0);
  });

  it("finishes the same run once the destination takes the token again", async () => {
    const r = await demo(join(dir, "token"));
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain("Unistack demo: run 1 done");
    expect((await opsRuns(join(dir, "token"))).statuses).toEqual(["failed", "succeeded"]);
    expect(await finishedRuns(join(dir, "token"))).toBe(1);
    expect(await audience(join(dir, "token"))).toBeGreaterThan(0);
  });

  it("exits 4 when Meta answers 429 without end, with no dead letter and no run left planned", async () => {
    const r = await demo(join(dir, "429"), "--rehearse-failure", "meta-rate-limit");
    expect(r.code).toBe(EXIT.activationIncomplete);
    expect(r.err).toMatch(/did not take the batch in 5 deliveries.*HTTP 429, Graph code 17/);
    expect(r.out).not.toContain("dead-lettered");
    expect(await opsRuns(join(dir, "429"))).toEqual({ open: 0, statuses: ["failed"] });
  });

  it("refuses a second run in the same folder while the first runs, naming its pid (exit 3), and takes over once it was killed", async () => {
    const folder = join(dir, "lock");
    // A process that holds the folder's lock the way a running demo does, for as long as needed.
    const holder: ChildProcess = spawn(
      process.execPath,
      ["--import", "tsx", "test/e2e/fixtures/hold-lock.ts", folder],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((ready) => holder.stdout?.once("data", () => ready()));
    const exited = new Promise((r) => holder.on("exit", r));
    try {
      const second = await demo(folder);
      expect(second.code).toBe(EXIT.locked);
      expect(second.err).toContain(`another unistack run is using ${folder}: pid ${holder.pid}`);
      expect(second.err).toContain(`delete ${join(folder, "unistack.lock")}`);
    } finally {
      holder.kill("SIGKILL");
      await exited;
    }
    const third = await demo(folder);
    expect(third.code).toBe(EXIT.ok);
    expect(third.out).toContain(`took over the lock of pid ${holder.pid}`);
  });
});
