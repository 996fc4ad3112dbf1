import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";

/**
 * A server started as its own process, with its stdout (the structured log) and stderr kept,
 * and its resident memory readable while it runs.
 */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly url: string;
  stdout(): string;
  stderr(): string;
  /** Resident set size now, in bytes (`/proc` on Linux, `ps` elsewhere). */
  rss(): number | undefined;
  /** Peak resident set size since start, in bytes (Linux only). */
  peakRss(): number | undefined;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServiceProcess(input: {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly port: number;
  readonly readyTimeoutMs?: number;
}): Promise<ServiceProcess> {
  const child = spawn(input.command, [...input.args], {
    cwd: input.cwd,
    env: input.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk) => {
    out += String(chunk);
  });
  child.stderr?.on("data", (chunk) => {
    err += String(chunk);
  });
  const url = `http://127.0.0.1:${input.port}`;
  const deadline = Date.now() + (input.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`service exited with ${child.exitCode} before it was ready:\n${out}${err}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`service did not answer /healthz in time:\n${out}${err}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    url,
    stdout: () => out,
    stderr: () => err,
    rss: () => memoryOf(child.pid, "VmRSS"),
    peakRss: () => memoryOf(child.pid, "VmHWM"),
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, "exit");
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
      return child.exitCode;
    },
  };
}

function memoryOf(pid: number | undefined, field: "VmRSS" | "VmHWM"): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    if (field === "VmHWM") return undefined;
    const ps = spawnSync("ps", ["-o", "rss=", "-p", String(pid)], { encoding: "utf8" });
    const kb = Number(ps.stdout.trim());
    return ps.status === 0 && kb > 0 ? kb * 1024 : undefined;
  }
}
