import type { Row } from "../platform/ports.js";
import { barChart } from "./charts.js";
import { col, loadSection, type ReportSource } from "./report-data.js";
import { formatPct, type SectionSpec, whenLoaded } from "./section.js";

/** Tables of a schema matching a LIKE pattern (names come from the catalog, never from input). */
async function tablesOf(source: ReportSource, schema: string, prefix: string): Promise<string[]> {
  const rows = await source.query(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = '${schema}' AND starts_with(table_name, '${prefix}') ORDER BY table_name`,
  );
  return rows.map((row: Row) => String(row.table_name));
}

export const audiences: SectionSpec = {
  id: "audiences",
  title: "Audiences and match rates",
  question:
    "How big is each segment, how many members may be sent to ad and email platforms (consent), and how many identifiers did the platform accept?",
  tables: ["marts.seg_*", "ops.sync_runs", "ops.sync_batches", "ops.sync_members"],
  async build(source) {
    const segments = await tablesOf(source, "marts", "seg_");
    const union = segments
      .map(
        (table) => `SELECT '${table}' AS segment, COUNT(*) AS members,
          COUNT(CASE WHEN consent_ad_user_data AND consent_ad_personalization THEN 1 END) AS ad_eligible,
          COUNT(CASE WHEN consent_email_marketing THEN 1 END) AS email_eligible
        FROM marts."${table}"`,
      )
      .join(" UNION ALL ");
    const sizes = await loadSection(
      source,
      "marts.seg_*",
      union === "" ? "SELECT 1 FROM marts.no_segment_tables" : `${union} ORDER BY segment`,
      { segment: col.text, members: col.num, ad_eligible: col.num, email_eligible: col.num },
    );
    const synced = await loadSection(
      source,
      "ops.sync_batches",
      `SELECT split_part(runs.segment, '.', 2) AS segment, runs.destination,
         SUM(batches.sent) AS sent, SUM(batches.accepted) AS accepted,
         SUM(batches.invalid) AS invalid,
         (SELECT COUNT(*) FROM ops.sync_members AS m WHERE m.sync_id = runs.sync_id) AS in_audience
       FROM ops.sync_batches AS batches
       INNER JOIN ops.sync_runs AS runs ON runs.run_id = batches.run_id AND runs.sync_id = batches.sync_id
       GROUP BY runs.segment, runs.destination, runs.sync_id ORDER BY segment`,
      {
        segment: col.text,
        destination: col.text,
        sent: col.num,
        accepted: col.num,
        invalid: col.num,
        in_audience: col.num,
      },
    );
    return whenLoaded(sizes, (rows) => {
      const syncRows = synced.status === "ok" ? synced.rows : [];
      const inAudience = (segment: string | null) =>
        syncRows.find((s) => s.segment === segment)?.in_audience ?? null;
      return {
        charts: [
          {
            id: "audience-sizes",
            option: barChart({
              categories: rows.map((r) => r.segment ?? "?"),
              valueName: "contacts",
              series: [
                { name: "Members", data: rows.map((r) => r.members) },
                { name: "Ad consent (both purposes)", data: rows.map((r) => r.ad_eligible) },
                { name: "Email consent", data: rows.map((r) => r.email_eligible) },
                { name: "In the ad audience now", data: rows.map((r) => inAudience(r.segment)) },
              ],
            }),
          },
        ],
        table: {
          columns: ["Segment", "Destination", "Sent", "Accepted", "Refused", "Accepted %"],
          rows:
            syncRows.length > 0
              ? syncRows.map((s) => [
                  s.segment,
                  s.destination,
                  s.sent,
                  s.accepted,
                  s.invalid,
                  formatPct(s.sent ? (100 * (s.accepted ?? 0)) / s.sent : null),
                ])
              : [["(no sync has run yet)", null, null, null, null, null]],
        },
      };
    });
  },
};

export const boughtTogether: SectionSpec = {
  id: "bought-together",
  title: "Bought together",
  question:
    "Which products sell together more often than chance (lift), the basis of the onboarding recommendations?",
  tables: ["marts.product_affinity", "marts.seg_onboarding"],
  async build(source) {
    const data = await loadSection(
      source,
      "marts.product_affinity",
      `SELECT product_title || ' → ' || related_product_title AS pair, lift, orders_together
       FROM marts.product_affinity WHERE product_id < related_product_id
       ORDER BY lift DESC, orders_together DESC, pair LIMIT 10`,
      { pair: col.text, lift: col.num, orders_together: col.num },
    );
    return whenLoaded(data, (rows) => ({
      charts: [
        {
          id: "affinity-lift",
          option: barChart({
            categories: rows.map((r) => r.pair ?? "?"),
            valueName: "lift",
            horizontal: true,
            series: [{ name: "Lift", data: rows.map((r) => r.lift) }],
          }),
        },
      ],
    }));
  },
};
