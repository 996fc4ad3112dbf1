import type { TableRef, Warehouse } from "../../platform/ports.js";
import { checkedName } from "./sql.js";

/** What the warehouse holds under a name: a table (rows to erase), a view (nothing stored), none. */
export type TableKind = "table" | "view" | undefined;

/**
 * Asks the warehouse's own catalog, because a model is a view on BigQuery and a table in the
 * local DuckDB warehouse (dialect.stagingType), and a table may not exist yet (no data so far).
 */
export async function tableKind(warehouse: Warehouse, ref: TableRef): Promise<TableKind> {
  const dataset = checkedName(ref.dataset);
  let rows: Array<Record<string, unknown>>;
  try {
    rows =
      warehouse.dialect === "duckdb"
        ? await warehouse.query(
            "SELECT table_type FROM information_schema.tables WHERE table_schema = @d AND table_name = @t",
            { d: ref.dataset, t: ref.table },
          )
        : await warehouse.query(
            `SELECT table_type FROM ${dataset}.INFORMATION_SCHEMA.TABLES WHERE table_name = @t`,
            { t: ref.table },
          );
  } catch (error) {
    // BigQuery answers "Not found: Dataset …" for a dataset nobody created yet.
    if (/not found/i.test(error instanceof Error ? error.message : String(error))) return undefined;
    throw error;
  }
  const type = String(rows[0]?.table_type ?? "");
  if (type === "") return undefined;
  return type === "BASE TABLE" ? "table" : "view";
}

/** Every table and view of a dataset (DuckDB: schema), with its kind. */
export async function listTables(
  warehouse: Warehouse,
  dataset: string,
): Promise<Array<{ table: string; kind: Exclude<TableKind, undefined> }>> {
  const name = checkedName(dataset);
  const rows =
    warehouse.dialect === "duckdb"
      ? await warehouse.query(
          "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = @d ORDER BY 1",
          { d: dataset },
        )
      : await warehouse.query(
          `SELECT table_name, table_type FROM ${name}.INFORMATION_SCHEMA.TABLES ORDER BY 1`,
        );
  return rows.map((r) => ({
    table: String(r.table_name),
    kind: String(r.table_type) === "BASE TABLE" ? "table" : "view",
  }));
}
