import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";

/** `unistack sql "<query>"`: runs one query on the local warehouse (read-only) and prints rows. */
export async function sqlCommand(query: string, options: { warehouse: string }): Promise<number> {
  const path = resolve(options.warehouse);
  if (!existsSync(path)) {
    console.error(`no local warehouse at ${path}: run \`npm start\` (unistack demo) first`);
    return 1;
  }
  const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const reader = await connection.runAndReadAll(query);
    const rows = reader.getRowObjectsJS().map(displayRow);
    if (rows.length === 0) console.log("(no rows)");
    else console.table(rows.slice(0, 200));
    if (rows.length > 200) console.log(`… ${rows.length - 200} more rows`);
    return 0;
  } catch (error) {
    console.error(`query failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
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
