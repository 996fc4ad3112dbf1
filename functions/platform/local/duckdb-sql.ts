import type { ColumnSpec, TableRef } from "../ports.js";

/**
 * BigQuery column types as DuckDB types. TIMESTAMP is absolute (UTC) in both. `includes/dialect.js`
 * keeps the same map for the models; test/unit/platform/duckdb-types.test.ts keeps them equal.
 */
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

export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A rewrite of the token at `i`, or `undefined` to leave it alone. */
export type TokenRewrite = (sql: string, i: number) => { text: string; end: number } | undefined;

/**
 * Copies SQL, offering every position outside string literals, quoted names and comments to
 * `rewrite` (which sees a position before it is skipped as a quote, so it may claim backticks).
 */
export function rewriteSqlCode(sql: string, rewrite: TokenRewrite): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const claimed = rewrite(sql, i);
    if (claimed) {
      out += claimed.text;
      i = claimed.end;
      continue;
    }
    const end = skippedRunEnd(sql, i);
    out += sql.slice(i, end);
    i = end;
  }
  return out;
}

/** The end of the literal, quoted name or comment starting at `i`; `i + 1` for anything else. */
function skippedRunEnd(sql: string, i: number): number {
  const ch = sql[i];
  const next = sql[i + 1];
  if (ch === "'" || ch === '"' || ch === "`") return closingQuote(sql, i, ch);
  if (ch === "-" && next === "-") {
    const end = sql.indexOf("\n", i);
    return end === -1 ? sql.length : end;
  }
  if (ch === "/" && next === "*") {
    const end = sql.indexOf("*/", i + 2);
    return end === -1 ? sql.length : end + 2;
  }
  return i + 1;
}

/** DuckDB quotes double their quote character; backslashes are ordinary characters. */
function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
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

/** Rewrites BigQuery named parameters (`@name`) to DuckDB's (`$name`); returns the names. */
export function rewriteNamedParams(sql: string): { sql: string; names: string[] } {
  const names = new Set<string>();
  const rewritten = rewriteSqlCode(sql, (text, i) => {
    const next = text[i + 1];
    if (text[i] !== "@" || next === undefined || !/[A-Za-z_]/.test(next) || text[i - 1] === "@")
      return undefined;
    let j = i + 1;
    while (j < text.length && /[A-Za-z0-9_]/.test(text[j] as string)) j++;
    const name = text.slice(i + 1, j);
    names.add(name);
    return { text: `$${name}`, end: j };
  });
  return { sql: rewritten, names: [...names] };
}

/**
 * Rewrites BigQuery table references (`` `project.dataset.table` ``, `` `dataset.table` ``) to
 * DuckDB's `"dataset"."table"`: DuckDB has one catalog, so the project is dropped.
 */
export function rewriteBigQueryNames(sql: string): string {
  return rewriteSqlCode(sql, (text, i) => {
    if (text[i] !== "`") return undefined;
    const end = text.indexOf("`", i + 1);
    if (end === -1) throw new Error("unterminated `quoted name` in compiled SQL");
    const parts = text.slice(i + 1, end).split(".");
    return { text: parts.slice(-2).map(quoteIdent).join("."), end: end + 1 };
  });
}
