import type { Action, Target } from "./compiled-graph.js";

/**
 * The statements the BigQuery runner wraps around compiled queries, as Dataform runs them on
 * BigQuery: CREATE OR REPLACE for tables and views, MERGE on the unique key for incremental
 * tables, a view per assertion. Names are `project.dataset.table` in backticks; values that vary
 * (table names in INFORMATION_SCHEMA filters) are parameters.
 */

/** A compiled action always names its project; a graph compiled without one cannot run here. */
export function projectOf(target: Target): string {
  if (!target.database) {
    throw new Error(
      `${target.schema}.${target.name} has no BigQuery project: compile with a defaultProject`,
    );
  }
  return target.database;
}

function quote(name: string): string {
  if (name.includes("`")) throw new Error(`invalid BigQuery name ${name}`);
  return `\`${name}\``;
}

/** `` `project.dataset.table` ``. */
export function tableName(target: Target): string {
  return quote(`${projectOf(target)}.${target.schema}.${target.name}`);
}

export function datasetName(target: Target): string {
  return quote(`${projectOf(target)}.${target.schema}`);
}

export function columnName(name: string): string {
  return quote(name);
}

/** Creates the dataset in the query's location (the warehouse's) when missing. */
export function createSchema(target: Target): string {
  return `CREATE SCHEMA IF NOT EXISTS ${datasetName(target)}`;
}

/** `table_type` (`BASE TABLE` or `VIEW`) of the target; no row when nothing has its name. */
export function tableType(target: Target): string {
  return `SELECT table_type FROM ${datasetName(target)}.INFORMATION_SCHEMA.TABLES WHERE table_name = @table_name`;
}

export function tableColumns(target: Target): string {
  return `SELECT column_name FROM ${datasetName(target)}.INFORMATION_SCHEMA.COLUMNS WHERE table_name = @table_name ORDER BY ordinal_position`;
}

export function dropRelation(kind: "TABLE" | "VIEW", target: Target): string {
  return `DROP ${kind} IF EXISTS ${tableName(target)}`;
}

export function countRows(target: Target): string {
  return `SELECT COUNT(*) AS row_count FROM ${tableName(target)}`;
}

/** CREATE OR REPLACE, with the table's partitioning and clustering from its config. */
export function createOrReplace(kind: "TABLE" | "VIEW", action: Action, query: string): string {
  const layout: string[] = [];
  if (kind === "TABLE" && action.bigquery?.partitionBy)
    layout.push(`PARTITION BY ${action.bigquery.partitionBy}`);
  if (kind === "TABLE" && action.bigquery && action.bigquery.clusterBy.length > 0)
    layout.push(`CLUSTER BY ${action.bigquery.clusterBy.map(columnName).join(", ")}`);
  return [`CREATE OR REPLACE ${kind} ${tableName(action.target)}`, ...layout, `AS\n${query}`].join(
    "\n",
  );
}

/**
 * Dataform's incremental MERGE: a source row whose unique key matches a target row updates every
 * column of it; any other source row is inserted. Keys compare with `=`, so a NULL key never
 * matches.
 */
export function mergeInto(
  target: Target,
  incrementalQuery: string,
  uniqueKey: readonly string[],
  columns: readonly string[],
): string {
  const on = uniqueKey.map((key) => `T.${columnName(key)} = S.${columnName(key)}`).join(" AND ");
  const set = columns.map((c) => `${columnName(c)} = S.${columnName(c)}`).join(", ");
  const names = columns.map(columnName).join(", ");
  return [
    `MERGE ${tableName(target)} T`,
    `USING (\n${incrementalQuery}\n) S`,
    `ON ${on}`,
    `WHEN MATCHED THEN UPDATE SET ${set}`,
    `WHEN NOT MATCHED THEN INSERT (${names}) VALUES (${columns.map((c) => `S.${columnName(c)}`).join(", ")})`,
  ].join("\n");
}

/** Incremental tables without a unique key append, like Dataform's INSERT. */
export function insertInto(
  target: Target,
  incrementalQuery: string,
  columns: readonly string[],
): string {
  const names = columns.map(columnName).join(", ");
  return `INSERT INTO ${tableName(target)} (${names})\nSELECT ${names} FROM (\n${incrementalQuery}\n)`;
}
