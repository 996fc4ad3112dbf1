import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";

/**
 * The ZetaSQL server as a child process on a loopback port. The server never exits on its own,
 * so every one started here is killed: by `stop()`, and when this process exits or receives
 * SIGINT/SIGTERM/SIGHUP (see `guardChild`). A parent killed with SIGKILL cannot clean up; the
 * server then lives on until killed (documented in docs/sql-check.md).
 */
export interface ServerProcess {
  readonly pid: number;
  readonly address: string;
  /** Kills the server and resolves once it has exited (and was reaped). Safe to call twice. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** How long the server may take to accept connections. */
  readonly readyTimeoutMs?: number;
  /** Attempts when the picked port was taken by someone else in the meantime. */
  readonly attempts?: number;
}

const HOST = "127.0.0.1";
const PROBE_INTERVAL_MS = 20;

export async function spawnServer(
  serverPath: string,
  options: SpawnOptions = {},
): Promise<ServerProcess> {
  const attempts = options.attempts ?? 3;
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = await freePort();
    try {
      return await spawnOn(serverPath, port, options.readyTimeoutMs ?? 15_000);
    } catch (error) {
      lastError = error instanceof Error ? error : new Error(String(error));
      if (!/address already in use|bind/i.test(lastError.message)) break;
    }
  }
  throw lastError ?? new Error("The ZetaSQL server did not start.");
}

async function spawnOn(serverPath: string, port: number, timeoutMs: number) {
  const child = spawn(serverPath, [HOST, String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  const output = keepTail(child);
  const release = guardChild(child);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      release();
      resolve();
    });
    // A binary that cannot be started (ENOENT, EACCES) reports an error and never exits.
    child.once("error", () => {
      if (child.pid === undefined) {
        release();
        resolve();
      }
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // Hold the event loop until the exit is reported: an unref'd child's exit may never be.
      child.ref();
      child.kill("SIGKILL");
    }
    await exited;
  };
  try {
    await waitUntilListening(child, port, timeoutMs, output);
  } catch (error) {
    await stop();
    throw error;
  }
  // A forgotten stop() must not keep the CLI alive; the exit guard still kills the server.
  child.unref();
  // The stdio pipes are sockets; they hold the event loop too.
  for (const stream of [child.stdout, child.stderr]) (stream as net.Socket | null)?.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error("The ZetaSQL server has no pid.");
  return { pid, address: `${HOST}:${port}`, stop };
}

/** Probes the port until the server accepts a connection; fails fast when the server exits. */
async function waitUntilListening(
  child: ChildProcess,
  port: number,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const spawnError = new Promise<never>((_, reject) => {
    child.once("error", (error) =>
      reject(new Error(`Could not run the ZetaSQL server: ${error.message}`)),
    );
    child.once("exit", (code, signal) =>
      reject(
        new Error(
          `The ZetaSQL server exited before it was ready (code ${code}, signal ${signal}). ` +
            `Its output: ${output() || "(none)"}`,
        ),
      ),
    );
  });
  spawnError.catch(() => {});
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const accepted = await Promise.race([canConnect(port), spawnError]);
    if (accepted) return;
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
  }
  throw new Error(
    `The ZetaSQL server did not accept connections on ${HOST}:${port} within ${timeoutMs} ms. ` +
      `Its output: ${output() || "(none)"}`,
  );
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("Could not find a free loopback port."));
      });
    });
  });
}

/** The last few KB the server printed, for error messages. */
function keepTail(child: ChildProcess): () => string {
  let tail = "";
  const append = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return () => tail.trim();
}

const live = new Set<ChildProcess>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function killAll(): void {
  for (const child of live) child.kill("SIGKILL");
  live.clear();
}

function onExit(): void {
  killAll();
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  uninstall();
  // We only listened to clean up. When nobody else handles the signal, re-raise it so the
  // process ends the way it would have without us.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  process.on("exit", onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  process.off("exit", onExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** Registers a server to kill on exit/signals; returns the function that unregisters it. */
function guardChild(child: ChildProcess): () => void {
  if (live.size === 0) install();
  live.add(child);
  return () => {
    live.delete(child);
    if (live.size === 0) uninstall();
  };
}
