import type { CatalogColumn, TableName } from "./catalog.js";

/**
 * The statements BigQuery runs for a Dataform table, built around the model's compiled query the
 * way Dataform builds them, so the analyzer checks what will really run.
 */
export interface StatementForm {
  /** For messages: "CREATE OR REPLACE TABLE", "MERGE"… */
  readonly label: string;
  readonly sql: string;
}

export interface TableOptions {
  readonly partitionBy?: string | undefined;
  readonly clusterBy?: readonly string[] | undefined;
}

/** `` `project.dataset.table` ``, quoted as one identifier (BigQuery accepts the dotted form). */
export function quotedTable(table: TableName): string {
  const name = [table.database, table.schema, table.name].filter((p) => p !== undefined).join(".");
  return quoteIdentifier(name);
}

export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/\\/g, "\\\\").replace(/`/g, "\\`")}\``;
}

export function createTableAs(table: TableName, query: string, options: TableOptions = {}) {
  const lines = [`CREATE OR REPLACE TABLE ${quotedTable(table)}`];
  if (options.partitionBy) lines.push(`PARTITION BY ${options.partitionBy}`);
  if (options.clusterBy?.length) lines.push(`CLUSTER BY ${options.clusterBy.join(", ")}`);
  lines.push("AS", query);
  return { label: "CREATE OR REPLACE TABLE", sql: lines.join("\n") };
}

export function createViewAs(table: TableName, query: string): StatementForm {
  return {
    label: "CREATE OR REPLACE VIEW",
    sql: `CREATE OR REPLACE VIEW ${quotedTable(table)}\nAS\n${query}`,
  };
}

/**
 * An incremental run: MERGE on the unique key (updating every other column), or, without a key,
 * INSERT of the query's columns.
 */
export function incrementalRun(
  table: TableName,
  query: string,
  columns: readonly CatalogColumn[],
  uniqueKey: readonly string[] | undefined,
): StatementForm {
  const names = columns.map((c) => quoteIdentifier(c.name));
  if (!uniqueKey?.length) {
    return {
      label: "INSERT",
      sql: `INSERT INTO ${quotedTable(table)} (${names.join(", ")})\nSELECT ${names.join(", ")}\nFROM (\n${query}\n)`,
    };
  }
  const keys = new Set(uniqueKey.map((k) => k.toLowerCase()));
  const on = uniqueKey.map((k) => `T.${quoteIdentifier(k)} = S.${quoteIdentifier(k)}`);
  const updates = columns
    .filter((c) => !keys.has(c.name.toLowerCase()))
    .map((c) => `${quoteIdentifier(c.name)} = S.${quoteIdentifier(c.name)}`);
  const sql = [
    `MERGE ${quotedTable(table)} T`,
    `USING (\n${query}\n) S`,
    `ON ${on.join(" AND ")}`,
    ...(updates.length ? [`WHEN MATCHED THEN UPDATE SET ${updates.join(", ")}`] : []),
    `WHEN NOT MATCHED THEN INSERT (${names.join(", ")}) VALUES (${names.join(", ")})`,
  ].join("\n");
  return { label: "MERGE", sql };
}
