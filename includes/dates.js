/**
 * Calendar arithmetic for the reporting models (rpt_*, analytics), rendered for the target being
 * compiled like includes/dialect.js. Months are UTC calendar months: the local warehouse runs
 * with TimeZone = 'UTC' and BigQuery's DATE(timestamp) is UTC, so both engines agree.
 *
 * Every argument is a SQL expression written in a model, never data.
 */

function wholeNumber(value, what) {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`${what} must be a whole number; got "${value}"`);
  return n;
}

/** First day (DATE) of the UTC month of a TIMESTAMP. */
function monthOf(timestampExpr) {
  return dialect.isDuckDb()
    ? `CAST(date_trunc('month', ${timestampExpr}) AS DATE)`
    : `DATE_TRUNC(DATE(${timestampExpr}), MONTH)`;
}

/** UTC calendar day (DATE) of a TIMESTAMP. */
function dayOf(timestampExpr) {
  return dialect.isDuckDb() ? `CAST(${timestampExpr} AS DATE)` : `DATE(${timestampExpr})`;
}

/** DATE `dateExpr` moved by `months` (a constant; negative goes back). */
function addMonths(dateExpr, months) {
  const n = wholeNumber(months, "months");
  return dialect.isDuckDb()
    ? `CAST(${dateExpr} + INTERVAL (${n}) MONTH AS DATE)`
    : `DATE_ADD(${dateExpr}, INTERVAL ${n} MONTH)`;
}

/** Whole months from DATE `fromExpr` to DATE `toExpr` (both first days of a month). */
function monthsBetween(fromExpr, toExpr) {
  return dialect.isDuckDb()
    ? `date_diff('month', ${fromExpr}, ${toExpr})`
    : `DATE_DIFF(${toExpr}, ${fromExpr}, MONTH)`;
}

/** Whole days from DATE `fromExpr` to DATE `toExpr`. */
function daysBetween(fromExpr, toExpr) {
  return dialect.isDuckDb()
    ? `date_diff('day', ${fromExpr}, ${toExpr})`
    : `DATE_DIFF(${toExpr}, ${fromExpr}, DAY)`;
}

/** Seconds from TIMESTAMP `fromExpr` to TIMESTAMP `toExpr` (INT64; negative when earlier). */
function secondsBetween(fromExpr, toExpr) {
  return dialect.isDuckDb()
    ? `CAST(epoch(${toExpr}) - epoch(${fromExpr}) AS BIGINT)`
    : `TIMESTAMP_DIFF(${toExpr}, ${fromExpr}, SECOND)`;
}

/** TIMESTAMP `timestampExpr` moved by `hours` (an expression or constant, may be fractional). */
function addHours(timestampExpr, hoursExpr) {
  return dialect.isDuckDb()
    ? `(${timestampExpr} + to_microseconds(CAST(ROUND((${hoursExpr}) * 3600000000) AS BIGINT)))`
    : `TIMESTAMP_ADD(${timestampExpr}, INTERVAL CAST(ROUND((${hoursExpr}) * 3600) AS INT64) SECOND)`;
}

/** The month (DATE) of CURRENT_TIMESTAMP. */
function currentMonth() {
  return monthOf("CURRENT_TIMESTAMP");
}

/**
 * A table expression with one row per month from DATE `fromExpr` to DATE `toExpr` (first days of
 * months, both included), the column named `column`: for use after FROM / CROSS JOIN.
 */
function monthSeries(fromExpr, toExpr, column) {
  if (!/^[a-z_][a-z0-9_]*$/.test(column)) throw new Error(`bad column name "${column}"`);
  return dialect.isDuckDb()
    ? `(SELECT CAST(generate_series AS DATE) AS ${column} FROM generate_series(CAST(${fromExpr} AS TIMESTAMP), CAST(${toExpr} AS TIMESTAMP), INTERVAL 1 MONTH))`
    : `UNNEST(GENERATE_DATE_ARRAY(${fromExpr}, ${toExpr}, INTERVAL 1 MONTH)) AS ${column}`;
}

/** A DATE literal from 'YYYY-MM-DD' text written in config. */
function dateLiteral(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(String(text))) throw new Error(`not a date: "${text}"`);
  return `DATE '${text}'`;
}

module.exports = {
  monthOf,
  dayOf,
  addMonths,
  monthsBetween,
  daysBetween,
  secondsBetween,
  addHours,
  currentMonth,
  monthSeries,
  dateLiteral,
};
