import { RAW_COLUMNS, RAW_DATASET } from "../core/raw-table.js";
import { type CompileOptions, compileProject } from "../dataform/compile.js";
import type { Action, CompiledGraph } from "../dataform/compiled-graph.js";
import { targetKey } from "../dataform/compiled-graph.js";
import { knownDeclaredSpec } from "../dataform/declarations.js";
import { declaredSourceColumns } from "../sources/ga4/export-schema.js";
import { type CheckDeps, checkStatements } from "./check.js";
import type { CheckInput, CheckResult, Declaration, StatementInput } from "./check-input.js";

/** Columns of declared tables that are not raw tables (e.g. a GA4 export), keyed `dataset.table`. */
export type DeclaredColumns = Readonly<Record<string, readonly { name: string; type: string }[]>>;

export interface ProjectCheckOptions {
  readonly declaredColumns?: DeclaredColumns;
  /**
   * Columns of declarations by tag: a declaration carrying the tag has them (e.g. the GA4
   * export's wildcard tables, tag `ga4_export`, whose dataset is a compile var).
   */
  readonly declaredColumnsByTag?: DeclaredColumnsByTag;
}

export type DeclaredColumnsByTag = Readonly<
  Record<string, readonly { name: string; type: string }[]>
>;

/** A declaration whose columns nobody knows: the models reading it cannot be checked. */
export interface UnknownDeclaration {
  readonly fileName: string;
  readonly table: string;
}

/**
 * `unistack check-sql`: compiles the Dataform project for BigQuery and checks every statement.
 * Throws `DataformCompileError` when the project does not compile.
 */
export async function checkProject(
  compile: Omit<CompileOptions, "target">,
  options: ProjectCheckOptions = {},
  deps: CheckDeps = {},
): Promise<CheckResult> {
  const graph = await compileProject({ ...compile, target: "bigquery" });
  const byTag = options.declaredColumnsByTag ?? declaredSourceColumns(compile.projectDir);
  return checkCompiledGraph(graph, { ...options, declaredColumnsByTag: byTag }, deps);
}

/**
 * Checks every BigQuery statement of a compiled Dataform graph. A declaration whose columns are
 * unknown is reported as a failure of its file, since nothing that reads it can be checked.
 */
export async function checkCompiledGraph(
  graph: CompiledGraph,
  options: ProjectCheckOptions = {},
  deps: CheckDeps = {},
): Promise<CheckResult> {
  const { input, unknownDeclarations } = checkInputFromGraph(graph, options);
  const result = await checkStatements(input, deps);
  const undeclared = unknownDeclarations.map((d) => ({
    fileName: d.fileName,
    target: undefined,
    message:
      `No column types are known for the declared table ${d.table}, so the models that read it ` +
      "cannot be checked. Tables in the raw_dataset get RAW_COLUMNS; pass the columns of other " +
      "declarations as declaredColumns (or declaredColumnsByTag).",
  }));
  return { ...result, failures: [...undeclared, ...result.failures] };
}

/**
 * Turns a Dataform graph compiled for BigQuery into `checkStatements` input, in dependency
 * order: declarations become catalog tables (raw tables have the shape of `RAW_COLUMNS`), and
 * every enabled table, view, incremental table, assertion and operation becomes a statement.
 */
export function checkInputFromGraph(
  graph: CompiledGraph,
  options: ProjectCheckOptions = {},
): { input: CheckInput; unknownDeclarations: UnknownDeclaration[] } {
  if (graph.target !== "bigquery") {
    throw new Error(`check-sql checks BigQuery SQL; this graph was compiled for ${graph.target}.`);
  }
  const rawDataset = graph.projectConfig.vars.raw_dataset ?? RAW_DATASET;
  const declarations: Declaration[] = [];
  const unknownDeclarations: UnknownDeclaration[] = [];
  for (const action of graph.actions.filter((a) => a.type === "declaration")) {
    const known = `${action.target.schema}.${action.target.name}`;
    const byTag = action.tags.map((tag) => options.declaredColumnsByTag?.[tag]).find(Boolean);
    const columns =
      options.declaredColumns?.[known] ??
      byTag ??
      (action.target.schema === rawDataset
        ? RAW_COLUMNS
        : knownDeclaredSpec(graph, action.target)?.columns);
    if (columns) declarations.push({ ...action.target, columns: [...columns] });
    else unknownDeclarations.push({ fileName: action.fileName, table: known });
  }
  const runnable = graph.actions.filter((a) => a.type !== "declaration" && !a.disabled);
  const statements = inDependencyOrder(runnable).flatMap(statementsOf);
  const project = graph.projectConfig.defaultDatabase;
  return {
    input: { ...(project ? { project } : {}), declarations, statements },
    unknownDeclarations,
  };
}

/** The statements BigQuery runs for one action, in the order it runs them. */
function statementsOf(action: Action): StatementInput[] {
  const base = { target: action.target, fileName: action.fileName };
  const operations = (sqls: readonly string[]): StatementInput[] =>
    sqls.map((sql) => ({ fileName: action.fileName, kind: "statement", sql }));
  if (action.type === "operations") {
    return action.query
      ? [{ ...base, kind: "statement", sql: action.query, startsScript: true }]
      : [];
  }
  if (action.query === undefined) return [];
  const materialization =
    action.type === "assertion" ? "view" : (action.type as "table" | "view" | "incremental");
  const main: StatementInput = {
    ...base,
    kind: "query",
    sql: action.query,
    materialization,
    ...(action.bigquery?.partitionBy ? { partitionBy: action.bigquery.partitionBy } : {}),
    ...(action.bigquery?.clusterBy.length ? { clusterBy: action.bigquery.clusterBy } : {}),
    ...(action.uniqueKey.length ? { uniqueKey: action.uniqueKey } : {}),
    ...(action.incrementalQuery ? { incrementalSql: action.incrementalQuery } : {}),
    ...(action.type === "incremental" && action.incrementalPreOps.length
      ? { incrementalPreOps: action.incrementalPreOps }
      : {}),
  };
  const all = [...operations(action.preOps), main, ...operations(action.postOps)];
  return all.map((statement, i) => (i === 0 ? { ...statement, startsScript: true } : statement));
}

/**
 * Actions ordered so each comes after the actions it depends on (file order otherwise). Core
 * reports cycles at compile time, so a cycle here only means a dependency outside the graph.
 */
export function inDependencyOrder(actions: readonly Action[]): Action[] {
  const byKey = new Map(actions.map((a) => [targetKey(a.target), a]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const ordered: Action[] = [];
  const visit = (action: Action) => {
    const key = targetKey(action.target);
    if (done.has(key) || visiting.has(key)) return;
    visiting.add(key);
    for (const dependency of action.dependencyTargets) {
      const upstream = byKey.get(targetKey(dependency));
      if (upstream) visit(upstream);
    }
    visiting.delete(key);
    done.add(key);
    ordered.push(action);
  };
  for (const action of actions) visit(action);
  return ordered;
}
