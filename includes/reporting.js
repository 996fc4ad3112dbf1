/**
 * How the rpt_* tables of the `reports` dataset are written.
 *
 * On BigQuery each business unit reads the shared tables through row access policies
 * (infra/reports-row-access.tf: a unit's groups see `business_unit = '<unit>'`). Replacing a table
 * (CREATE OR REPLACE, which a Dataform `table` runs every time) makes a new table without the
 * policies, so on BigQuery the reports are `incremental` tables refreshed in place: the rows are
 * deleted and the query's rows inserted (DML keeps the table and its policies). The first run, or
 * a full refresh after a column change, creates the table; `terraform apply` then puts the
 * policies back (docs/operations.md). Locally (DuckDB) there are no policies: a plain table.
 */
function tableType() {
  return dialect.isDuckDb() ? "table" : "incremental";
}

/** The pre-operation that empties the table before the rows are inserted again. */
function refreshInPlace(selfTable) {
  return `DELETE FROM ${selfTable} WHERE TRUE`;
}

module.exports = { tableType, refreshInPlace };
