import type { SqlParams } from "../../platform/ports.js";
import type { ColumnKind, IdentifierColumn } from "./declarations.js";
import { parseJsonPath } from "./json-path.js";

/**
 * SQL that computes, inside the warehouse, the same keys the TypeScript side computes
 * (identifiers.ts, salted-key.ts), for BigQuery and DuckDB. Values always travel as parameters;
 * only declared column names and JSON paths (checked shapes) are written into the text.
 */
export type Dialect = "bigquery" | "duckdb";

const IN_CHUNK = 500;

/** `(@p0, @p1, …)` with its parameters. Lists longer than 500 are split by `chunks`. */
export function sqlIn(
  prefix: string,
  values: readonly string[],
): { sql: string; params: SqlParams } {
  const params: Record<string, string> = {};
  const names = values.map((value, i) => {
    params[`${prefix}${i}`] = value;
    return `@${prefix}${i}`;
  });
  return { sql: `(${names.join(", ")})`, params };
}

export function chunks<T>(values: readonly T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/** A column or JSON path name that may be written into SQL text. */
export function checkedName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) throw new Error(`unsafe SQL name "${name}"`);
  return name;
}

/** A table name as written in SQL; the same on both engines (dataset.table). */
export function tableSql(table: { dataset: string; table: string }): string {
  return `${checkedName(table.dataset)}.${checkedName(table.table)}`;
}

function sha256Hex(dialect: Dialect, expr: string): string {
  return dialect === "duckdb" ? `sha256(${expr})` : `TO_HEX(SHA256(${expr}))`;
}

function concat(dialect: Dialect, parts: readonly string[]): string {
  return dialect === "duckdb" ? `(${parts.join(" || ")})` : `CONCAT(${parts.join(", ")})`;
}

function regexReplace(dialect: Dialect, expr: string, pattern: string, replacement: string) {
  return dialect === "duckdb"
    ? `regexp_replace(${expr}, '${pattern}', '${replacement}', 'g')`
    : `REGEXP_REPLACE(${expr}, r'${pattern}', '${replacement}')`;
}

function asString(dialect: Dialect, expr: string): string {
  return dialect === "duckdb" ? `CAST(${expr} AS VARCHAR)` : `CAST(${expr} AS STRING)`;
}

/** `normalizeIdentifier` of a STRING expression, for one identifier kind. */
function normalizedSql(dialect: Dialect, kind: string, expr: string): string {
  const text = asString(dialect, expr);
  if (kind === "email") return `LOWER(${regexReplace(dialect, text, "[\\t\\n\\f\\r \\p{Z}]", "")})`;
  if (kind === "phone") {
    return regexReplace(dialect, regexReplace(dialect, text, "[^0-9]", ""), "^00", "");
  }
  return `TRIM(${text})`;
}

/** `normalizeIdentifier` when the kind is itself a column (`identifier_type`). */
function normalizedByKindSql(dialect: Dialect, kindExpr: string, expr: string): string {
  return `CASE ${kindExpr} WHEN 'email' THEN ${normalizedSql(dialect, "email", expr)} WHEN 'phone' THEN ${normalizedSql(dialect, "phone", expr)} ELSE ${normalizedSql(dialect, "other", expr)} END`;
}

/** The salted key of `<kind>:<value>` (salt as the parameter `@salt`); NULL for a NULL value. */
export function saltedKeySql(dialect: Dialect, kind: string, valueExpr: string): string {
  const normalized = normalizedSql(dialect, kind, valueExpr);
  return `CASE WHEN ${normalized} = '' THEN NULL ELSE ${sha256Hex(dialect, concat(dialect, ["@salt", "':'", `'${kind}:'`, normalized]))} END`;
}

/** The salted key of an identifier column as declared (a fixed kind, a kind column, a node key). */
export function columnKeySql(dialect: Dialect, column: IdentifierColumn): string {
  const name = checkedName(column.column);
  if (column.kindColumn) {
    const kind = checkedName(column.kindColumn);
    const normalized = normalizedByKindSql(dialect, kind, name);
    return sha256Hex(dialect, concat(dialect, ["@salt", "':'", kind, "':'", normalized]));
  }
  if (column.kind === "node_key") {
    // `<kind>:<value>` normalized as parseNodeKey does: the identity graph writes phones E.164
    // with the plus (`phone:+4915112345678`), an erasure names them `phone:4915112345678`.
    const text = asString(dialect, name);
    const kind = `SUBSTR(${text}, 1, STRPOS(${text}, ':') - 1)`;
    const value = `SUBSTR(${text}, STRPOS(${text}, ':') + 1)`;
    return sha256Hex(
      dialect,
      concat(dialect, ["@salt", "':'", kind, "':'", normalizedByKindSql(dialect, kind, value)]),
    );
  }
  return saltedKeySql(dialect, column.kind, name);
}

export function isContactColumn(kind: ColumnKind): boolean {
  return kind === "contact_id";
}

/**
 * The identifier values a JSON path reaches in a JSON column, as rows of `v` (a subquery), so a
 * path through an array (`$.orders_to_redact[*]`) gives one row per element.
 */
export function jsonValuesSql(dialect: Dialect, column: string, path: string): string {
  const steps = parseJsonPath(path);
  const star = steps.findIndex((s) => s.index === "*");
  const text = (p: string) => p.replace(/'/g, "");
  if (star < 0) {
    const read =
      dialect === "duckdb"
        ? `json_extract_string(${column}, '${text(path)}')`
        : `JSON_VALUE(${column}, '${text(path)}')`;
    return `(SELECT ${read} AS v)`;
  }
  if (steps.slice(star + 1).some((s) => s.index === "*")) {
    throw new Error(`JSON path "${path}": at most one [*] is supported in SQL`);
  }
  const name = (s: (typeof steps)[number]) =>
    s.index === undefined || s.index === "*" ? s.name : `${s.name}[${s.index}]`;
  const head = `$.${steps
    .slice(0, star + 1)
    .map((s, i) => (i === star ? s.name : name(s)))
    .join(".")}`;
  const rest = steps.slice(star + 1);
  const tail = rest.length === 0 ? "$" : `$.${rest.map(name).join(".")}`;
  if (dialect === "duckdb") {
    return `(SELECT json_extract_string(e, '${text(tail)}') AS v FROM (SELECT unnest(json_extract(${column}, '${text(head)}[*]')) AS e))`;
  }
  return `(SELECT JSON_VALUE(e, '${text(tail)}') AS v FROM UNNEST(JSON_QUERY_ARRAY(${column}, '${text(head)}')) AS e)`;
}

/** TRUE when a value at the path, normalized as `kind` and salted, is one of `keysSql`. */
export function pathMatchesSql(
  dialect: Dialect,
  column: string,
  path: string,
  kind: string,
  keysSql: string,
): string {
  return `EXISTS (SELECT 1 FROM ${jsonValuesSql(dialect, column, path)} AS values_at WHERE ${saltedKeySql(dialect, kind, "values_at.v")} IN ${keysSql})`;
}

/** SHA-256 hex of `<source>/<stream>/<record id>`: how `privacy.erased_records` names a record. */
export function recordHashSql(dialect: Dialect): string {
  return sha256Hex(dialect, concat(dialect, ["_source", "'/'", "_stream", "'/'", "_record_id"]));
}
