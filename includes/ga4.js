/**
 * The GA4 BigQuery export, read where Google writes it (declared in definitions/sources/ga4.js,
 * never copied). Vars (workflow_settings.yaml):
 *   ga4_project     project holding the export (default: the Dataform project)
 *   ga4_dataset     the export's dataset, `analytics_<property id>`; "" = no property linked:
 *                   the GA4 models then build empty, with their columns, instead of failing
 *   ga4_start_date  first day read (YYYY-MM-DD): bounds what the staging views scan
 *
 * `events_*` is a wildcard table: it matches the daily tables `events_YYYYMMDD` and ALSO the
 * streaming tables `events_intraday_YYYYMMDD` (their `_TABLE_SUFFIX` is `intraday_YYYYMMDD`), so
 * daily reads exclude that prefix. Locally the same wildcard is a DuckDB view over the day tables
 * with a `_TABLE_SUFFIX` column (functions/sources/ga4/local-export.ts), so the SQL is the same.
 */

function vars() {
  return dataform.projectConfig.vars || {};
}

function enabled() {
  const dataset = vars().ga4_dataset;
  return typeof dataset === "string" && dataset.trim() !== "";
}

function dataset() {
  const value = vars().ga4_dataset;
  if (!/^[A-Za-z0-9_]+$/.test(value)) {
    throw new Error(
      `vars.ga4_dataset must be a dataset name (analytics_<property id>); got "${value}"`,
    );
  }
  return value;
}

/** The project of the export; `undefined` means the project Dataform runs in. */
function project() {
  const value = vars().ga4_project;
  if (value === undefined || value === "") return undefined;
  if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(value)) {
    throw new Error(`vars.ga4_project must be a project id; got "${value}"`);
  }
  return value;
}

/** `ga4_start_date` as the `YYYYMMDD` table suffix it bounds. */
function startSuffix() {
  const value = vars().ga4_start_date || "2020-01-01";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new Error(`vars.ga4_start_date must be YYYY-MM-DD; got "${value}"`);
  }
  return value.replaceAll("-", "");
}

/**
 * The connection and business unit of the GA4 property: the export is read in place (one
 * property per deployment, vars.ga4_dataset), so no raw row carries `_connection`; they come from
 * vars `ga4_connection` / `ga4_business_unit` (default 'default', like every single-account
 * source). Validated, then written as SQL string literals.
 */
function connectionColumns() {
  const pick = (name) => {
    const value = vars()[name] ?? "default";
    if (typeof value !== "string" || !/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/.test(value)) {
      throw new Error(`vars.${name} must be 1-64 letters, digits, space, _ . or -; got "${value}"`);
    }
    return `'${value}'`;
  };
  return `${pick("ga4_connection")} AS connection_id, ${pick("ga4_business_unit")} AS business_unit`;
}

const DAILY = "events_*";
const INTRADAY = "events_intraday_*";

/** The declaration target of the daily (`daily`) or streaming (`intraday`) wildcard table. */
function target(kind) {
  const name = kind === "intraday" ? INTRADAY : DAILY;
  const where = { schema: dataset(), name };
  const database = project();
  return database === undefined ? where : { database, ...where };
}

const SUFFIX = "table_suffix";

/**
 * The export's rows of one kind, with every export column plus `table_suffix` (the day,
 * `YYYYMMDD`), from `ga4_start_date` on. Pass the model's `ref`: the dependency is recorded.
 *   FROM ${ga4.exportRows(ref, "daily")} AS e
 */
function exportRows(ref, kind) {
  if (kind !== "daily" && kind !== "intraday") throw new Error(`kind must be daily or intraday`);
  if (!enabled()) {
    return nested.emptyRelation([...ga4_schema.EXPORT_COLUMNS, { name: SUFFIX, type: "STRING" }]);
  }
  const columns = ga4_schema.EXPORT_COLUMNS.map((c) => c.name).join(", ");
  const start = startSuffix();
  // The daily wildcard also matches events_intraday_* (suffix intraday_YYYYMMDD): excluded.
  const filter =
    kind === "daily"
      ? `_TABLE_SUFFIX NOT LIKE 'intraday%' AND _TABLE_SUFFIX >= '${start}'`
      : `_TABLE_SUFFIX >= '${start}'`;
  return `(SELECT ${columns}, _TABLE_SUFFIX AS ${SUFFIX} FROM ${ref(target(kind))} WHERE ${filter})`;
}

/** An event parameter's value: `param("ga_session_id", "int")`, `param("page_location")`. */
function param(key, kind = "string", params = "event_params") {
  if (!/^[a-z_][a-z0-9_]*$/.test(key)) throw new Error(`bad GA4 parameter key "${key}"`);
  if (!["string", "int", "float", "double"].includes(kind)) {
    throw new Error(`GA4 parameter values are string, int, float or double; got "${kind}"`);
  }
  return nested.firstMatching(params, "p", `p.value.${kind}_value`, `p.key = '${key}'`);
}

module.exports = {
  connectionColumns,
  enabled,
  dataset,
  project,
  startSuffix,
  target,
  exportRows,
  param,
  DAILY,
  INTRADAY,
};
