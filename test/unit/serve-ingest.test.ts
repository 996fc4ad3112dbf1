import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../support/external-tools.js";
import { startServiceProcess } from "../support/service-process.js";

const repoRoot = resolve(import.meta.dirname, "../..");
// `node --import tsx`, not the tsx CLI: the CLI is a parent process that relays signals, and
// under load SIGTERM could reach it before it knew the child handles SIGTERM (exit 143).
const node = process.execPath;
const runTs = (file: string): string[] => ["--import", "tsx", file];

const baseEnv = (port: number): Record<string, string> => ({
  PATH: process.env.PATH ?? "",
  PORT: String(port),
  GOOGLE_CLOUD_PROJECT: "unistack-test",
  UNISTACK_LAKE_BUCKET: "unistack-test-lake",
  // Nothing listens here: these tests never reach the store.
  STORAGE_EMULATOR_HOST: "http://127.0.0.1:9",
});

describe("serve-ingest (the Cloud Run entry point)", () => {
  it("listens on PORT, answers /healthz, and exits 0 on SIGTERM after logging that it stopped", async () => {
    const port = await freePort();
    const service = await startServiceProcess({
      command: node,
      args: runTs("functions/serve-ingest.ts"),
      env: baseEnv(port),
      cwd: repoRoot,
      port,
    });
    const unknown = await fetch(`${service.url}/webhooks/myspace`, { method: "POST", body: "{}" });
    expect([unknown.status, await unknown.json()]).toEqual([404, { error: "not found" }]);
    expect(await service.stop("SIGTERM")).toBe(0);
    const messages = service
      .stdout()
      .split("\n")
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { message?: string }).message);
    expect(messages).toEqual(
      expect.arrayContaining([
        "ingest service listening",
        "ingest service stopping; finishing requests in flight",
        "ingest service stopped",
      ]),
    );
  });

  it("refuses to start without its environment and says which setting is missing", async () => {
    const { spawnSync } = await import("node:child_process");
    const env = baseEnv(await freePort());
    delete env.UNISTACK_LAKE_BUCKET;
    const run = spawnSync(node, runTs("functions/serve-ingest.ts"), {
      cwd: repoRoot,
      env,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    const line = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as Record<string, string>;
    expect(line.severity).toBe("CRITICAL");
    expect(line.message).toContain("set UNISTACK_LAKE_BUCKET to the raw lake bucket name");
  });
});
