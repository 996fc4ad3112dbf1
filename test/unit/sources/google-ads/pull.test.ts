import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PullIncompleteError } from "../../../../functions/core/pull/errors.js";
import { runPull } from "../../../../functions/core/pull/run-pull.js";
import { createEnvSecrets } from "../../../../functions/platform/env-secrets.js";
import { restatedDays } from "../../../../functions/sources/ads/restated-days.js";
import { quotaRetryMs } from "../../../../functions/sources/google-ads/api.js";
import { googleAdsPullSource } from "../../../../functions/sources/google-ads/index.js";
import { dailyQuery } from "../../../../functions/sources/google-ads/report.js";
import {
  type GoogleAdsSandbox,
  quotaError,
  startGoogleAdsSandbox,
} from "../../../../functions/sources/google-ads/sandbox.js";
import { googleAdsSandboxData } from "../../../../functions/sources/google-ads/sandbox-data.js";
import { capturingLogger, createLake, fixedClock, type Lake } from "../../handlers/harness.js";

const NOW = new Date("2026-03-10T06:00:00Z");
let lake: Lake;
let sandbox: GoogleAdsSandbox;
let t = NOW.getTime();
beforeEach(async () => {
  lake = await createLake();
  t = NOW.getTime();
  sandbox = await startGoogleAdsSandbox({
    data: googleAdsSandboxData({ seed: 3, now: new Date("2026-03-09T12:00:00Z") }),
    accessToken: "ya29.t",
    developerToken: "dev",
    requestsPerMinute: 5,
    now: () => t,
  });
});
afterEach(async () => {
  await sandbox.close();
  await lake.cleanup();
});

function pull(env: Record<string, string>, waits: number[], stream = "campaign_stats") {
  const { logger, lines } = capturingLogger();
  const run = runPull(
    {
      store: lake.store,
      clock: fixedClock(NOW),
      logger,
      fetch: globalThis.fetch,
      // Time passes only while the pull waits, so the quota's window is exact.
      sleep: async (ms) => {
        waits.push(ms);
        t += ms;
      },
    },
    {
      source: googleAdsPullSource,
      connection: {
        id: "default",
        businessUnit: "default",
        settings: { baseUrl: sandbox.url, customerId: "1234567890", backfillDays: 7 },
        secrets: createEnvSecrets(env),
      },
      stream,
    },
  );
  return { run, lines };
}

const TOKENS = { GOOGLE_ADS_ACCESS_TOKEN: "ya29.t", GOOGLE_ADS_DEVELOPER_TOKEN: "dev" };

describe("Google Ads pull", () => {
  it("waits out RESOURCE_EXHAUSTED for exactly the retryDelay Google sends, then lands every day", async () => {
    const waits: number[] = [];
    const outcome = await pull(TOKENS, waits).run;
    expect(outcome).toMatchObject({ status: "done", pages: 7 });
    // 5 requests a minute: the 6th is refused until the minute of the 1st is over.
    expect(waits).toEqual([60_000]);
    expect(sandbox.requests.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 200, 200]);
    const days = sandbox.requests
      .filter((r) => r.status === 200)
      .map((r) => /'(.+)'/.exec(r.query)?.[1]);
    expect(days).toEqual([
      "2026-03-03",
      "2026-03-04",
      "2026-03-05",
      "2026-03-06",
      "2026-03-07",
      "2026-03-08",
      "2026-03-09",
    ]);
  });

  it("reads retryDelay from the GoogleAdsFailure details, and Google's 30 s when there is none", () => {
    expect(quotaRetryMs(quotaError(17))).toBe(17_000);
    expect(quotaRetryMs({ error: { code: 429, status: "RESOURCE_EXHAUSTED", details: [] } })).toBe(
      30_000,
    );
    expect(
      quotaRetryMs({
        error: {
          status: "RESOURCE_EXHAUSTED",
          details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "2.5s" }],
        },
      }),
    ).toBe(2_500);
    expect(quotaRetryMs({ error: { status: "PERMISSION_DENIED" } })).toBeUndefined();
  });

  it("stops on a wrong developer token with the API's status and never a token in the message", async () => {
    const error = await pull(
      { ...TOKENS, GOOGLE_ADS_DEVELOPER_TOKEN: "secret-wrong-token" },
      [],
    ).run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PullIncompleteError);
    const message = (error as Error).message;
    expect(message).toContain("HTTP 401");
    expect(message).toContain("UNAUTHENTICATED");
    expect(message).toContain("check the connection's credentials");
    expect(message).not.toContain("secret-wrong-token");
  });

  it("refuses a connection without a customer id before calling Google", async () => {
    const { run } = (() => {
      const r = runPull(
        {
          store: lake.store,
          clock: fixedClock(NOW),
          logger: capturingLogger().logger,
          fetch: globalThis.fetch,
          sleep: async () => undefined,
        },
        {
          source: googleAdsPullSource,
          connection: {
            id: "eu",
            businessUnit: "Europe",
            settings: { baseUrl: sandbox.url, customerId: "123-456-7890" },
            secrets: createEnvSecrets(TOKENS),
          },
          stream: "ad_stats",
        },
      );
      return { run: r };
    })();
    const error = await run.catch((e: unknown) => e);
    expect((error as Error).message).toContain("customerId: 10 digits, no dashes");
    expect(sandbox.requests).toEqual([]);
  });

  it("re-reads the last seven complete days on every run, and backfills a first run up to backfillDays", () => {
    const window = { seq: 2, from: "2026-03-10T05:00:00.000Z", to: "2026-03-10T06:00:00.000Z" };
    expect(restatedDays(window, { lookbackDays: 7, backfillDays: 30 })).toEqual([
      "2026-03-03",
      "2026-03-04",
      "2026-03-05",
      "2026-03-06",
      "2026-03-07",
      "2026-03-08",
      "2026-03-09",
    ]);
    const first = { seq: 1, from: "1970-01-01T00:00:00.000Z", to: window.to };
    const days = restatedDays(first, { lookbackDays: 7, backfillDays: 30 });
    expect(days).toHaveLength(30);
    expect(days[0]).toBe("2026-02-08");
    expect(days.at(-1)).toBe("2026-03-09");
  });

  it("asks GAQL for one day of one level with the metrics and the tracking fields", () => {
    expect(dailyQuery("ad", "2026-03-05")).toBe(
      "SELECT customer.id, customer.currency_code, customer.time_zone, campaign.id, ad_group.id, ad_group_ad.ad.id, ad_group_ad.ad.name, ad_group_ad.status, ad_group_ad.ad.final_urls, ad_group_ad.ad.tracking_url_template, ad_group_ad.ad.final_url_suffix, ad_group_ad.ad.url_custom_parameters, segments.date, metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions, metrics.conversions_value FROM ad_group_ad WHERE segments.date = '2026-03-05'",
    );
    expect(() => dailyQuery("ad", "2026-03-05' OR 1=1 --")).toThrow("bad day");
  });
});
