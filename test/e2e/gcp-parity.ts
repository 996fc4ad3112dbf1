import type { Row, Warehouse } from "../../functions/platform/ports.js";

/**
 * Comparing what the BigQuery run and the DuckDB run of the same data left in their tables.
 * Values are put in one shape (dates as ISO text, JSON documents re-serialised with sorted keys);
 * columns that differ by nature are left out or mapped: contact ids are random per warehouse
 * (GENERATE_UUID), so a contact id becomes that contact's email; `_received_at` and the times
 * of a run (`assigned_at`, `added_at`…) are when each run happened.
 */
export interface ParityTable {
  /** `dataset.table`, the same name in both warehouses. */
  readonly name: string;
  /** Columns left out of the comparison. */
  readonly ignore?: readonly string[];
  /** Columns holding a contact id, compared as that contact's email. */
  readonly contactIds?: readonly string[];
  /** Columns holding JSON documents, compared parsed. */
  readonly json?: readonly string[];
}

export interface TableDiff {
  readonly rows: { readonly bigquery: number; readonly duckdb: number };
  /** Canonical rows found in one warehouse and not the other (first 5 each). */
  readonly onlyBigQuery: readonly string[];
  readonly onlyDuckDb: readonly string[];
}

export async function contactEmails(warehouse: Warehouse): Promise<Map<string, string>> {
  const rows = await warehouse.query<{ contact_id: string; email: string }>(
    "SELECT contact_id, MIN(node_value) AS email FROM staging.int_identity__node_contacts WHERE node_type = 'email' GROUP BY contact_id",
  );
  return new Map(rows.map((r) => [r.contact_id, r.email]));
}

export async function canonicalRows(
  warehouse: Warehouse,
  table: ParityTable,
  emails: ReadonlyMap<string, string>,
): Promise<string[]> {
  const rows = await warehouse.query(`SELECT * FROM ${table.name}`);
  return rows.map((row) => canonicalRow(row, table, emails)).sort();
}

function canonicalRow(row: Row, table: ParityTable, emails: ReadonlyMap<string, string>): string {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row).sort()) {
    if (table.ignore?.includes(key)) continue;
    let value = row[key];
    if (table.contactIds?.includes(key) && typeof value === "string")
      value = `contact:${emails.get(value) ?? "?"}`;
    else if (table.json?.includes(key) && typeof value === "string")
      value = sortKeys(JSON.parse(value));
    out[key] = plain(value);
  }
  return JSON.stringify(out);
}

function plain(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort())
      out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

export function diffRows(bigquery: readonly string[], duckdb: readonly string[]): TableDiff {
  const count = (rows: readonly string[]) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(r, (m.get(r) ?? 0) + 1);
    return m;
  };
  const a = count(bigquery);
  const b = count(duckdb);
  const only = (x: Map<string, number>, y: Map<string, number>) =>
    [...x].flatMap(([r, n]) => Array(Math.max(0, n - (y.get(r) ?? 0))).fill(r)).slice(0, 5);
  return {
    rows: { bigquery: bigquery.length, duckdb: duckdb.length },
    onlyBigQuery: only(a, b),
    onlyDuckDb: only(b, a),
  };
}
