import { z } from "zod";

export const TableNameSchema = z.object({
  /** The project; defaults to the check's `project`. */
  database: z.string().min(1).optional(),
  schema: z.string().min(1),
  name: z.string().min(1),
});

export const DeclarationSchema = TableNameSchema.extend({
  /** Columns with BigQuery type names; `ColumnSpec` from platform/ports.ts fits as is. */
  columns: z.array(z.object({ name: z.string().min(1), type: z.string().min(1) })),
});

export const StatementSchema = z.object({
  /** The table this statement produces; a query's output columns become this table's columns. */
  target: TableNameSchema.optional(),
  /** Where the SQL came from (`definitions/staging/…sqlx`), shown with every failure. */
  fileName: z.string().min(1),
  sql: z.string(),
  /** `query`: one SELECT. `statement`: one or more statements (DDL, DML, scripts' parts). */
  kind: z.enum(["query", "statement"]),
  /**
   * How Dataform materializes a query. When set, the query is also checked inside the statement
   * BigQuery will run (CREATE OR REPLACE TABLE/VIEW … AS, and MERGE or INSERT for incremental
   * tables), which catches what a bare SELECT does not: unnamed or duplicate output columns,
   * bad partition or cluster columns, a unique key the query does not produce.
   */
  materialization: z.enum(["table", "view", "incremental"]).optional(),
  partitionBy: z.string().min(1).optional(),
  clusterBy: z.array(z.string().min(1)).optional(),
  /** Incremental tables: the key Dataform merges on (MERGE); without it Dataform INSERTs. */
  uniqueKey: z.array(z.string().min(1)).optional(),
  /** Incremental tables: the query of incremental runs, when it differs from `sql`. */
  incrementalSql: z.string().optional(),
  /** Incremental tables: statements run before the incremental query (TEMP tables it reads). */
  incrementalPreOps: z.array(z.string()).optional(),
  /**
   * First statement of an action: BigQuery runs each action as its own script, so TEMP tables
   * of the previous action are gone.
   */
  startsScript: z.boolean().optional(),
});

export const CheckInputSchema = z.object({
  /** The project Dataform compiled for; fills in tables named without one. */
  project: z.string().min(1).optional(),
  declarations: z.array(DeclarationSchema),
  /** In dependency order: a statement may only read tables declared or produced before it. */
  statements: z.array(StatementSchema),
  /** Types of named parameters (`{ days: "INT64" }`); undeclared ones take the type of their use. */
  parameters: z.record(z.string(), z.string()).optional(),
});

export type TableNameInput = z.infer<typeof TableNameSchema>;
export type Declaration = z.input<typeof DeclarationSchema>;
export type StatementInput = z.input<typeof StatementSchema>;
export type CheckInput = z.input<typeof CheckInputSchema>;

export interface CheckFailure {
  readonly fileName: string;
  readonly target: TableNameInput | undefined;
  /** The analyzer's message, with the line, column and a caret under the fault. */
  readonly message: string;
}

export interface SkippedStatement {
  readonly fileName: string;
  readonly target: TableNameInput | undefined;
  /** Why it was not checked: the failed table it reads. */
  readonly reason: string;
}

export interface CheckResult {
  /** Statements analyzed (passed or failed). */
  readonly checked: number;
  readonly failures: readonly CheckFailure[];
  /** Statements not analyzed because a table they read failed its own check. */
  readonly skipped: readonly SkippedStatement[];
}

/** One failure as the CLI prints it: where, then the analyzer's message. */
export function formatFailure(failure: CheckFailure): string {
  const target = failure.target ? ` (${displayName(failure.target)})` : "";
  return `${failure.fileName}${target}: ${failure.message}`;
}

export function displayName(table: TableNameInput): string {
  return [table.database, table.schema, table.name].filter((p) => p !== undefined).join(".");
}
