import { describe, expect, it } from "vitest";
import { runDuckDbGraph } from "../../../functions/dataform/run-duckdb.js";
import { ga4Event } from "../../fixtures/ga4/export-rows.js";
import { localGa4Export, shopifyOrder, useGraphWarehouse } from "../fixtures.js";
import { EMPTY_CORE, loadRawTables, rawLine } from "./raw-fixtures.js";

const db = useGraphWarehouse();
const CLOSE = "2026-06-30T00:00:00.000Z";
const daysBefore = (days: number) => new Date(Date.parse(CLOSE) - days * 86_400_000);

function crm(stream: string, id: string, properties: Record<string, string>, associations = {}) {
  return rawLine("hubspot", stream, `${id}:${CLOSE}`, {
    id,
    properties: { ...properties, lastmodifieddate: CLOSE, hs_lastmodifieddate: CLOSE },
    associations,
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: CLOSE,
  });
}

/** One day of a campaign report as the ads pulls land it: the row and the day's completion record. */
function adsDay(
  source: "google_ads" | "meta_ads",
  account: string,
  day: string,
  id: string,
  row: Record<string, unknown>,
) {
  const pull = { account, day, pulled_at: "2026-06-29T06:00:00.000Z" };
  return [
    rawLine(source, "campaign_stats", `${account}:campaign:${day}:${id}:${pull.pulled_at}`, {
      pull,
      row,
    }),
    rawLine(source, "campaign_stats", `${account}:campaign:${day}:complete:${pull.pulled_at}`, {
      pull,
      complete: { rows: 1 },
    }),
  ];
}

const googleDay = (day: string, costMicros: string) =>
  adsDay("google_ads", "1234567890", day, "111", {
    campaign: {
      id: "111",
      name: "Spring Sale",
      status: "ENABLED",
      advertisingChannelType: "SEARCH",
      finalUrlSuffix: "utm_source=google&utm_medium=cpc&utm_campaign=spring_sale",
    },
    customer: { currencyCode: "EUR" },
    segments: { date: day },
    metrics: { costMicros, impressions: "1000", clicks: "25" },
  });

/** A GA4 session of one page view landing on `query` (UTMs and gclid read from the URL). */
function session(id: number, userId: string | null, daysBeforeClose: number, query: string) {
  return ga4Event({
    name: "page_view",
    at: daysBefore(daysBeforeClose),
    userPseudoId: "111.222",
    userId,
    sessionId: id,
    pageLocation: `https://shop.example/${query}`,
  });
}

describe("ad clicks and web sessions in multi-touch attribution", () => {
  it("turns a known person's GA4 sessions into ad-click and web touches, credits them and sets the ads' spend against them", async () => {
    await loadRawTables(db.warehouse, {
      ...EMPTY_CORE,
      // Anna is Shopify customer 7001 (the storefront sets GA4's user_id to it) and CRM contact of Acme.
      "shopify.orders": [
        shopifyOrder({
          id: "1",
          email: "anna@acme.example",
          customerId: "7001",
          createdAt: daysBefore(60).toISOString(),
        }),
      ],
      "hubspot.companies": [crm("companies", "77", { name: "Acme" })],
      "hubspot.contacts": [
        crm("contacts", "501", { email: "anna@acme.example" }, { companies: ["77"] }),
      ],
      "hubspot.deals": [
        crm(
          "deals",
          "900",
          { dealstage: "closedwon", amount: "1000", closedate: CLOSE, deal_currency_code: "EUR" },
          { companies: ["77"] },
        ),
      ],
      "hubspot.owners": [],
      "hubspot.events": [],
      "google_ads.campaign_stats": [
        ...googleDay("2026-06-09", "12500000"),
        ...googleDay("2026-06-10", "7500000"),
      ],
      "meta_ads.campaign_stats": adsDay("meta_ads", "5550001", "2026-06-20", "222", {
        campaign_id: "222",
        campaign_name: "Retargeting_EU",
        objective: "OUTCOME_SALES",
        account_currency: "EUR",
        date_start: "2026-06-20",
        spend: "30.00",
        impressions: "5000",
        clicks: "40",
      }),
    });
    const sessions = [
      session(
        1,
        "7001",
        20,
        "?gclid=Cj0abc&utm_source=google&utm_medium=cpc&utm_campaign=Spring_Sale",
      ),
      session(
        2,
        "7001",
        10,
        "?utm_source=facebook&utm_medium=paid_social&utm_campaign=retargeting_eu",
      ),
      session(3, "7001", 5, "?utm_source=linkedin&utm_medium=social&utm_campaign=launch"),
      // Not touches: the email channel counts the message; a direct visit; an anonymous click.
      session(4, "7001", 3, "?utm_source=newsletter&utm_medium=email&utm_campaign=june"),
      session(5, "7001", 2, ""),
      session(6, null, 1, "?gclid=Cj0xyz&utm_source=google&utm_medium=cpc"),
      // A click on a campaign no report names, outside the 180-day lookback: a touch, no credit.
      session(7, "7001", 250, "?utm_source=google&utm_medium=cpc&utm_campaign=old_promo"),
    ];
    const days = new Map<string, ReturnType<typeof session>[]>();
    for (const row of sessions) {
      const day = String(row.event_date);
      days.set(day, [...(days.get(day) ?? []), row]);
    }
    await localGa4Export().write(
      db.warehouse,
      [...days].map(([day, rows]) => ({ day, rows })),
    );
    await runDuckDbGraph(db.warehouse, db.graph);

    expect(
      await db.warehouse.query(
        `SELECT touch_id, account_id, channel, touch_type, campaign_key, campaign_name,
           CAST(touched_at AS VARCHAR) AS touched_at
         FROM marts.fct_touchpoints WHERE channel <> 'email' ORDER BY touched_at`,
      ),
    ).toEqual([
      {
        touch_id: "paid_search:111.222-7",
        account_id: "company:77",
        channel: "paid_search",
        touch_type: "ad_click",
        campaign_key: "google_ads:utm:old_promo",
        campaign_name: "old_promo",
        touched_at: "2025-10-23 00:00:00+00",
      },
      {
        touch_id: "paid_search:111.222-1",
        account_id: "company:77",
        channel: "paid_search",
        touch_type: "ad_click",
        campaign_key: "google_ads:111",
        campaign_name: "Spring Sale",
        touched_at: "2026-06-10 00:00:00+00",
      },
      {
        touch_id: "paid_social:111.222-2",
        account_id: "company:77",
        channel: "paid_social",
        touch_type: "ad_click",
        campaign_key: "meta_ads:222",
        campaign_name: "Retargeting_EU",
        touched_at: "2026-06-20 00:00:00+00",
      },
      {
        touch_id: "web:111.222-3",
        account_id: "company:77",
        channel: "web",
        touch_type: "visit",
        campaign_key: "web:linkedin/social/launch",
        campaign_name: "launch",
        touched_at: "2026-06-25 00:00:00+00",
      },
    ]);

    expect(
      await db.warehouse.query(
        `SELECT CAST(day AS VARCHAR) AS day, campaign_key, cost, utm_campaign
         FROM marts.fct_ad_spend ORDER BY day`,
      ),
    ).toEqual([
      {
        day: "2026-06-09",
        campaign_key: "google_ads:111",
        cost: 12.5,
        utm_campaign: "spring_sale",
      },
      { day: "2026-06-10", campaign_key: "google_ads:111", cost: 7.5, utm_campaign: "spring_sale" },
      { day: "2026-06-20", campaign_key: "meta_ads:222", cost: 30, utm_campaign: "retargeting_eu" },
    ]);

    // The three touches in the window share deal 900's 1,000 linearly; the ads cost their spend.
    expect(
      await db.warehouse.query(
        `SELECT model, channel, campaign_key, cost, attributed_revenue, roi_pct
         FROM reports.rpt_channel_roi WHERE model IN ('linear', 'first_touch') ORDER BY model, campaign_key`,
      ),
    ).toEqual([
      {
        model: "first_touch",
        channel: "paid_search",
        campaign_key: "google_ads:111",
        cost: 20,
        attributed_revenue: 1000,
        roi_pct: 4900,
      },
      {
        model: "first_touch",
        channel: "paid_social",
        campaign_key: "meta_ads:222",
        cost: 30,
        attributed_revenue: 0,
        roi_pct: -100,
      },
      {
        model: "first_touch",
        channel: "web",
        campaign_key: "web:linkedin/social/launch",
        cost: 0,
        attributed_revenue: 0,
        roi_pct: null,
      },
      {
        model: "linear",
        channel: "paid_search",
        campaign_key: "google_ads:111",
        cost: 20,
        attributed_revenue: 333.33,
        roi_pct: 1566.7,
      },
      {
        model: "linear",
        channel: "paid_social",
        campaign_key: "meta_ads:222",
        cost: 30,
        attributed_revenue: 333.33,
        roi_pct: 1011.1,
      },
      {
        model: "linear",
        channel: "web",
        campaign_key: "web:linkedin/social/launch",
        cost: 0,
        attributed_revenue: 333.33,
        roi_pct: null,
      },
    ]);
  });
});
