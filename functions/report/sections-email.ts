import { barChart, lineChart } from "./charts.js";
import { col, loadSection } from "./report-data.js";
import { formatNumber, formatPct, monthLabel, type SectionSpec, whenLoaded } from "./section.js";

const MONTHLY = "reports.rpt_email_kpis_monthly";
const CAMPAIGNS = "reports.rpt_email_campaign_kpis";

/** Business units summed per month: rates recomputed from the counts, never averaged. */
const MONTHLY_SQL = `
  SELECT CAST(month AS VARCHAR) AS month,
    SUM(sends) AS sends, SUM(deliveries) AS deliveries, SUM(impressions) AS impressions,
    SUM(unique_clicks) AS unique_clicks, SUM(unique_opens) AS unique_opens,
    SUM(unsubscribes) AS unsubscribes, SUM(bounces) AS bounces,
    ROUND(100 * SUM(unique_clicks) / NULLIF(SUM(impressions), 0), 2) AS ctr_pct,
    ROUND(100 * SUM(unique_opens) / NULLIF(SUM(deliveries), 0), 2) AS open_rate_pct,
    ROUND(100 * SUM(impressions) / NULLIF(SUM(deliveries), 0), 2) AS impression_rate_pct,
    ROUND(100 * SUM(unsubscribes) / NULLIF(SUM(deliveries), 0), 2) AS unsubscribe_rate_pct,
    ROUND(100 * SUM(bounces) / NULLIF(SUM(sends), 0), 2) AS bounce_rate_pct
  FROM ${MONTHLY} GROUP BY month ORDER BY month`;

const monthlyShape = {
  month: col.text,
  sends: col.num,
  deliveries: col.num,
  impressions: col.num,
  unique_clicks: col.num,
  unique_opens: col.num,
  unsubscribes: col.num,
  bounces: col.num,
  ctr_pct: col.num,
  open_rate_pct: col.num,
  impression_rate_pct: col.num,
  unsubscribe_rate_pct: col.num,
  bounce_rate_pct: col.num,
};

export const emailKpis: SectionSpec = {
  id: "kpis",
  title: "Email KPIs",
  question: "How did email do last month, and compared with the month before?",
  tables: [MONTHLY],
  async build(source) {
    const data = await loadSection(source, MONTHLY, MONTHLY_SQL, monthlyShape);
    return whenLoaded(data, (rows) => {
      const last = rows.at(-1);
      const before = rows.at(-2);
      const change = (a: number | null | undefined, b: number | null | undefined) =>
        a == null || b == null ? "" : ` (${a - b >= 0 ? "+" : ""}${formatNumber(a - b, 2)} pts)`;
      return {
        tiles: [
          { label: "Month", value: monthLabel(last?.month ?? null) },
          { label: "Sends", value: formatNumber(last?.sends ?? null) },
          { label: "Deliveries", value: formatNumber(last?.deliveries ?? null) },
          {
            label: "CTR (clicks / impressions)",
            value: `${formatPct(last?.ctr_pct ?? null)}${change(last?.ctr_pct, before?.ctr_pct)}`,
          },
          { label: "Unique open rate", value: formatPct(last?.open_rate_pct ?? null) },
          { label: "Bounce rate", value: formatPct(last?.bounce_rate_pct ?? null) },
          { label: "Unsubscribe rate", value: formatPct(last?.unsubscribe_rate_pct ?? null) },
        ],
      };
    });
  },
};

export const ctrTrend: SectionSpec = {
  id: "ctr-trend",
  title: "Email CTR trend",
  question:
    "Is email click-through improving? CTR = unique clicks / unique recipient impressions (an open not flagged as an Apple Mail Privacy Protection machine open, or a click).",
  tables: [MONTHLY],
  async build(source) {
    const data = await loadSection(source, MONTHLY, MONTHLY_SQL, monthlyShape);
    return whenLoaded(data, (rows) => ({
      charts: [
        {
          id: "ctr-trend",
          option: lineChart({
            categories: rows.map((r) => monthLabel(r.month)),
            yNames: ["%", "messages"],
            series: [
              { name: "Sends", data: rows.map((r) => r.sends), bar: true, axis: 1 },
              { name: "CTR %", data: rows.map((r) => r.ctr_pct) },
              { name: "Unique open rate %", data: rows.map((r) => r.open_rate_pct) },
              { name: "Impression rate % (no MPP)", data: rows.map((r) => r.impression_rate_pct) },
            ],
          }),
        },
      ],
      table: {
        columns: ["Month", "Sends", "Impressions", "Unique clicks", "CTR %", "Unsubscribe %"],
        rows: rows.map((r) => [
          monthLabel(r.month),
          r.sends,
          r.impressions,
          r.unique_clicks,
          r.ctr_pct,
          r.unsubscribe_rate_pct,
        ]),
      },
    }));
  },
};

export const emailCampaigns: SectionSpec = {
  id: "campaigns",
  title: "Campaigns and Single Sends",
  question: "Which campaigns earned clicks in the last three months?",
  tables: [CAMPAIGNS],
  async build(source) {
    const data = await loadSection(
      source,
      CAMPAIGNS,
      `SELECT campaign_name, SUM(sends) AS sends, SUM(unique_clicks) AS unique_clicks,
         ROUND(100 * SUM(unique_clicks) / NULLIF(SUM(impressions), 0), 2) AS ctr_pct
       FROM ${CAMPAIGNS}
       WHERE month >= (SELECT MAX(month) FROM ${CAMPAIGNS}) - INTERVAL 2 MONTH
       GROUP BY campaign_name ORDER BY sends DESC, campaign_name LIMIT 12`,
      { campaign_name: col.text, sends: col.num, unique_clicks: col.num, ctr_pct: col.num },
    );
    return whenLoaded(data, (rows) => ({
      charts: [
        {
          id: "campaign-ctr",
          option: barChart({
            categories: rows.map((r) => r.campaign_name ?? "?"),
            valueName: "CTR %",
            horizontal: true,
            series: [{ name: "CTR %", data: rows.map((r) => r.ctr_pct) }],
          }),
        },
      ],
    }));
  },
};
