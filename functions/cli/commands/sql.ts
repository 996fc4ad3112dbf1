import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type DuckDBConnection, DuckDBInstance, StatementType } from "@duckdb/node-api";

/**
 * What `unistack sql` lets a query do: read the warehouse file and nothing else. The connection
 * is opened read-only with DuckDB's external access switched off (no file reads or writes such as
 * `read_text`, `COPY … TO`, `ATTACH`, no extension installs or network) and the configuration
 * locked (right after the time zone is set) so a `SET` cannot turn it back on. On top of that only one SELECT (or EXPLAIN) statement
 * is run, so a refusal names the statement instead of surfacing a permission error mid-way.
 */
export const SANDBOXED_WAREHOUSE_CONFIG = {
  access_mode: "READ_ONLY",
  enable_external_access: "false",
  autoinstall_known_extensions: "false",
  autoload_known_extensions: "false",
} as const;

const READ_ONLY_STATEMENTS = new Set<StatementType>([StatementType.SELECT, StatementType.EXPLAIN]);

/** `unistack sql "<query>"`: runs one read-only query on the local warehouse and prints rows. */
export async function sqlCommand(query: string, options: { warehouse: string }): Promise<number> {
  const path = resolve(options.warehouse);
  if (!existsSync(path)) {
    console.error(`no local warehouse at ${path}: run \`npm start\` (unistack demo) first`);
    return 1;
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, SANDBOXED_WAREHOUSE_CONFIG);
  } catch (error) {
    console.error(openFailure(path, error));
    return 1;
  }
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run("SET lock_configuration = true");
    const refusal = await refuseUnlessReadOnly(connection, query);
    if (refusal) {
      console.error(refusal);
      return 1;
    }
    const reader = await connection.runAndReadAll(query);
    const rows = reader.getRowObjectsJS().map(displayRow);
    if (rows.length === 0) console.log("(no rows)");
    else console.table(rows.slice(0, 200));
    if (rows.length > 200) console.log(`… ${rows.length - 200} more rows`);
    return 0;
  } catch (error) {
    console.error(`query failed: ${message(error)}`);
    return 1;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Why the query is not run, or `undefined` when it is one read-only statement. */
async function refuseUnlessReadOnly(
  connection: DuckDBConnection,
  query: string,
): Promise<string | undefined> {
  const statements = await connection.extractStatements(query);
  if (statements.count === 0) return "no statement to run: pass one SELECT query";
  if (statements.count > 1) {
    return `${statements.count} statements given: \`unistack sql\` runs one SELECT query at a time`;
  }
  let type: StatementType;
  try {
    type = (await statements.prepare(0)).statementType;
  } catch (error) {
    return `query refused: ${message(error)}. \`unistack sql\` reads the warehouse only: no files, extensions or network`;
  }
  if (READ_ONLY_STATEMENTS.has(type)) return undefined;
  return `query refused: a ${StatementType[type] ?? "non-SELECT"} statement. \`unistack sql\` runs read-only SELECT (or EXPLAIN) queries on the warehouse; it cannot write, copy out, attach, install or change settings`;
}

function openFailure(path: string, error: unknown): string {
  const text = message(error);
  if (/lock/i.test(text)) {
    return `the warehouse ${path} is in use by a running \`unistack demo\`: query it when the run has finished`;
  }
  return `cannot open the warehouse ${path}: ${text}`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whole numbers as numbers (DuckDB returns BIGINT as bigint), values as a person reads them. */
function displayRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === "bigint")
      out[key] = Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
    else if (value instanceof Date) out[key] = value.toISOString();
    else if (value !== null && typeof value === "object") out[key] = JSON.stringify(value);
    else out[key] = value;
  }
  return out;
}
