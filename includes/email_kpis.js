/**
 * The email KPIs, defined once for every grain that reports them (rpt_email_kpis_monthly,
 * rpt_email_campaign_kpis). They count messages of marts.fct_email_messages (one recipient of
 * one send), so opens and clicks are unique per recipient and message.
 *
 * CTR = unique clicks / unique recipient impressions × 100, where an impression is a delivered
 * message its reader demonstrably saw: an open SendGrid did not flag as an Apple Mail Privacy
 * Protection machine open (sg_machine_open), or a click. SendGrid's own unique open rate
 * (unique opens / delivered) counts MPP prefetches as opens, which inflates opens and deflates
 * CTR for Apple Mail readers; both are reported so the difference stays visible.
 */

/** Aggregates over fct_email_messages rows (use inside a GROUP BY). */
function measures() {
  const count = (condition) => `COUNT(CASE WHEN ${condition} THEN 1 END)`;
  return `COUNT(*) AS sends,
    ${count("is_delivered")} AS deliveries,
    ${count("is_bounced")} AS bounces,
    ${count("is_dropped")} AS drops,
    ${count("is_opened")} AS unique_opens,
    ${count("is_machine_opened_only")} AS machine_only_opens,
    ${count("is_impression")} AS impressions,
    ${count("is_clicked")} AS unique_clicks,
    ${dialect.cast("SUM(clicks)", "INT64")} AS clicks,
    ${count("is_unsubscribed")} AS unsubscribes,
    ${count("is_spam_reported")} AS spam_reports`;
}

function rate(numerator, denominator) {
  return `ROUND(100 * ${numerator} / NULLIF(${denominator}, 0), 2)`;
}

/** Rates over the columns measures() produced, optionally qualified by a table alias. */
function rates(alias) {
  const c = (column) => (alias ? `${alias}.${column}` : column);
  return `${rate(c("unique_clicks"), c("impressions"))} AS ctr_pct,
    ${rate(c("deliveries"), c("sends"))} AS delivery_rate_pct,
    ${rate(c("unique_opens"), c("deliveries"))} AS open_rate_pct,
    ${rate(c("impressions"), c("deliveries"))} AS impression_rate_pct,
    ${rate(c("unique_clicks"), c("deliveries"))} AS click_rate_pct,
    ${rate(c("bounces"), c("sends"))} AS bounce_rate_pct,
    ${rate(c("unsubscribes"), c("deliveries"))} AS unsubscribe_rate_pct`;
}

const MEASURES = [
  "sends",
  "deliveries",
  "bounces",
  "drops",
  "unique_opens",
  "machine_only_opens",
  "impressions",
  "unique_clicks",
  "clicks",
  "unsubscribes",
  "spam_reports",
];
const RATES = [
  "ctr_pct",
  "delivery_rate_pct",
  "open_rate_pct",
  "impression_rate_pct",
  "click_rate_pct",
  "bounce_rate_pct",
  "unsubscribe_rate_pct",
];

/** Column docs of the measures and rates, shared by the rpt_ models that carry them. */
const COLUMN_DOCS = {
  sends: "Messages SendGrid processed (one per recipient per send), INT64.",
  deliveries: "Messages with a delivered event.",
  bounces: "Messages that bounced.",
  drops: "Messages SendGrid dropped without sending.",
  unique_opens:
    "Messages opened at least once, Apple MPP machine opens included (SendGrid's unique opens).",
  machine_only_opens:
    "Messages whose only opens were Apple MPP machine opens (sg_machine_open) and that were not clicked.",
  impressions:
    "Unique recipient impressions: messages with an open not flagged sg_machine_open, or a click.",
  unique_clicks: "Messages clicked at least once.",
  clicks: "Click events, repeats included.",
  unsubscribes: "Messages the recipient unsubscribed through (unsubscribe, group_unsubscribe).",
  spam_reports: "Messages reported as spam.",
  ctr_pct:
    "CTR = unique_clicks / impressions × 100 (FLOAT64, 2 decimals; NULL without impressions).",
  delivery_rate_pct: "deliveries / sends × 100.",
  open_rate_pct: "unique_opens / deliveries × 100 (SendGrid's unique open rate, MPP included).",
  impression_rate_pct: "impressions / deliveries × 100: the open rate without machine opens.",
  click_rate_pct: "unique_clicks / deliveries × 100.",
  bounce_rate_pct: "bounces / sends × 100.",
  unsubscribe_rate_pct: "unsubscribes / deliveries × 100.",
};

module.exports = { measures, rates, MEASURES, RATES, COLUMN_DOCS };
