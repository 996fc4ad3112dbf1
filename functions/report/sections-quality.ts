import type { Row } from "../platform/ports.js";
import { barChart } from "./charts.js";
import { col, loadSection, type ReportSource } from "./report-data.js";
import { type SectionSpec, whenLoaded } from "./section.js";

async function tableNames(source: ReportSource, schema: string): Promise<string[]> {
  const rows = await source.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = '${schema}' ORDER BY table_name`,
  );
  return rows.map((row: Row) => String(row.table_name));
}

/**
 * Freshness: per raw table, its rows and the hours since the last record was accepted (what the
 * sources' freshness targets are measured against). Quality: rows staging flagged as unusable,
 * raw files that failed to load, and assertion views with violating rows.
 */
export const freshness: SectionSpec = {
  id: "freshness",
  title: "Data quality and freshness",
  question:
    "Is the data fresh, and did anything fail on the way in (flagged records, failed loads, broken rules)?",
  tables: ["raw.*", "ops_load.raw_load_failures", "assertions.*"],
  async build(source) {
    const raw = await tableNames(source, "raw");
    const union = raw
      .map(
        (table) => `SELECT '${table}' AS source_table, COUNT(*) AS rows_loaded,
          ROUND(date_diff('minute', MAX(_received_at), CURRENT_TIMESTAMP) / 60.0, 1) AS hours_since_last
        FROM raw."${table}"`,
      )
      .join(" UNION ALL ");
    const data = await loadSection(
      source,
      "raw.*",
      union === "" ? "SELECT 1 FROM raw.no_raw_tables" : `${union} ORDER BY source_table`,
      { source_table: col.text, rows_loaded: col.num, hours_since_last: col.num },
    );
    const problems = await qualityProblems(source);
    return whenLoaded(data, (rows) => ({
      charts: [
        {
          id: "freshness-rows",
          option: barChart({
            categories: rows.map((r) => r.source_table ?? "?"),
            valueName: "rows",
            series: [{ name: "Rows loaded", data: rows.map((r) => r.rows_loaded) }],
          }),
        },
      ],
      table: {
        columns: ["Check", "Count"],
        rows: [
          ...rows.map((r) => [
            `hours since the last record in raw.${r.source_table}`,
            r.hours_since_last,
          ]),
          ...problems,
        ],
      },
    }));
  },
};

async function qualityProblems(source: ReportSource): Promise<(string | number | null)[][]> {
  const checks: (string | number | null)[][] = [];
  const count = async (label: string, sql: string) => {
    const rows = await loadSection(source, label, sql, { n: col.num });
    checks.push([label, rows.status === "ok" ? (rows.rows[0]?.n ?? 0) : null]);
  };
  await count(
    "staged orders flagged unusable (invalid_reason)",
    "SELECT COUNT(*) AS n FROM staging.stg_shopify__orders WHERE invalid_reason IS NOT NULL",
  );
  await count(
    "raw files that failed to load",
    "SELECT COUNT(*) AS n FROM ops_load.raw_load_failures",
  );
  const assertions = await tableNames(source, "assertions");
  let failing = 0;
  for (const name of assertions) {
    const rows = await source.query(`SELECT COUNT(*) AS n FROM assertions."${name}"`);
    if (Number(rows[0]?.n ?? 0) > 0) failing += 1;
  }
  checks.push([`assertions checked (${assertions.length}) with violating rows`, failing]);
  return checks;
}
