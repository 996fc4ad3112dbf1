import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startAnalyzer, withAnalyzer } from "../../../functions/sqlcheck/analyzer.js";
import { checkStatements } from "../../../functions/sqlcheck/check.js";
import { spawnServer } from "../../../functions/sqlcheck/server-process.js";
import { isGoneWithin, isRunning, serverChildren } from "./process-helpers.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../..");

/** Runs the fixture in its own Node process and answers it with the server pid it printed. */
async function holdAnalyzer(mode: "wait" | "exit" | "throw" | "close") {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(here, "fixtures/hold-analyzer.ts"), mode],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = once(child, "exit");
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.resume();
  const deadline = Date.now() + 30_000;
  while (!out.includes("\n") && Date.now() < deadline && child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const pid = Number.parseInt(out, 10);
  if (!Number.isInteger(pid)) throw new Error(`The fixture printed no pid: ${JSON.stringify(out)}`);
  return { child, pid, exited, output: () => out };
}

describe("analyzer process lifecycle", () => {
  it("starts a server that answers, and close() leaves no process behind", async () => {
    const analyzer = await startAnalyzer();
    expect(isRunning(analyzer.pid)).toBe(true);
    await analyzer.close();
    expect(isRunning(analyzer.pid)).toBe(false);
    await analyzer.close();
  });

  it("kills the server after a check that passed", async () => {
    const result = await checkStatements({
      declarations: [],
      statements: [{ fileName: "one.sqlx", kind: "query", sql: "SELECT 1 AS one" }],
    });
    expect(result.failures).toEqual([]);
    expect(serverChildren()).toEqual([]);
  });

  it("kills the server when the check throws after the server started", async () => {
    const check = checkStatements({
      declarations: [{ schema: "raw", name: "t", columns: [{ name: "id", type: "STRNG" }] }],
      statements: [],
    });
    await expect(check).rejects.toThrow(/Unknown BigQuery type "STRNG"/);
    expect(serverChildren()).toEqual([]);
  });

  it("reports a server that exits before it is ready, with its exit status", async () => {
    await expect(spawnServer("/bin/false", { attempts: 1 })).rejects.toThrow(
      /exited before it was ready \(code 1, signal null\)/,
    );
    await expect(spawnServer("/nonexistent/remote_server")).rejects.toThrow(
      /Could not run the ZetaSQL server: .*ENOENT/,
    );
  });

  it("removes its exit and signal handlers once every server is stopped", async () => {
    const before = ["exit", "SIGINT", "SIGTERM"].map((e) => process.listenerCount(e));
    const first = await startAnalyzer();
    const second = await startAnalyzer();
    expect(process.listenerCount("SIGTERM")).toBe((before[2] ?? 0) + 1);
    await first.close();
    await second.close();
    expect(["exit", "SIGINT", "SIGTERM"].map((e) => process.listenerCount(e))).toEqual(before);
  });

  it("kills the server when the work given to withAnalyzer throws", async () => {
    let pid = 0;
    const work = withAnalyzer(async (analyzer) => {
      pid = analyzer.pid;
      throw new Error("the work failed");
    });
    await expect(work).rejects.toThrow("the work failed");
    expect(pid).toBeGreaterThan(0);
    expect(isRunning(pid)).toBe(false);
  });
});

// Each of these runs its own Node process (about 1 s to start with tsx).
describe("analyzer process lifecycle, in a separate Node process", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "kills the server when the process receives %s",
    async (signal) => {
      const { child, pid, exited } = await holdAnalyzer("wait");
      expect(isRunning(pid)).toBe(true);
      child.kill(signal);
      const [code, received] = await exited;
      expect(await isGoneWithin(pid, 3_000)).toBe(true);
      // The process still ends by the signal, as it would without our cleanup handler.
      expect({ code, received }).toEqual({ code: null, received: signal });
    },
  );

  it.each(["exit", "throw"] as const)(
    "kills the server when the process ends by %s",
    async (mode) => {
      const { pid, exited } = await holdAnalyzer(mode);
      const [code] = await exited;
      expect(code).toBe(mode === "exit" ? 0 : 1);
      expect(await isGoneWithin(pid, 3_000)).toBe(true);
    },
  );

  it("closes in a plain script: the server is gone and the script ends by itself, exit code 0", async () => {
    const { pid, exited, output } = await holdAnalyzer("close");
    const [code] = await exited;
    expect(output()).toMatch(/^\d+\nclosed\n$/);
    expect(code).toBe(0);
    expect(isRunning(pid)).toBe(false);
  });
});
