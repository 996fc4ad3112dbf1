import type { ColumnSpec, TableRef } from "../ports.js";

/** BigQuery column types as DuckDB types. TIMESTAMP is absolute (UTC) in both. */
export const DUCKDB_TYPES: Record<ColumnSpec["type"], string> = {
  STRING: "VARCHAR",
  INT64: "BIGINT",
  FLOAT64: "DOUBLE",
  NUMERIC: "DECIMAL(38, 9)",
  BOOL: "BOOLEAN",
  TIMESTAMP: "TIMESTAMPTZ",
  DATE: "DATE",
  JSON: "JSON",
};

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualified(ref: TableRef): string {
  return `${quoteIdent(ref.dataset)}.${quoteIdent(ref.table)}`;
}

/**
 * Rewrites BigQuery named parameters (`@name`) to DuckDB's (`$name`), leaving string literals,
 * quoted identifiers and comments alone. Returns the names it found.
 */
export function rewriteNamedParams(sql: string): { sql: string; names: string[] } {
  const names = new Set<string>();
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    if (ch === "'" || ch === '"' || ch === "`") {
      const end = closingQuote(sql, i, ch);
      out += sql.slice(i, end);
      i = end;
    } else if (ch === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === "@" && next !== undefined && /[A-Za-z_]/.test(next) && sql[i - 1] !== "@") {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_]/.test(sql[j] as string)) j++;
      const name = sql.slice(i + 1, j);
      names.add(name);
      out += `$${name}`;
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return { sql: out, names: [...names] };
}

function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === "\\") {
      i += 2;
      continue;
    }
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}
