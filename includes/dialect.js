/**
 * SQL that BigQuery and DuckDB spell differently, rendered for the target being compiled.
 *
 * Models are BigQuery SQL; where the two engines disagree a model calls one of these helpers
 * instead. The target comes from the compile var `target` (`bigquery` by default, `duckdb` when
 * `unistack compile --target duckdb` compiles for the local runner), so the local runner only
 * rewrites names and never translates SQL.
 *
 * Every argument is a SQL expression (a column name or another helper's output) or a constant
 * written in a model; none of them is data.
 */

const TARGETS = ["bigquery", "duckdb"];

/** BigQuery type names as DuckDB spells them (DuckDB's own NUMERIC is DECIMAL(18,3)). */
const DUCKDB_TYPES = {
  STRING: "VARCHAR",
  INT64: "BIGINT",
  FLOAT64: "DOUBLE",
  NUMERIC: "DECIMAL(38, 9)",
  BOOL: "BOOLEAN",
  TIMESTAMP: "TIMESTAMPTZ",
  DATE: "DATE",
  JSON: "JSON",
};

function target() {
  const vars = dataform.projectConfig?.vars || {};
  const value = vars.target || "bigquery";
  if (!TARGETS.includes(value)) {
    throw new Error(`vars.target must be one of ${TARGETS.join(", ")}; got "${value}"`);
  }
  return value;
}

function isDuckDb() {
  return target() === "duckdb";
}

function typeName(bigQueryType) {
  const upper = String(bigQueryType).toUpperCase();
  if (!(upper in DUCKDB_TYPES)) throw new Error(`unknown BigQuery type "${bigQueryType}"`);
  return isDuckDb() ? DUCKDB_TYPES[upper] : upper;
}

function jsonPath(path) {
  if (!/^\$[A-Za-z0-9_.[\]*-]*$/.test(path)) throw new Error(`unsupported JSON path "${path}"`);
  return `'${path}'`;
}

/** A JSON scalar as STRING (NULL when missing, JSON null, an object or an array). */
function jsonString(json, path) {
  return isDuckDb()
    ? `json_extract_string(${json}, ${jsonPath(path)})`
    : `JSON_VALUE(${json}, ${jsonPath(path)})`;
}

/** A JSON array as an array of JSON values, for `unnest` (empty or NULL when missing). */
function jsonArray(json, path) {
  return isDuckDb()
    ? `json_extract(${json}, ${jsonPath(`${path}[*]`)})`
    : `JSON_QUERY_ARRAY(${json}, ${jsonPath(path)})`;
}

/** FROM-clause item: one row per element of `arrayExpr`, the element named `alias`. */
function unnest(arrayExpr, alias) {
  return isDuckDb()
    ? `UNNEST(${arrayExpr}) AS ${alias}_items(${alias})`
    : `UNNEST(${arrayExpr}) AS ${alias}`;
}

function cast(expr, bigQueryType) {
  return `CAST(${expr} AS ${typeName(bigQueryType)})`;
}

/** CAST that yields NULL instead of failing on a malformed value. */
function safeCast(expr, bigQueryType) {
  return isDuckDb()
    ? `TRY_CAST(${expr} AS ${typeName(bigQueryType)})`
    : `SAFE_CAST(${expr} AS ${bigQueryType})`;
}

/** ISO-8601 text with an offset (Shopify's `2008-01-10T11:00:00-05:00`) as TIMESTAMP. */
function parseTimestamp(expr) {
  return safeCast(expr, "TIMESTAMP");
}

/** Unix seconds (SendGrid's `timestamp`) as TIMESTAMP. */
function timestampFromUnixSeconds(expr) {
  return isDuckDb()
    ? `to_timestamp(${safeCast(expr, "INT64")})`
    : `TIMESTAMP_SECONDS(${safeCast(expr, "INT64")})`;
}

function timestampSubDays(timestampExpr, days) {
  const n = Number(days);
  if (!Number.isInteger(n) || n < 0) throw new Error(`days must be a whole number; got "${days}"`);
  return isDuckDb()
    ? `(${timestampExpr} - INTERVAL ${n} DAY)`
    : `TIMESTAMP_SUB(${timestampExpr}, INTERVAL ${n} DAY)`;
}

function regexLiteral(pattern) {
  if (pattern.includes("'")) throw new Error("regex patterns must not contain a single quote");
  // BigQuery reads backslashes in ordinary literals as escapes; DuckDB does not.
  return isDuckDb() ? `'${pattern}'` : `r'${pattern}'`;
}

/** TRUE when `pattern` (RE2) matches anywhere in `expr`. */
function regexpContains(expr, pattern) {
  return isDuckDb()
    ? `regexp_matches(${expr}, ${regexLiteral(pattern)})`
    : `REGEXP_CONTAINS(${expr}, ${regexLiteral(pattern)})`;
}

/** Replaces every match (BigQuery always does; DuckDB needs the 'g' flag). */
function regexpReplaceAll(expr, pattern, replacement) {
  const literal = `'${String(replacement).replaceAll("'", "''")}'`;
  return isDuckDb()
    ? `regexp_replace(${expr}, ${regexLiteral(pattern)}, ${literal}, 'g')`
    : `REGEXP_REPLACE(${expr}, ${regexLiteral(pattern)}, ${literal})`;
}

/** Lower-case hex SHA-256 of a STRING. */
function sha256Hex(expr) {
  return isDuckDb() ? `sha256(${expr})` : `TO_HEX(SHA256(${expr}))`;
}

/** A new random id, `<prefix><32 hex>`, different on every row and every run. */
function newId(prefix) {
  if (!/^[a-z_]*$/.test(prefix)) throw new Error(`id prefix must be [a-z_]*; got "${prefix}"`);
  return isDuckDb()
    ? `('${prefix}' || replace(CAST(uuid() AS VARCHAR), '-', ''))`
    : `CONCAT('${prefix}', REPLACE(GENERATE_UUID(), '-', ''))`;
}

module.exports = {
  target,
  isDuckDb,
  typeName,
  jsonString,
  jsonArray,
  unnest,
  cast,
  safeCast,
  parseTimestamp,
  timestampFromUnixSeconds,
  timestampSubDays,
  regexpContains,
  regexpReplaceAll,
  sha256Hex,
  newId,
};
