import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PullIncompleteError } from "../../../../functions/core/pull/errors.js";
import type { RetryPolicy } from "../../../../functions/core/pull/retry.js";
import { runPull } from "../../../../functions/core/pull/run-pull.js";
import { createEnvSecrets } from "../../../../functions/platform/env-secrets.js";
import { regainAccessMs } from "../../../../functions/sources/meta-ads/api.js";
import { metaAdsPullSource } from "../../../../functions/sources/meta-ads/index.js";
import {
  type MetaAdsSandbox,
  startMetaAdsSandbox,
} from "../../../../functions/sources/meta-ads/sandbox.js";
import { metaAdsSandboxData } from "../../../../functions/sources/meta-ads/sandbox-data.js";
import { capturingLogger, createLake, fixedClock, type Lake } from "../../handlers/harness.js";

const NOW = new Date("2026-03-10T06:00:00Z");
let lake: Lake;
let sandbox: MetaAdsSandbox;
let t = NOW.getTime();

async function start(
  options: { pollsToComplete?: number; failRuns?: number; callsPerMinute?: number } = {},
) {
  sandbox = await startMetaAdsSandbox({
    data: metaAdsSandboxData({ seed: 5, now: new Date("2026-03-09T20:00:00Z") }),
    accessToken: "EAAt",
    now: () => t,
    ...options,
  });
}
beforeEach(async () => {
  lake = await createLake();
  t = NOW.getTime();
});
afterEach(async () => {
  await sandbox.close();
  await lake.cleanup();
});

function pull(waits: number[], options: { token?: string; retry?: RetryPolicy } = {}) {
  return runPull(
    {
      store: lake.store,
      clock: fixedClock(NOW),
      logger: capturingLogger().logger,
      fetch: globalThis.fetch,
      sleep: async (ms) => {
        waits.push(ms);
        t += ms;
      },
      ...(options.retry ? { retry: options.retry } : {}),
    },
    {
      source: metaAdsPullSource,
      connection: {
        id: "default",
        businessUnit: "default",
        settings: {
          baseUrl: sandbox.url,
          adAccountId: "1020304050",
          backfillDays: 7,
          pollSeconds: 5,
        },
        secrets: createEnvSecrets({ META_ADS_ACCESS_TOKEN: options.token ?? "EAAt" }),
      },
      stream: "campaign_stats",
    },
  );
}

const throttled = (code: number, minutes?: number) => ({
  status: code === 80004 ? 400 : 403,
  body: {
    error: {
      message: "(#17) User request limit reached",
      type: "OAuthException",
      code,
      fbtrace_id: "x",
    },
  },
  headers:
    minutes === undefined
      ? {}
      : {
          "x-business-use-case-usage": JSON.stringify({
            "99": [
              { type: "ads_insights", call_count: 98, estimated_time_to_regain_access: minutes },
            ],
          }),
        },
});

describe("Meta Ads pull", () => {
  it("posts one report run, polls it every pollSeconds until Job Completed, then reads its results", async () => {
    await start({ pollsToComplete: 3 });
    const waits: number[] = [];
    const outcome = await pull(waits);
    expect(outcome.status).toBe("done");
    expect(waits).toEqual([5_000, 5_000]);
    const calls = sandbox.requests.map((r) => `${r.method} ${r.path.replace(/\d{10,}/g, "N")}`);
    expect(calls).toEqual([
      "POST /v23.0/act_N/insights",
      "GET /v23.0/N",
      "GET /v23.0/N",
      "GET /v23.0/N",
      "GET /v23.0/N/insights",
    ]);
  });

  it.each([
    [4, 2, 120_000],
    [17, undefined, 60_000],
    [613, 2, 120_000],
    [80004, 1, 60_000],
  ])(
    "waits out throttling code %i for the estimated time to regain access (%s min → %i ms)",
    async (code, minutes, wait) => {
      await start({ pollsToComplete: 1 });
      sandbox.faults.push(throttled(code, minutes));
      const waits: number[] = [];
      expect((await pull(waits)).status).toBe("done");
      expect(waits).toEqual([wait]);
    },
  );

  it("answers its own call limit like Meta (code 80004 and X-Business-Use-Case-Usage) and the pull waits it out", async () => {
    await start({ pollsToComplete: 1, callsPerMinute: 2 });
    const waits: number[] = [];
    expect((await pull(waits)).status).toBe("done");
    expect(waits).toEqual([60_000]);
    // POST, poll (done), results refused; after the wait the page is asked again: poll, results.
    expect(sandbox.requests.map((r) => r.status)).toEqual([200, 200, 400, 200, 200]);
  });

  it("starts a new run when Meta reports Job Failed, and stops after three failed runs", async () => {
    await start({ pollsToComplete: 1, failRuns: 1 });
    expect((await pull([])).status).toBe("done");
    expect(sandbox.requests.filter((r) => r.method === "POST")).toHaveLength(2);
    await sandbox.close();
    await lake.cleanup();
    lake = await createLake();
    await start({ pollsToComplete: 1, failRuns: 3 });
    const error = await pull([]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PullIncompleteError);
    // Same window, resumed: the failures are counted across the journaled cursor.
    expect((error as Error).message).toContain("the insights report run failed 3 times in a row");
  });

  it("resumes a pull stopped while the report ran by polling the same run, never posting another", async () => {
    await start({ pollsToComplete: 4 });
    const impatient = {
      retries: 0,
      minBackoffMs: 1,
      maxBackoffMs: 1,
      maxRateLimitWaits: 1,
      maxRateLimitWaitMs: 60_000,
    };
    const error = await pull([], { retry: impatient }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PullIncompleteError);
    expect((await pull([])).status).toBe("done");
    expect(sandbox.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("stops on an invalid token (code 190) without the token or Meta's message in the error", async () => {
    await start();
    const error = await pull([], { token: "EAAsecret-token" }).catch((e: unknown) => e);
    const message = (error as Error).message;
    expect(message).toContain("PermanentPullError (HTTP 400): code 190");
    expect(message).not.toContain("EAAsecret-token");
    expect(message).not.toContain("Cannot parse access token");
  });

  it("reads the longest estimated_time_to_regain_access of the usage header", () => {
    const headers = new Headers({
      "x-business-use-case-usage": JSON.stringify({
        "1": [{ estimated_time_to_regain_access: 0 }],
        "2": [{ estimated_time_to_regain_access: 4 }, { estimated_time_to_regain_access: 2 }],
      }),
    });
    expect(regainAccessMs(headers)).toBe(240_000);
    expect(
      regainAccessMs(new Headers({ "x-business-use-case-usage": "not json" })),
    ).toBeUndefined();
  });
});
