import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runPull } from "../../functions/core/pull/run-pull.js";
import { createEnvSecrets } from "../../functions/platform/env-secrets.js";
import { metaAdsPullSource } from "../../functions/sources/meta-ads/index.js";
import {
  type MetaAdsSandbox,
  startMetaAdsSandbox,
} from "../../functions/sources/meta-ads/sandbox.js";
import { metaAdDay, metaAdsSandboxData } from "../../functions/sources/meta-ads/sandbox-data.js";
import { capturingLogger, createLake, fixedClock, type Lake } from "../unit/handlers/harness.js";
import { loadLandedAndRun, useGraphWarehouse } from "./fixtures.js";

const db = useGraphWarehouse();
const NOW = new Date("2026-03-10T06:00:00Z");
const ACCOUNT = "1020304050";
const STREAMS = ["campaign_stats", "adset_stats", "ad_stats"];

let lake: Lake;
let sandbox: MetaAdsSandbox;
const loaded = new Set<string>();
beforeEach(async () => {
  lake = await createLake();
  loaded.clear();
  sandbox = await startMetaAdsSandbox({
    data: metaAdsSandboxData({ seed: 11, now: new Date("2026-03-09T20:00:00Z") }),
    accessToken: "EAAt",
    // Small pages: a day's rows spread over several pages, as in a large account.
    pageSize: 5,
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
      },
      {
        source: metaAdsPullSource,
        connection: {
          id: "default",
          businessUnit: "default",
          settings: { baseUrl: sandbox.url, adAccountId: ACCOUNT, backfillDays: 7 },
          secrets: createEnvSecrets({ META_ADS_ACCESS_TOKEN: "EAAt" }),
        },
        stream,
      },
    );
  }
}

/** Loads raw objects not loaded yet (all, or those `only` keeps), then runs the graph. */
const build = (only?: (key: string) => boolean) =>
  loadLandedAndRun(db, lake, { source: "meta_ads", streams: STREAMS, loaded, only });

const campaignDay = async (campaignId: string, day: string) =>
  (
    await db.warehouse.query<{ clicks: number; spend_micros: number }>(
      `SELECT clicks, spend_micros FROM staging.stg_meta_ads__campaign_stats WHERE campaign_id = '${campaignId}' AND day = DATE '${day}'`,
    )
  )[0];

describe("Meta Ads staging models", () => {
  it("read an async insights report over several pages into one row per ad and day, with spend in the account currency and in micros and purchases from actions", async () => {
    await pull(NOW);
    await build();
    const ad = sandbox.data.accounts[0]?.campaigns[0]?.adsets[1]?.ads[2];
    if (!ad) throw new Error("no ad");
    const day = metaAdDay(sandbox.data, ad.id, "2026-03-04");
    const [row] = await db.warehouse.query<Record<string, unknown>>(
      `SELECT account_id, currency_code, CAST(spend AS VARCHAR) AS spend, spend_micros, impressions, clicks, purchases, leads, ad_name, url_tags, utm_source, utm_medium, utm_campaign FROM staging.stg_meta_ads__ad_stats WHERE ad_id = '${ad.id}' AND day = DATE '2026-03-04'`,
    );
    expect(row).toEqual({
      account_id: ACCOUNT,
      currency_code: "EUR",
      spend: (day.spendCents / 100).toFixed(9),
      spend_micros: day.spendCents * 10_000,
      impressions: day.impressions,
      clicks: day.clicks,
      purchases: day.purchases,
      leads: day.leads,
      ad_name: ad.name,
      // The creative's URL parameters, read from the ad (Insights has no creative fields).
      url_tags: ad.urlTags,
      utm_source: "facebook",
      utm_medium: "paid_social",
      utm_campaign: "prospecting",
    });
    const [counts] = await db.warehouse.query<Record<string, number>>(
      "SELECT COUNT(DISTINCT day) AS days, COUNT(*) AS rows, SUM(clicks) AS clicks, (SELECT SUM(clicks) FROM staging.stg_meta_ads__campaign_stats) AS campaign_clicks FROM staging.stg_meta_ads__ad_stats",
    );
    expect(Number(counts?.days)).toBe(7);
    expect(Number(counts?.clicks)).toBeGreaterThan(0);
    expect(Number(counts?.clicks)).toBe(Number(counts?.campaign_clicks));
    // 18 ads × 7 days at 5 rows a page: the report was read in many pages.
    expect(
      sandbox.requests.filter((r) => r.path.endsWith("/insights") && r.method === "GET").length,
    ).toBeGreaterThan(20);
  });

  it("replace a restated day with the later pull's numbers, without counting the day twice", async () => {
    await pull(NOW, ["campaign_stats", "ad_stats"]);
    await build();
    const campaign = sandbox.data.accounts[0]?.campaigns[2];
    const ad = campaign?.adsets[0]?.ads[0];
    if (!campaign || !ad) throw new Error("no ad");
    const before = await campaignDay(campaign.id, "2026-03-07");
    const other = await campaignDay(campaign.id, "2026-03-06");
    const old = metaAdDay(sandbox.data, ad.id, "2026-03-07");
    sandbox.data.restated.set(`${ad.id}:2026-03-07`, {
      ...old,
      clicks: old.clicks + 25,
      spendCents: old.spendCents + 1_999,
    });
    await pull(new Date(NOW.getTime() + 3_600_000), ["campaign_stats", "ad_stats"]);
    await build();
    expect(await campaignDay(campaign.id, "2026-03-07")).toEqual({
      clicks: Number(before?.clicks) + 25,
      spend_micros: Number(before?.spend_micros) + 19_990_000,
    });
    expect(await campaignDay(campaign.id, "2026-03-06")).toEqual(other);
    const [dups] = await db.warehouse.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM (SELECT ad_id, day FROM staging.stg_meta_ads__ad_stats GROUP BY ad_id, day HAVING COUNT(*) > 1) AS d",
    );
    expect(Number(dups?.n)).toBe(0);
  });

  it("use a later pull for a day only once every row it counted for that day is loaded", async () => {
    await pull(NOW, ["ad_stats"]);
    await build();
    const ad = sandbox.data.accounts[0]?.campaigns[1]?.adsets[1]?.ads[1];
    if (!ad) throw new Error("no ad");
    const sumDay = async (day: string) =>
      Number(
        (
          await db.warehouse.query<{ c: number }>(
            `SELECT SUM(clicks) AS c FROM staging.stg_meta_ads__ad_stats WHERE day = DATE '${day}'`,
          )
        )[0]?.c,
      );
    const before = await sumDay("2026-03-08");
    const old = metaAdDay(sandbox.data, ad.id, "2026-03-08");
    sandbox.data.restated.set(`${ad.id}:2026-03-08`, { ...old, clicks: old.clicks + 7 });
    const earlier = new Set(loaded);
    await pull(new Date(NOW.getTime() + 3_600_000), ["ad_stats"]);
    // One page holding rows of that day is not loaded yet (the loader has not picked it up).
    const pages = (await lake.keys("raw/meta_ads/ad_stats/")).filter((k) => !earlier.has(k));
    let held: string | undefined;
    for (const key of pages) {
      const text = await lake.read(key);
      if (text.includes('"day":"2026-03-08"') && !text.includes('"complete"')) held = key;
    }
    expect(held).toBeDefined();
    await build((k) => k !== held);
    expect(await sumDay("2026-03-08")).toBe(before);
    await build();
    expect(await sumDay("2026-03-08")).toBe(before + 7);
  });
});
