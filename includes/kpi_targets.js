/**
 * KPI targets from config (workflow var `kpi_targets`, a JSON array), tracked by
 * reports.rpt_kpi_targets. A target reads like "+25 % email clicks within 12 months":
 *
 *   { "id": "email_clicks_plus_25", "kpi": "email_unique_clicks", "business_unit": "all",
 *     "start": "2026-11-01", "months": 12, "change_pct": 25, "baseline_months": 3 }
 *
 * baseline = the KPI over the `baseline_months` months before `start`; target value = baseline ×
 * (1 + change_pct / 100), to be reached in the target's last month (start + months − 1); the
 * expected path climbs linearly from the baseline to it. `business_unit` "all" sums every unit.
 * Everything is checked here at compile time: a bad target fails the compile with its id and
 * what is wrong, never the run.
 */

/**
 * The KPIs a target can name: monthly value = numerator / denominator × scale, over
 * reports.rpt_email_kpis_monthly. Counts use denominator 1, so a baseline over several months is
 * their monthly average, and a rate over several months is recomputed from the summed counts.
 */
const KPIS = {
  email_sends: { numerator: "sends", denominator: "1", scale: 1, higherIsBetter: true },
  email_deliveries: { numerator: "deliveries", denominator: "1", scale: 1, higherIsBetter: true },
  email_impressions: { numerator: "impressions", denominator: "1", scale: 1, higherIsBetter: true },
  email_unique_clicks: {
    numerator: "unique_clicks",
    denominator: "1",
    scale: 1,
    higherIsBetter: true,
  },
  email_ctr_pct: {
    numerator: "unique_clicks",
    denominator: "impressions",
    scale: 100,
    higherIsBetter: true,
  },
  email_unsubscribe_rate_pct: {
    numerator: "unsubscribes",
    denominator: "deliveries",
    scale: 100,
    higherIsBetter: false,
  },
};

function fail(id, message) {
  throw new Error(`kpi_targets: target "${id}": ${message}`);
}

/** The configured targets, validated. */
function targets() {
  const raw = (dataform.projectConfig.vars || {}).kpi_targets || "[]";
  let list;
  try {
    list = JSON.parse(raw);
  } catch (error) {
    throw new Error(`kpi_targets must be a JSON array: ${error.message}`);
  }
  if (!Array.isArray(list)) throw new Error("kpi_targets must be a JSON array of targets");
  const seen = new Set();
  return list.map((t) => {
    const id = String(t && t.id);
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(id)) fail(id, "id must be lower-case letters, digits, _");
    if (seen.has(id)) fail(id, "id is used twice");
    seen.add(id);
    if (!(t.kpi in KPIS)) fail(id, `kpi must be one of ${Object.keys(KPIS).join(", ")}`);
    if (!/^\d{4}-\d{2}-01$/.test(String(t.start)))
      fail(id, "start must be the first day of a month, YYYY-MM-01");
    const months = Number(t.months);
    if (!Number.isInteger(months) || months < 1 || months > 60) fail(id, "months must be 1–60");
    const baselineMonths = Number(t.baseline_months ?? 3);
    if (!Number.isInteger(baselineMonths) || baselineMonths < 1 || baselineMonths > 24) {
      fail(id, "baseline_months must be 1–24");
    }
    const change = Number(t.change_pct);
    if (!Number.isFinite(change) || change === 0) fail(id, "change_pct must be a non-zero number");
    const unit = String(t.business_unit ?? "all");
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(unit)) fail(id, "business_unit must be a unit name or all");
    return {
      id,
      kpi: t.kpi,
      start: t.start,
      months,
      baselineMonths,
      change,
      unit,
      note: String(t.description ?? ""),
    };
  });
}

function literal(text) {
  return `'${String(text).replaceAll("'", "''")}'`;
}

/** 'YYYY-MM-01' moved by n months. */
function shiftMonth(start, n) {
  const [y, m] = start.split("-").map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}-01`;
}

/** One row per (target, month of its horizon): the targets as a table expression. */
function targetMonths() {
  const rows = targets().flatMap((t) =>
    Array.from({ length: t.months }, (_, i) => {
      const spec = KPIS[t.kpi];
      return `SELECT ${literal(t.id)} AS target_id, ${literal(t.kpi)} AS kpi, ${literal(t.unit)} AS business_unit,
        ${literal(t.note)} AS description, ${spec.higherIsBetter} AS higher_is_better,
        ${dates.dateLiteral(t.start)} AS start_month, ${dates.dateLiteral(shiftMonth(t.start, t.months - 1))} AS target_month,
        ${dates.dateLiteral(shiftMonth(t.start, -t.baselineMonths))} AS baseline_from,
        ${t.months} AS months, ${i + 1} AS month_number, ${dates.dateLiteral(shiftMonth(t.start, i))} AS month,
        ${t.change} AS change_pct`;
    }),
  );
  // No target configured: an empty table of the same shape.
  return rows.length > 0
    ? rows.join("\nUNION ALL\n")
    : `SELECT CAST(NULL AS STRING) AS target_id, CAST(NULL AS STRING) AS kpi, CAST(NULL AS STRING) AS business_unit,
        CAST(NULL AS STRING) AS description, TRUE AS higher_is_better, CAST(NULL AS DATE) AS start_month,
        CAST(NULL AS DATE) AS target_month, CAST(NULL AS DATE) AS baseline_from, 0 AS months, 0 AS month_number,
        CAST(NULL AS DATE) AS month, 0 AS change_pct
      FROM (SELECT 1 AS one) AS nothing WHERE FALSE`.replaceAll(
        "STRING",
        dialect.typeName("STRING"),
      );
}

/** Monthly numerator and denominator of every KPI, per business unit and for "all". */
function kpiMonthly(monthlyTable) {
  return Object.entries(KPIS)
    .map(
      ([kpi, spec]) => `SELECT business_unit, month, '${kpi}' AS kpi,
        ${dialect.cast(spec.numerator, "FLOAT64")} AS numerator, ${dialect.cast(spec.denominator, "FLOAT64")} AS denominator
      FROM ${monthlyTable}
      UNION ALL
      SELECT 'all' AS business_unit, month, '${kpi}' AS kpi,
        ${dialect.cast(`SUM(${spec.numerator})`, "FLOAT64")}, ${dialect.cast(spec.denominator === "1" ? "1" : `SUM(${spec.denominator})`, "FLOAT64")}
      FROM ${monthlyTable} GROUP BY month`,
    )
    .join("\nUNION ALL\n");
}

function scaleOf(kpiExpr) {
  return `CASE ${kpiExpr} ${Object.entries(KPIS)
    .map(([kpi, spec]) => `WHEN '${kpi}' THEN ${spec.scale}`)
    .join(" ")} END`;
}

module.exports = { KPIS, targets, targetMonths, kpiMonthly, scaleOf };
