import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PullIncompleteError } from "../../../../functions/core/pull/errors.js";
import { runPull } from "../../../../functions/core/pull/run-pull.js";
import { createEnvSecrets } from "../../../../functions/platform/env-secrets.js";
import { sendgridPullSource } from "../../../../functions/sources/sendgrid/index.js";
import {
  type SendgridStatsSandbox,
  singlesendStatsData,
  startSendgridStatsSandbox,
} from "../../../../functions/sources/sendgrid/stats-sandbox.js";
import {
  capturingLogger,
  createLake,
  fixedClock,
  type Lake,
  ndjsonLines,
} from "../../handlers/harness.js";

const NOW = new Date("2026-03-10T06:00:00Z");
let lake: Lake;
let sandbox: SendgridStatsSandbox;
let t = NOW.getTime();
beforeEach(async () => {
  lake = await createLake();
  t = NOW.getTime();
  sandbox = await startSendgridStatsSandbox({
    apiKey: "SG.read",
    stats: singlesendStatsData(5, 12),
    requestsPerWindow: 2,
    windowSeconds: 10,
    now: () => t,
  });
});
afterEach(async () => {
  await sandbox.close();
  await lake.cleanup();
});

function pull(key = "SG.read", waits: number[] = []) {
  return runPull(
    {
      store: lake.store,
      clock: fixedClock(new Date(t)),
      logger: capturingLogger().logger,
      fetch: globalThis.fetch,
      sleep: async (ms) => {
        waits.push(ms);
        t += ms;
      },
    },
    {
      source: sendgridPullSource,
      connection: {
        id: "default",
        businessUnit: "default",
        settings: { baseUrl: sandbox.url, pageSize: 5 },
        secrets: createEnvSecrets({ SENDGRID_READ_API_KEY: key }),
      },
      stream: "singlesend_stats",
    },
  );
}

async function landed() {
  const lines: Record<string, unknown>[] = [];
  for (const key of await lake.keys("raw/sendgrid/singlesend_stats/"))
    lines.push(...ndjsonLines(await lake.read(key)));
  return lines;
}

describe("SendGrid single-send stats pull", () => {
  it("follows _metadata.next through every page and waits until X-RateLimit-Reset when the budget is spent", async () => {
    const waits: number[] = [];
    const outcome = await pull("SG.read", waits);
    expect(outcome).toMatchObject({ status: "done", pages: 3, records: 12 });
    // 2 requests per 10 s window: the third is refused until the window's reset.
    expect(sandbox.requests.map((r) => r.status)).toEqual([200, 200, 429, 200]);
    expect(waits).toEqual([10_000]);
    const ids = (await landed()).map((l) => (l.payload as { stat: { id: string } }).stat.id);
    expect(new Set(ids)).toEqual(new Set(sandbox.stats.map((s) => s.id)));
  });

  it("lands each pull as a new snapshot of the totals, so later opens are seen", async () => {
    await pull();
    sandbox.advance();
    t += 3_600_000;
    await pull();
    const lines = await landed();
    expect(new Set(lines.map((l) => l._record_id)).size).toBe(24);
    const first = sandbox.stats[0];
    const opens = lines
      .map(
        (l) => l.payload as { pulled_at: string; stat: { id: string; stats: { opens: number } } },
      )
      .filter((p) => p.stat.id === first?.id)
      .sort((a, b) => a.pulled_at.localeCompare(b.pulled_at))
      .map((p) => p.stat.stats.opens);
    expect(opens).toEqual([(first?.stats.opens ?? 0) - 3, first?.stats.opens]);
  });

  it("stops on a refused API key with the status and never the key in the message", async () => {
    const error = await pull("SG.wrong-key-value").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PullIncompleteError);
    expect((error as Error).message).toContain("HTTP 401");
    expect((error as Error).message).not.toContain("SG.wrong-key-value");
  });
});
