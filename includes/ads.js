/**
 * Ads reports that restate (includes for stg_google_ads__* and stg_meta_ads__*). Each pull of an
 * ads report re-reads the last days and lands every row again under a per-pull record id, plus
 * one completion record per account and day (`{pull, complete: {rows}}`). A model keeps, per
 * account and day, only the rows of the latest pull that landed whole: its completion record is
 * there and as many rows as it counts (a pull cut short, or whose pages are still being loaded,
 * is not used yet). A restated day thus replaces the old numbers; nothing is counted twice.
 * Everything is per connection (two accounts of the same platform never replace each other's
 * days): `connection_id` and `business_unit` come from the raw row, 'default' when it has none.
 * Every argument is SQL or a JSON path written in a model, never data.
 */

/** JSON paths of the pull context: list them first in the model's jsonDocument. */
const PULL_PATHS = ["$.pull.account", "$.pull.day", "$.pull.pulled_at", "$.complete.rows"];

/**
 * CTEs `pull_records` (every raw record once, its pull context as columns and `record_json`)
 * and `kept_records` (the rows of the latest complete pull of each account and day).
 */
function latestCompletePulls(rawTable, doc) {
  const f = (path) => doc.string("record_json", path);
  return `raw_records AS (
  SELECT
    _record_id,
    _received_at,
    payload,
    COALESCE(_connection, 'default') AS connection_id,
    COALESCE(_business_unit, 'default') AS business_unit
  FROM ${rawTable}
  WHERE payload IS NOT NULL
  QUALIFY ROW_NUMBER() OVER (PARTITION BY _connection, _record_id ORDER BY _received_at DESC) = 1
),

parsed_records AS (
  SELECT _record_id, _received_at, connection_id, business_unit, ${doc.parse("payload")} AS record_json
  FROM raw_records
),

pull_records AS (
  SELECT
    connection_id,
    business_unit,
    ${f("$.pull.account")} AS account_id,
    ${f("$.pull.day")} AS pull_day,
    ${f("$.pull.pulled_at")} AS pulled_at,
    ${dialect.safeCast(f("$.complete.rows"), "INT64")} AS complete_rows,
    record_json,
    _record_id,
    _received_at
  FROM parsed_records
),

pull_markers AS (
  SELECT connection_id, account_id, pull_day, pulled_at, MAX(complete_rows) AS expected_rows
  FROM pull_records
  WHERE complete_rows IS NOT NULL
  GROUP BY connection_id, account_id, pull_day, pulled_at
),

pull_rows AS (
  SELECT connection_id, account_id, pull_day, pulled_at, COUNT(*) AS landed_rows
  FROM pull_records
  WHERE complete_rows IS NULL
  GROUP BY connection_id, account_id, pull_day, pulled_at
),

latest_complete_pulls AS (
  SELECT m.connection_id, m.account_id, m.pull_day, m.pulled_at
  FROM pull_markers AS m
  LEFT JOIN pull_rows AS r
    ON r.connection_id = m.connection_id AND r.account_id = m.account_id
    AND r.pull_day = m.pull_day AND r.pulled_at = m.pulled_at
  WHERE COALESCE(r.landed_rows, 0) = m.expected_rows
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY m.connection_id, m.account_id, m.pull_day ORDER BY m.pulled_at DESC
  ) = 1
),

kept_records AS (
  SELECT p.*
  FROM pull_records AS p
  INNER JOIN latest_complete_pulls AS c
    ON c.connection_id = p.connection_id AND c.account_id = p.account_id
    AND c.pull_day = p.pull_day AND c.pulled_at = p.pulled_at
  WHERE p.complete_rows IS NULL
)`;
}

/** A UTM parameter (`utm_source`…) of a URL, a tracking template or a suffix; NULL when absent. */
function utm(urlExpr, name) {
  if (!/^utm_[a-z]+$/.test(name)) throw new Error(`bad UTM parameter "${name}"`);
  return dialect.regexpExtract(urlExpr, `(?:^|[?&])${name}=([^&#]*)`);
}

module.exports = { PULL_PATHS, latestCompletePulls, utm };
