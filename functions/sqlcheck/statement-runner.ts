import type { Analysis } from "./analyzer.js";
import type { CatalogColumn, TableName } from "./catalog.js";
import {
  createTableAs,
  createViewAs,
  incrementalRun,
  type StatementForm,
  type TableOptions,
} from "./statement-forms.js";

type Analyze = (sql: string, bytePosition?: number) => Promise<Analysis>;

/**
 * Analyzes every statement of `sql` (separated by `;`), one after the other; a statement with
 * result columns (CREATE TABLE … AS, CREATE VIEW) hands them to `produced`. Answers the first
 * failure message.
 */
export async function splitStatements(
  sql: string,
  analyze: Analyze,
  produced: (
    columns: readonly CatalogColumn[],
    name?: readonly string[],
    temporary?: boolean,
  ) => void,
): Promise<string | undefined> {
  const bytes = Buffer.from(sql, "utf8");
  let position = 0;
  while (!isBlank(bytes.subarray(position).toString("utf8"))) {
    const analysis = await analyze(sql, position);
    if (!analysis.ok) return analysis.message;
    const { outputColumns, resumeBytePosition, createdName, isTemporary } = analysis.statement;
    if (outputColumns && analysis.statement.kind !== "RESOLVED_QUERY_STMT") {
      produced(outputColumns, createdName, isTemporary);
    }
    if (resumeBytePosition === undefined || resumeBytePosition <= position) break;
    position = resumeBytePosition;
  }
  return undefined;
}

interface Materialized extends TableOptions {
  readonly sql: string;
  readonly materialization?: "table" | "view" | "incremental" | undefined;
  readonly uniqueKey?: readonly string[] | undefined;
  readonly incrementalSql?: string | undefined;
}

/**
 * Analyzes the statements Dataform runs for a model whose query already passed, in the order it
 * runs them. Answers the first failure, prefixed with the statement it happened in.
 */
export async function materializationForms(
  model: Materialized,
  target: TableName,
  columns: readonly CatalogColumn[],
  analyze: Analyze,
  incrementalPreOps: () => Promise<string | undefined> = async () => undefined,
): Promise<string | undefined> {
  const sql = trimStatement(model.sql);
  const forms: StatementForm[] = [];
  if (model.materialization === "view") forms.push(createViewAs(target, sql));
  else forms.push(createTableAs(target, sql, model));
  for (const form of forms) {
    const failure = await analyzeForm(form, analyze);
    if (failure) return failure;
  }
  if (model.materialization !== "incremental") return undefined;
  const preOpsFailure = await incrementalPreOps();
  if (preOpsFailure) return preOpsFailure;
  const incremental = trimStatement(model.incrementalSql ?? sql);
  const analysis = await analyze(incremental);
  if (!analysis.ok) return `In the incremental query: ${analysis.message}`;
  return analyzeForm(incrementalRun(target, incremental, columns, model.uniqueKey), analyze);
}

async function analyzeForm(form: StatementForm, analyze: Analyze): Promise<string | undefined> {
  const analysis = await analyze(form.sql);
  return analysis.ok
    ? undefined
    : `In the ${form.label} statement BigQuery runs: ${analysis.message}`;
}

/** Drops trailing semicolons and blanks, so the query can be nested inside another statement. */
export function trimStatement(sql: string): string {
  return sql.replace(/[\s;]+$/, "");
}

/** True when only whitespace, comments and semicolons are left. */
function isBlank(sql: string): boolean {
  return (
    sql
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/(--|#)[^\n]*/g, "")
      .replace(/[\s;]+/g, "") === ""
  );
}
