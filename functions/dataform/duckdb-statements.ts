import { quoteIdent, quoteLiteral, rewriteBigQueryNames } from "../platform/local/duckdb-sql.js";
import type { Target } from "./compiled-graph.js";

/**
 * The statements the local runner wraps around compiled queries. Only names change between
 * the BigQuery and DuckDB graphs here: the SQL inside a query is already DuckDB SQL, rendered
 * by `includes/dialect.js` at compile time.
 */

/** `"dataset"."table"`: DuckDB has one catalog, so the BigQuery project is dropped. */
export function tableName(target: Target): string {
  return `${quoteIdent(target.schema)}.${quoteIdent(target.name)}`;
}

/**
 * Core labels each rowConditions branch with the condition as a BigQuery string literal
 * (`'a = \\'x\\'' AS failing_row_condition`, backslash escapes). DuckDB literals escape a quote
 * by doubling it and take backslashes literally, so those labels are re-quoted. Only core's
 * label line is touched: model SQL is already DuckDB SQL.
 */
export function requoteAssertionLabels(sql: string): string {
  return sql.replace(
    /^(\s*)'((?:[^'\\\n]|\\.)*)' AS failing_row_condition,$/gm,
    (_line, indent: string, body: string) =>
      `${indent}${quoteLiteral(body.replace(/\\(.)/g, "$1"))} AS failing_row_condition,`,
  );
}

export function createSchema(target: Target): string {
  return `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(target.schema)}`;
}

export function createOrReplace(kind: "TABLE" | "VIEW", target: Target, query: string): string {
  return `CREATE OR REPLACE ${kind} ${tableName(target)} AS\n${rewriteBigQueryNames(query)}`;
}

export function tableExists(target: Target): string {
  return `SELECT COUNT(*) AS found FROM information_schema.tables WHERE table_schema = ${quoteLiteral(target.schema)} AND table_name = ${quoteLiteral(target.name)}`;
}

/** `BASE TABLE` or `VIEW` (no row when nothing has the target's name). */
export function tableType(target: Target): string {
  return `SELECT table_type FROM information_schema.tables WHERE table_schema = ${quoteLiteral(target.schema)} AND table_name = ${quoteLiteral(target.name)}`;
}

export function dropRelation(kind: "TABLE" | "VIEW", target: Target): string {
  return `DROP ${kind} IF EXISTS ${tableName(target)}`;
}

export function tableColumns(target: Target): string {
  return `SELECT column_name FROM information_schema.columns WHERE table_schema = ${quoteLiteral(target.schema)} AND table_name = ${quoteLiteral(target.name)} ORDER BY ordinal_position`;
}

export function countRows(target: Target): string {
  return `SELECT COUNT(*) AS row_count FROM ${tableName(target)}`;
}

/**
 * Dataform's incremental MERGE (as it runs on BigQuery): a source row whose unique key matches
 * a target row updates every column of it; any other source row is inserted. Keys compare with
 * `=`, so a NULL key never matches.
 */
export function mergeInto(
  target: Target,
  incrementalQuery: string,
  uniqueKey: readonly string[],
  columns: readonly string[],
): string {
  const on = uniqueKey
    .map((key) => `dataform_target.${quoteIdent(key)} = dataform_source.${quoteIdent(key)}`)
    .join(" AND ");
  const set = columns
    .map((column) => `${quoteIdent(column)} = dataform_source.${quoteIdent(column)}`)
    .join(", ");
  const names = columns.map(quoteIdent).join(", ");
  const values = columns.map((column) => `dataform_source.${quoteIdent(column)}`).join(", ");
  return [
    `MERGE INTO ${tableName(target)} AS dataform_target`,
    `USING (\n${rewriteBigQueryNames(incrementalQuery)}\n) AS dataform_source`,
    `ON ${on}`,
    `WHEN MATCHED THEN UPDATE SET ${set}`,
    `WHEN NOT MATCHED THEN INSERT (${names}) VALUES (${values})`,
  ].join("\n");
}

/** Incremental tables without a unique key append, like Dataform's INSERT. */
export function insertInto(
  target: Target,
  incrementalQuery: string,
  columns: readonly string[],
): string {
  const names = columns.map(quoteIdent).join(", ");
  return `INSERT INTO ${tableName(target)} (${names})\nSELECT ${names} FROM (\n${rewriteBigQueryNames(incrementalQuery)}\n) AS dataform_source`;
}
