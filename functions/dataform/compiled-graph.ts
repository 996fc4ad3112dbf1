import { z } from "zod";

/** Where an action's output lives: BigQuery project (database), dataset (schema), table. */
export const TargetSchema = z.object({
  database: z.string().optional(),
  schema: z.string(),
  name: z.string(),
});
export type Target = z.infer<typeof TargetSchema>;

export const ActionTypeSchema = z.enum([
  "table",
  "view",
  "incremental",
  "assertion",
  "declaration",
  "operations",
]);
export type ActionType = z.infer<typeof ActionTypeSchema>;

export const ColumnDocSchema = z.object({
  /** Dotted path for nested fields (`record.field`), else the column name. */
  name: z.string(),
  description: z.string().optional(),
  /** BigQuery policy tags Dataform attaches to the column (column-level access control). */
  policyTags: z.array(z.string()).optional(),
});

/** One action of a compiled Dataform graph, for any target. */
export const ActionSchema = z.object({
  /** `dataset.table`, as people name it. */
  name: z.string(),
  target: TargetSchema,
  type: ActionTypeSchema,
  /** Project-relative file that defines it (inline assertions: the model's file). */
  fileName: z.string(),
  /** SELECT of tables, views, incremental tables (full build) and assertions; operations' SQL. */
  query: z.string().optional(),
  /** Incremental tables: the SELECT of runs after the first (`when(incremental(), …)`). */
  incrementalQuery: z.string().optional(),
  /** Incremental tables: rows with the same key are updated (MERGE), others inserted. */
  uniqueKey: z.array(z.string()),
  preOps: z.array(z.string()),
  postOps: z.array(z.string()),
  incrementalPreOps: z.array(z.string()),
  incrementalPostOps: z.array(z.string()),
  dependencyTargets: z.array(TargetSchema),
  description: z.string().optional(),
  columns: z.array(ColumnDocSchema),
  tags: z.array(z.string()),
  disabled: z.boolean(),
  /** Incremental tables that must never be rebuilt from scratch. */
  protected: z.boolean(),
  /** Inline assertions: the model they check. */
  parentAction: TargetSchema.optional(),
  bigquery: z
    .object({ partitionBy: z.string().optional(), clusterBy: z.array(z.string()) })
    .optional(),
});
export type Action = z.infer<typeof ActionSchema>;

export const CompiledGraphSchema = z.object({
  /** The SQL dialect the queries are written in. */
  target: z.enum(["bigquery", "duckdb"]),
  coreVersion: z.string(),
  projectConfig: z.object({
    defaultDatabase: z.string().optional(),
    defaultSchema: z.string().optional(),
    assertionSchema: z.string().optional(),
    defaultLocation: z.string().optional(),
    vars: z.record(z.string(), z.string()),
  }),
  /** In file order; use `orderActions` for dependency order. */
  actions: z.array(ActionSchema),
  /** Wall time of the compile, including loading core. */
  compileMs: z.number(),
});
export type CompiledGraph = z.infer<typeof CompiledGraphSchema>;

export function actionName(target: Target): string {
  return `${target.schema}.${target.name}`;
}

/** Identity of a target inside one graph (the database is part of it). */
export function targetKey(target: Target): string {
  return `${target.database ?? ""}.${target.schema}.${target.name}`;
}
