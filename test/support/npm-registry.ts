import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { type ToolLookup, toolsRequired } from "./external-tools.js";

/**
 * The npm registry, treated like a test tool (see external-tools.ts): tests that install what
 * the cloud installs (the staged function source, the Dataform CLI) need it. Unreachable on a
 * laptop: they skip with a visible `[skip]` line; under `UNISTACK_REQUIRE_TOOLS=1` (CI) they fail.
 */
let reachable: string | undefined | null = null;

export function requireNpmRegistry(what: string): ToolLookup {
  if (reachable === null) {
    // No retries and a short timeout: an offline laptop should not wait a minute to skip.
    const ping = spawnSync("npm", ["ping", "--fetch-retries=0", "--fetch-timeout=20000"], {
      encoding: "utf8",
      timeout: 30_000,
    });
    reachable =
      ping.status === 0
        ? undefined
        : `npm registry unreachable (npm ping: ${(ping.stderr ?? ping.error?.message ?? "").trim().split("\n").at(-1)})`;
  }
  if (reachable === undefined) return { ok: true, path: "npm" };
  const reason = `${reachable}: skipping ${what}`;
  if (toolsRequired()) throw new Error(`UNISTACK_REQUIRE_TOOLS=1 and ${reason}`);
  console.warn(`[skip] ${reason}`);
  return { ok: false, reason };
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a command to completion (asynchronously, so the test's timers keep running). */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 300_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) });
    });
  });
}

/** npm with the noise off; the same npm the suite runs under (`npm test`). */
export function npm(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<RunResult> {
  return run("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd,
    env: { ...process.env, npm_config_update_notifier: "false", ...env },
  });
}

/** Kills a child process started by a test and waits for it to be gone. */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await gone;
  clearTimeout(timer);
}

/** Installed packages under `dir/node_modules` (nested ones included) and their size in bytes. */
export async function installedPackages(dir: string): Promise<{ count: number; bytes: number }> {
  let count = 0;
  const modules = async (path: string): Promise<void> => {
    let entries: string[];
    try {
      entries = await readdir(path);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith(".")) continue;
      if (entry.startsWith("@")) {
        for (const scoped of await readdir(join(path, entry))) {
          count++;
          await modules(join(path, entry, scoped, "node_modules"));
        }
      } else {
        count++;
        await modules(join(path, entry, "node_modules"));
      }
    }
  };
  await modules(join(dir, "node_modules"));
  return { count, bytes: await treeSize(join(dir, "node_modules")) };
}

async function treeSize(path: string): Promise<number> {
  const info = await lstat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path)) total += await treeSize(join(path, entry));
  return total;
}
