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

/**
 * Model type of the staging models that parse raw JSON: a view on BigQuery (staging models are
 * views, dbt-style), a table on DuckDB. DuckDB stores JSON as text, so every read of such a view
 * parses every raw payload again, and the graph reads each staging model about twenty times
 * (intermediate views, marts, one scan per inline assertion condition). Built once per run as
 * a table, the same query gives the same rows to every reader; see docs/decisions.md.
 */
function stagingType() {
  return isDuckDb() ? "table" : "view";
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

/**
 * The fields a model reads from one JSON column, parsed once per row.
 *
 * DuckDB keeps JSON as text and parses the whole document again for every
 * `json_extract_string` call: a model reading 20 fields parsed each payload 20 times. Declare
 * every path the model reads here, put `parse(column)` in one CTE and read the fields from that
 * column in the next: on DuckDB `parse` is one `json_extract` of all paths (a list of JSON
 * values) and `string` / `array` read one element of it; on BigQuery `parse` is the column
 * itself and they are `JSON_VALUE` / `JSON_QUERY_ARRAY`, as `jsonString` writes them.
 *
 *   const order = dialect.jsonDocument(["$.id", "$.note_attributes"]);
 *   parsed AS (SELECT ${order.parse("payload")} AS order_json FROM raw_records),
 *   typed AS (SELECT ${order.string("order_json", "$.id")} AS order_id FROM parsed)
 */
function jsonDocument(paths) {
  if (!Array.isArray(paths) || paths.length === 0) {
    throw new Error("jsonDocument needs the list of JSON paths the model reads");
  }
  const positions = new Map();
  for (const path of paths) {
    jsonPath(path);
    if (path.includes("*")) throw new Error(`jsonDocument paths name one value; got "${path}"`);
    if (positions.has(path)) throw new Error(`JSON path "${path}" is listed twice`);
    positions.set(path, positions.size + 1);
  }
  function position(path) {
    const found = positions.get(path);
    if (found === undefined) {
      throw new Error(`JSON path "${path}" is not one of the paths given to jsonDocument`);
    }
    return found;
  }
  return {
    /** The column expression that holds the parsed fields (on BigQuery: the JSON itself). */
    parse(json) {
      return isDuckDb() ? `json_extract(${json}, [${paths.map(jsonPath).join(", ")}])` : json;
    },
    /** Like `jsonString(json, path)`, read from the parsed column. */
    string(parsed, path) {
      return isDuckDb()
        ? `json_extract_string(${parsed}[${position(path)}], '$')`
        : jsonString(parsed, path);
    },
    /**
     * Like `string`, but NULL for an array or an object on both engines (DuckDB's
     * `json_extract_string` would give their JSON text; BigQuery's JSON_VALUE gives NULL).
     */
    scalar(parsed, path) {
      if (!isDuckDb()) return jsonString(parsed, path);
      const value = `${parsed}[${position(path)}]`;
      return `CASE WHEN json_type(${value}) IN ('ARRAY', 'OBJECT') THEN NULL ELSE json_extract_string(${value}, '$') END`;
    },
    /**
     * A field that holds one string or an array of strings (SendGrid's `category`) as
     * ARRAY<STRING>: `["a"]` for `"a"`, the strings of an array without its nulls, `[]` otherwise.
     */
    stringList(parsed, path) {
      if (isDuckDb()) {
        const value = `${parsed}[${position(path)}]`;
        return `CASE json_type(${value}) WHEN 'ARRAY' THEN list_filter(CAST(json_extract_string(${value}, '$[*]') AS VARCHAR[]), c -> c IS NOT NULL) WHEN 'VARCHAR' THEN [json_extract_string(${value}, '$')] ELSE CAST([] AS VARCHAR[]) END`;
      }
      const at = jsonPath(path);
      return `CASE JSON_TYPE(JSON_QUERY(${parsed}, ${at})) WHEN 'array' THEN ARRAY(SELECT c FROM UNNEST(JSON_VALUE_ARRAY(${parsed}, ${at})) AS c WHERE c IS NOT NULL) WHEN 'string' THEN [JSON_VALUE(${parsed}, ${at})] ELSE CAST([] AS ARRAY<STRING>) END`;
    },
    /** The JSON array at `path` as an array of JSON values (empty or NULL when missing). */
    array(parsed, path) {
      return isDuckDb()
        ? `json_extract(${parsed}[${position(path)}], '$[*]')`
        : `JSON_QUERY_ARRAY(${parsed}, ${jsonPath(path)})`;
    },
  };
}

/**
 * MIN of `valueExpr` over the elements of `arrayExpr` (each named `element`) for which
 * `conditionExpr` holds; NULL when none does. Evaluated per row, without joining the row's
 * array back to the row (DuckDB's list comprehension, BigQuery's correlated subquery).
 */
function arrayMin(arrayExpr, element, valueExpr, conditionExpr) {
  if (!/^[a-z_][a-z0-9_]*$/.test(element)) throw new Error(`bad element name "${element}"`);
  return isDuckDb()
    ? `list_min([${valueExpr} FOR ${element} IN ${arrayExpr} IF ${conditionExpr}])`
    : `(SELECT MIN(${valueExpr}) FROM UNNEST(${arrayExpr}) AS ${element} WHERE ${conditionExpr})`;
}

/**
 * A FROM item that joins each row to the elements of its array `arrayExpr`, each named `alias`
 * (`FROM t, ${unnestAs("t.list", "item")}`): BigQuery names the element by the alias, DuckDB
 * by a column of the aliased table.
 */
function unnestAs(arrayExpr, alias) {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`bad element name "${alias}"`);
  return isDuckDb()
    ? `UNNEST(${arrayExpr}) AS _${alias}(${alias})`
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

/**
 * Decimal text (Shopify's `"199.00"`) as NUMERIC; NULL when it is not a number that fits.
 * DuckDB parses text into DECIMAL(38, 9) (a 128-bit integer) about a hundred times slower than
 * into DECIMAL(18, 9) (64-bit) and both round alike, so values with at most nine integer digits
 * take the 64-bit path and only the rest the 128-bit one; the result is DECIMAL(38, 9) either way.
 */
function parseNumeric(expr) {
  return isDuckDb()
    ? `COALESCE(TRY_CAST(${expr} AS DECIMAL(18, 9)), TRY_CAST(${expr} AS ${DUCKDB_TYPES.NUMERIC}))`
    : `SAFE_CAST(${expr} AS NUMERIC)`;
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

/** Unix milliseconds (HubSpot's `occurredAt`) as TIMESTAMP. */
function timestampFromUnixMillis(expr) {
  return isDuckDb()
    ? `epoch_ms(${safeCast(expr, "INT64")})`
    : `TIMESTAMP_MILLIS(${safeCast(expr, "INT64")})`;
}

/** Unix microseconds (GA4's `event_timestamp`) as TIMESTAMP, exact to the microsecond. */
function timestampFromUnixMicros(expr) {
  return isDuckDb()
    ? `make_timestamptz(${safeCast(expr, "INT64")})`
    : `TIMESTAMP_MICROS(${safeCast(expr, "INT64")})`;
}

/** `YYYYMMDD` text (GA4's `event_date`, a table suffix) as DATE; NULL when malformed. */
function dateFromYyyymmdd(expr) {
  return isDuckDb()
    ? `CAST(try_strptime(${expr}, '%Y%m%d') AS DATE)`
    : `SAFE.PARSE_DATE('%Y%m%d', ${expr})`;
}

/**
 * The first capture group of `pattern` (RE2) in `expr`; NULL when it does not match (DuckDB
 * answers '' there, BigQuery NULL).
 */
function regexpExtract(expr, pattern) {
  return isDuckDb()
    ? `NULLIF(regexp_extract(${expr}, ${regexLiteral(pattern)}, 1), '')`
    : `REGEXP_EXTRACT(${expr}, ${regexLiteral(pattern)})`;
}

/**
 * Aggregate: the non-NULL `valueExpr` with the greatest (`last`) or smallest (`first`)
 * `orderExpr` in the group; NULL when every value is NULL.
 */
function valueAtExtreme(which, valueExpr, orderExpr) {
  if (which !== "first" && which !== "last") throw new Error(`which must be first or last`);
  if (isDuckDb()) {
    const fn = which === "last" ? "arg_max" : "arg_min";
    return `${fn}(${valueExpr}, ${orderExpr}) FILTER (WHERE ${valueExpr} IS NOT NULL)`;
  }
  // HAVING MAX/MIN skips rows whose ordering value is NULL: NULL it where the value is NULL.
  const having = which === "last" ? "MAX" : "MIN";
  return `ANY_VALUE(${valueExpr} HAVING ${having} IF(${valueExpr} IS NULL, NULL, ${orderExpr}))`;
}

/** Whole seconds from `startExpr` to `endExpr` (TIMESTAMPs); NULL when either is NULL. */
function secondsBetween(startExpr, endExpr) {
  return isDuckDb()
    ? `date_diff('second', ${startExpr}, ${endExpr})`
    : `TIMESTAMP_DIFF(${endExpr}, ${startExpr}, SECOND)`;
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

/** Lower-case hex MD5 of a STRING (32 characters, the same text on both engines). */
function md5Hex(expr) {
  return isDuckDb() ? `md5(${expr})` : `TO_HEX(MD5(${expr}))`;
}

/**
 * A 63-bit non-negative INT64 hash of a STRING. The two engines use different hash functions
 * (FARM_FINGERPRINT, DuckDB's hash), so use it only where any good hash will do (an order, a
 * bucket), never for a value that must be the same on both engines.
 */
function hash63(expr) {
  return isDuckDb()
    ? `CAST(hash(${expr}) >> 1 AS BIGINT)`
    : `(FARM_FINGERPRINT(${expr}) & 0x7FFFFFFFFFFFFFFF)`;
}

/**
 * Levenshtein distance between two STRINGs (BigQuery's EDIT_DISTANCE, DuckDB's levenshtein).
 * DuckDB counts bytes and BigQuery characters, so the two agree on ASCII text only: callers
 * compare values the identity helpers have reduced to ASCII (includes/identity.js).
 */
function editDistance(left, right) {
  return isDuckDb() ? `levenshtein(${left}, ${right})` : `EDIT_DISTANCE(${left}, ${right})`;
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
  stagingType,
  typeName,
  jsonString,
  jsonDocument,
  arrayMin,
  unnestAs,
  cast,
  safeCast,
  parseNumeric,
  parseTimestamp,
  timestampFromUnixSeconds,
  timestampFromUnixMillis,
  timestampFromUnixMicros,
  dateFromYyyymmdd,
  timestampSubDays,
  secondsBetween,
  regexpExtract,
  valueAtExtreme,
  regexpContains,
  regexpReplaceAll,
  sha256Hex,
  md5Hex,
  hash63,
  editDistance,
  newId,
};
