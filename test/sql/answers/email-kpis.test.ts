import { describe, expect, it } from "vitest";
import { runDuckDbGraph } from "../../../functions/dataform/run-duckdb.js";
import { useGraphWarehouse } from "../fixtures.js";
import {
  EMPTY_CORE,
  loadRawTables,
  type SendgridFixtureEvent,
  sendgridMessageEvent,
} from "./raw-fixtures.js";

const db = useGraphWarehouse();

const SEPT = "2026-09-10T09:00:00Z";
const OCT = "2026-10-05T09:00:00Z";
const later = (iso: string, minutes: number) =>
  new Date(Date.parse(iso) + minutes * 60_000).toISOString();

/** One message: its events, in order, `minutes` apart. */
function message(
  id: string,
  sentAt: string,
  events: readonly (string | { event: string; machineOpen?: boolean; at?: string })[],
  extra: Pick<SendgridFixtureEvent, "category" | "singlesend"> = { category: "newsletter" },
): SendgridFixtureEvent[] {
  return events.map((e, i) => {
    const spec = typeof e === "string" ? { event: e } : e;
    return {
      id: `${id}-${i}`,
      message: id,
      email: `${id}@example.com`,
      event: spec.event,
      at: spec.at ?? later(sentAt, i * 10),
      ...extra,
      ...(spec.machineOpen === undefined
        ? spec.event === "open"
          ? { machineOpen: false }
          : {}
        : { machineOpen: spec.machineOpen }),
    };
  });
}

const LAUNCH = { singlesend: { id: "ss-1", name: "October launch" }, category: ["launch"] };

const EVENTS: SendgridFixtureEvent[] = [
  // September, category newsletter: 6 messages.
  ...message("m1", SEPT, ["delivered", "open", "click", "click"]),
  ...message("m2", SEPT, ["delivered", { event: "open", machineOpen: true }]),
  ...message("m3", SEPT, ["delivered", { event: "open", machineOpen: true }, "click"]),
  ...message("m4", SEPT, ["bounce"]),
  ...message("m5", SEPT, ["delivered", "unsubscribe"]),
  ...message("m6", SEPT, ["delivered", "open"]),
  // October: Single Send "October launch" (4 messages) and one newsletter.
  ...message("m7", OCT, ["delivered", "open", "click"], LAUNCH),
  ...message("m8", OCT, ["delivered", "open"], LAUNCH),
  // Opened in November: still counts for its October send.
  ...message("m9", OCT, ["delivered", { event: "open", at: "2026-11-02T08:00:00Z" }], LAUNCH),
  ...message("m10", OCT, ["delivered"], LAUNCH),
  // SendGrid sends category as a string or as an array: both name the same campaign.
  ...message("m11", OCT, ["delivered", "open", "click"], { category: ["newsletter", "autumn"] }),
];

async function run(events: SendgridFixtureEvent[]) {
  const lines = events.map(sendgridMessageEvent);
  // SendGrid redelivers: the same click event arrives twice and counts once.
  const repeated = lines.find((line) => line._record_id === "m1-2");
  await loadRawTables(db.warehouse, {
    ...EMPTY_CORE,
    "sendgrid.events": repeated ? [...lines, repeated] : lines,
  });
  await runDuckDbGraph(db.warehouse, db.graph);
}

describe("email KPIs", () => {
  it("counts each message once per outcome and tells machine opens from impressions", async () => {
    await run(EVENTS);
    const messages = await db.warehouse.query(
      `SELECT REPLACE(message_id, '.filterdrecv-1', '') AS message, is_delivered, is_opened,
         is_machine_opened_only, is_impression, clicks, campaign_key, CAST(sent_month AS VARCHAR) AS sent_month
       FROM marts.fct_email_messages WHERE message_id < 'm4' ORDER BY message_id`,
    );
    expect(messages).toEqual([
      {
        message: "m1",
        is_delivered: true,
        is_opened: true,
        is_machine_opened_only: false,
        is_impression: true,
        clicks: 2,
        campaign_key: "category:newsletter",
        sent_month: "2026-09-01",
      },
      {
        message: "m10",
        is_delivered: true,
        is_opened: false,
        is_machine_opened_only: false,
        is_impression: false,
        clicks: 0,
        campaign_key: "singlesend:ss-1",
        sent_month: "2026-10-01",
      },
      {
        message: "m11",
        is_delivered: true,
        is_opened: true,
        is_machine_opened_only: false,
        is_impression: true,
        clicks: 1,
        campaign_key: "category:newsletter",
        sent_month: "2026-10-01",
      },
      {
        message: "m2",
        is_delivered: true,
        is_opened: true,
        is_machine_opened_only: true,
        is_impression: false,
        clicks: 0,
        campaign_key: "category:newsletter",
        sent_month: "2026-09-01",
      },
      {
        message: "m3",
        is_delivered: true,
        is_opened: true,
        is_machine_opened_only: false,
        is_impression: true,
        clicks: 1,
        campaign_key: "category:newsletter",
        sent_month: "2026-09-01",
      },
    ]);
  });

  it("reports sends, deliveries, opens, CTR over impressions, bounce and unsubscribe rates per month with the trend", async () => {
    await run(EVENTS);
    const rows = await db.warehouse.query(
      `SELECT CAST(month AS VARCHAR) AS month, business_unit, campaigns, sends, deliveries, bounces,
         unique_opens, machine_only_opens, impressions, unique_clicks, clicks, unsubscribes,
         ctr_pct, open_rate_pct, impression_rate_pct, click_rate_pct, bounce_rate_pct,
         unsubscribe_rate_pct, previous_ctr_pct, ctr_change_pts, unique_clicks_change_pct
       FROM reports.rpt_email_kpis_monthly ORDER BY month`,
    );
    expect(rows).toEqual([
      {
        month: "2026-09-01",
        business_unit: "default",
        campaigns: 1,
        sends: 6,
        deliveries: 5,
        bounces: 1,
        unique_opens: 4,
        machine_only_opens: 1,
        impressions: 3,
        unique_clicks: 2,
        clicks: 3,
        unsubscribes: 1,
        ctr_pct: 66.67,
        open_rate_pct: 80,
        impression_rate_pct: 60,
        click_rate_pct: 40,
        bounce_rate_pct: 16.67,
        unsubscribe_rate_pct: 20,
        previous_ctr_pct: null,
        ctr_change_pts: null,
        unique_clicks_change_pct: null,
      },
      {
        month: "2026-10-01",
        business_unit: "default",
        campaigns: 2,
        sends: 5,
        deliveries: 5,
        bounces: 0,
        unique_opens: 4,
        machine_only_opens: 0,
        impressions: 4,
        unique_clicks: 2,
        clicks: 2,
        unsubscribes: 0,
        ctr_pct: 50,
        open_rate_pct: 80,
        impression_rate_pct: 80,
        click_rate_pct: 40,
        bounce_rate_pct: 0,
        unsubscribe_rate_pct: 0,
        previous_ctr_pct: 66.67,
        ctr_change_pts: -16.67,
        unique_clicks_change_pct: 0,
      },
    ]);
  });

  it("reports each campaign and single send per month against the campaign's previous month", async () => {
    await run(EVENTS);
    const rows = await db.warehouse.query(
      `SELECT CAST(month AS VARCHAR) AS month, campaign_key, campaign_type, campaign_name, sends,
         impressions, unique_clicks, ctr_pct, CAST(previous_month AS VARCHAR) AS previous_month,
         previous_ctr_pct, ctr_change_pts
       FROM reports.rpt_email_campaign_kpis ORDER BY month, campaign_key`,
    );
    expect(rows).toEqual([
      {
        month: "2026-09-01",
        campaign_key: "category:newsletter",
        campaign_type: "category",
        campaign_name: "newsletter",
        sends: 6,
        impressions: 3,
        unique_clicks: 2,
        ctr_pct: 66.67,
        previous_month: null,
        previous_ctr_pct: null,
        ctr_change_pts: null,
      },
      {
        month: "2026-10-01",
        campaign_key: "category:newsletter",
        campaign_type: "category",
        campaign_name: "newsletter",
        sends: 1,
        impressions: 1,
        unique_clicks: 1,
        ctr_pct: 100,
        previous_month: "2026-09-01",
        previous_ctr_pct: 66.67,
        ctr_change_pts: 33.33,
      },
      {
        month: "2026-10-01",
        campaign_key: "singlesend:ss-1",
        campaign_type: "single_send",
        campaign_name: "October launch",
        sends: 4,
        impressions: 3,
        unique_clicks: 1,
        ctr_pct: 33.33,
        previous_month: null,
        previous_ctr_pct: null,
        ctr_change_pts: null,
      },
    ]);
  });

  it("has no CTR for a month without impressions instead of dividing by zero", async () => {
    await run(message("z1", SEPT, ["delivered", { event: "open", machineOpen: true }]));
    const rows = await db.warehouse.query(
      "SELECT impressions, ctr_pct, open_rate_pct FROM reports.rpt_email_kpis_monthly",
    );
    expect(rows).toEqual([{ impressions: 0, ctr_pct: null, open_rate_pct: 100 }]);
  });
});
