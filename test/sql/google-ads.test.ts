import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PullIncompleteError } from "../../functions/core/pull/errors.js";
import { runPull } from "../../functions/core/pull/run-pull.js";
import { createEnvSecrets } from "../../functions/platform/env-secrets.js";
import { googleAdsPullSource } from "../../functions/sources/google-ads/index.js";
import {
  type GoogleAdsSandbox,
  startGoogleAdsSandbox,
} from "../../functions/sources/google-ads/sandbox.js";
import {
  adDayMetrics,
  googleAdsSandboxData,
} from "../../functions/sources/google-ads/sandbox-data.js";
import { capturingLogger, createLake, fixedClock, type Lake } from "../unit/handlers/harness.js";
import { loadLandedAndRun, useGraphWarehouse } from "./fixtures.js";

const db = useGraphWarehouse();
const NOW = new Date("2026-03-10T06:00:00Z");
const CUSTOMER = "1234567890";
const STREAMS = ["campaign_stats", "ad_group_stats", "ad_stats"];

let lake: Lake;
let sandbox: GoogleAdsSandbox;
const loaded = new Set<string>();
beforeEach(async () => {
  lake = await createLake();
  loaded.clear();
  sandbox = await startGoogleAdsSandbox({
    data: googleAdsSandboxData({ seed: 7, now: new Date("2026-03-09T23:00:00Z") }),
    accessToken: "ya29.t",
    developerToken: "dev",
  });
});
afterEach(async () => {
  await sandbox.close();
  await lake.cleanup();
});

async function pull(now: Date, streams = STREAMS) {
  for (const stream of streams) {
    await runPull(
      {
        store: lake.store,
        clock: fixedClock(now),
        logger: capturingLogger().logger,
        fetch: globalThis.fetch,
        sleep: async () => undefined,
        retry: {
          retries: 0,
          minBackoffMs: 1,
          maxBackoffMs: 1,
          maxRateLimitWaits: 0,
          maxRateLimitWaitMs: 0,
        },
      },
      {
        source: googleAdsPullSource,
        connection: {
          id: "default",
          businessUnit: "default",
          settings: { baseUrl: sandbox.url, customerId: CUSTOMER, backfillDays: 7 },
          secrets: createEnvSecrets({
            GOOGLE_ADS_ACCESS_TOKEN: "ya29.t",
            GOOGLE_ADS_DEVELOPER_TOKEN: "dev",
          }),
        },
        stream,
      },
    );
  }
}

/** Loads the raw objects landed since the last call (as the sweep would), then runs the graph. */
const build = () => loadLandedAndRun(db, lake, { source: "google_ads", streams: STREAMS, loaded });

const campaignDays = () =>
  db.warehouse.query<{ day: string; campaign_id: string; clicks: number; cost_micros: number }>(
    "SELECT CAST(day AS VARCHAR) AS day, campaign_id, clicks, cost_micros FROM staging.stg_google_ads__campaign_stats ORDER BY day, campaign_id",
  );

describe("Google Ads staging models", () => {
  it("pull the last seven complete days (backfillDays 7) by campaign, ad group and ad, with cost in micros and in the account currency and the UTMs of the tracking template", async () => {
    await pull(NOW);
    await build();
    const days = await db.warehouse.query<{ day: string; n: number }>(
      "SELECT CAST(day AS VARCHAR) AS day, COUNT(*) AS n FROM staging.stg_google_ads__ad_stats GROUP BY 1 ORDER BY 1",
    );
    expect(days.map((d) => d.day)).toEqual([
      "2026-03-03",
      "2026-03-04",
      "2026-03-05",
      "2026-03-06",
      "2026-03-07",
      "2026-03-08",
      "2026-03-09",
    ]);
    const ad = sandbox.data.accounts[0]?.campaigns[0]?.adGroups[0]?.ads[0];
    if (!ad) throw new Error("no ad");
    const expected = adDayMetrics(sandbox.data, ad.id, "2026-03-05");
    const [row] = await db.warehouse.query<Record<string, unknown>>(
      `SELECT account_id, currency_code, cost_micros, CAST(cost AS VARCHAR) AS cost, impressions, clicks, conversions, final_url FROM staging.stg_google_ads__ad_stats WHERE ad_id = '${ad.id}' AND day = DATE '2026-03-05'`,
    );
    expect(row).toEqual({
      account_id: CUSTOMER,
      currency_code: "EUR",
      cost_micros: expected.costMicros,
      cost: (expected.costMicros / 1e6).toFixed(9),
      impressions: expected.impressions,
      clicks: expected.clicks,
      conversions: expected.conversions,
      final_url: ad.finalUrls[0],
    });
    const [campaign] = await db.warehouse.query<Record<string, unknown>>(
      "SELECT campaign_name, channel_type, utm_source, utm_medium, utm_campaign, tracking_url_template FROM staging.stg_google_ads__campaign_stats WHERE day = DATE '2026-03-05' ORDER BY campaign_id LIMIT 1",
    );
    expect(campaign).toMatchObject({
      campaign_name: "Brand search",
      channel_type: "SEARCH",
      utm_source: "google",
      utm_medium: "cpc",
      utm_campaign: "{campaignid}",
    });
    // Campaign rows are the sums of their ads, as Google reports them.
    const [sums] = await db.warehouse.query<{ a: number; c: number }>(
      "SELECT (SELECT SUM(clicks) FROM staging.stg_google_ads__ad_stats) AS a, (SELECT SUM(clicks) FROM staging.stg_google_ads__campaign_stats) AS c",
    );
    expect(sums?.a).toBeGreaterThan(0);
    expect(sums?.a).toBe(sums?.c);
  });

  it("replace a restated day with the later pull's numbers, without counting the day twice", async () => {
    await pull(NOW);
    await build();
    const before = await campaignDays();
    const ad = sandbox.data.accounts[0]?.campaigns[1]?.adGroups[0]?.ads[1];
    if (!ad) throw new Error("no ad");
    const old = adDayMetrics(sandbox.data, ad.id, "2026-03-06");
    // Google restates the day: invalid clicks refunded, late conversions added.
    sandbox.data.restated.set(`${ad.id}:2026-03-06`, {
      ...old,
      clicks: old.clicks + 40,
      impressions: old.impressions + 400,
      costMicros: old.costMicros + 12_340_000,
      conversions: old.conversions + 3,
    });
    await pull(new Date(NOW.getTime() + 3_600_000));
    await build();
    const after = await campaignDays();

    expect(after).toHaveLength(before.length);
    const changed = after.filter(
      (row, i) => row.clicks !== before[i]?.clicks || row.cost_micros !== before[i]?.cost_micros,
    );
    const campaignId = sandbox.data.accounts[0]?.campaigns[1]?.id;
    const was = before.find((r) => r.day === "2026-03-06" && r.campaign_id === campaignId);
    expect(changed).toEqual([
      {
        day: "2026-03-06",
        campaign_id: campaignId,
        clicks: (was?.clicks ?? 0) + 40,
        cost_micros: (was?.cost_micros ?? 0) + 12_340_000,
      },
    ]);
    // The raw table holds both pulls; staging counts each day once.
    const [raw] = await db.warehouse.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM raw.google_ads_campaign_stats",
    );
    expect(Number(raw?.n)).toBe(2 * (before.length + 7));
  });

  it("keep the earlier complete numbers of a day whose later pull was cut short", async () => {
    await pull(NOW, ["campaign_stats"]);
    await build();
    const before = await campaignDays();
    const ad = sandbox.data.accounts[0]?.campaigns[0]?.adGroups[0]?.ads[0];
    if (!ad) throw new Error("no ad");
    const old = adDayMetrics(sandbox.data, ad.id, "2026-03-09");
    sandbox.data.restated.set(`${ad.id}:2026-03-09`, { ...old, clicks: old.clicks + 9 });
    // The last day of the second pull is refused (a permission revoked mid-pull).
    let calls = 0;
    const failingLastDay: typeof fetch = async (input, init) => {
      calls++;
      if (calls === 7) {
        return new Response(
          JSON.stringify({ error: { code: 403, status: "PERMISSION_DENIED", message: "denied" } }),
          { status: 403 },
        );
      }
      return globalThis.fetch(input, init);
    };
    const error = await runPull(
      {
        store: lake.store,
        clock: fixedClock(new Date(NOW.getTime() + 3_600_000)),
        logger: capturingLogger().logger,
        fetch: failingLastDay,
        sleep: async () => undefined,
      },
      {
        source: googleAdsPullSource,
        connection: {
          id: "default",
          businessUnit: "default",
          settings: { baseUrl: sandbox.url, customerId: CUSTOMER, backfillDays: 7 },
          secrets: createEnvSecrets({
            GOOGLE_ADS_ACCESS_TOKEN: "ya29.t",
            GOOGLE_ADS_DEVELOPER_TOKEN: "dev",
          }),
        },
        stream: "campaign_stats",
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PullIncompleteError);
    expect((error as Error).message).toContain("PERMISSION_DENIED");
    await build();
    expect(await campaignDays()).toEqual(before);
  });
});
