import { type ChildProcess, spawn } from "node:child_process";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { freePort } from "./external-tools.js";

/**
 * Starting and stopping the emulators the GCP adapter tests run against. Each emulator is a child
 * process in its own process group on a free loopback port, stopped (group and all) by `stop()`.
 * Ready means its HTTP port answers; a process that exits first fails the start with the tail
 * of its output.
 */
export interface RunningEmulator {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** `127.0.0.1:<port>`, for `*_EMULATOR_HOST` variables. */
  readonly hostPort: string;
  stop(): Promise<void>;
}

/** Listens on a free loopback port; stop() drops open connections and closes the server. */
export async function serveOnLoopback(server: Server): Promise<RunningEmulator> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface StartOptions {
  readonly name: string;
  readonly command: string;
  readonly args: (port: number) => readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Path that answers (any HTTP status) once the emulator serves. */
  readonly readyPath?: string;
  readonly timeoutMs?: number;
}

export async function startEmulator(options: StartOptions): Promise<RunningEmulator> {
  const port = await freePort();
  const child = spawn(options.command, [...options.args(port)], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
    env: { ...process.env, ...options.env },
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  const emulator: RunningEmulator = {
    url,
    hostPort: `127.0.0.1:${port}`,
    stop: () => stopGroup(child),
  };
  try {
    await waitForHttp(child, `${url}${options.readyPath ?? "/"}`, options.timeoutMs ?? 120_000);
  } catch (error) {
    await emulator.stop();
    throw new Error(
      `${options.name} did not start: ${(error as Error).message}\n--- its output ---\n${output}`,
    );
  }
  return emulator;
}

async function waitForHttp(child: ChildProcess, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      // not serving yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no answer on ${url} within ${Math.round(timeoutMs / 1000)} s`);
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return; // already gone
  }
  const timer = setTimeout(() => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }, 5_000);
  await exited;
  clearTimeout(timer);
}

/** The gcloud Pub/Sub emulator (a Java process; `gcloud` must have the component). */
export function startPubSubEmulator(gcloud: string): Promise<RunningEmulator> {
  return startEmulator({
    name: "Pub/Sub emulator",
    command: gcloud,
    args: (port) => ["beta", "emulators", "pubsub", "start", `--host-port=127.0.0.1:${port}`],
  });
}

/**
 * fake-gcs-server over plain HTTP. Objects live in memory, or with `root` as files
 * `<root>/<bucket>/<key>` (where the BigQuery emulator reads `gs://` URIs). With `pubsub`, every
 * object finalized is published to that topic as GCS's Pub/Sub notifications are (the topic must
 * exist first).
 */
export function startFakeGcs(
  binary: string,
  pubsub?: { readonly hostPort: string; readonly project: string; readonly topic: string },
  root?: string,
): Promise<RunningEmulator> {
  return startEmulator({
    name: "fake-gcs-server",
    command: binary,
    args: (port) => [
      "-scheme",
      "http",
      "-host",
      "127.0.0.1",
      "-port",
      String(port),
      ...(root ? ["-backend", "filesystem", "-filesystem-root", root] : ["-backend", "memory"]),
      "-external-url",
      `http://127.0.0.1:${port}`,
      "-log-level",
      "warn",
      ...(pubsub
        ? [
            "-event.pubsub-project-id",
            pubsub.project,
            "-event.pubsub-topic",
            pubsub.topic,
            "-event.list",
            "finalize",
          ]
        : []),
    ],
    ...(pubsub ? { env: { PUBSUB_EMULATOR_HOST: pubsub.hostPort } } : {}),
    readyPath: "/storage/v1/b",
  });
}
