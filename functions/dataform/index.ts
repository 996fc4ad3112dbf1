/**
 * Dataform for Unistack: compile the project in-process, run the DuckDB graph locally, or the
 * BigQuery graph through a BigQuery warehouse (the emulator end-to-end test).
 */
export {
  type CompilationProblem,
  type CompileOptions,
  compileProject,
  DataformCompileError,
  listProjectFiles,
  type SqlTarget,
} from "./compile.js";
export {
  type Action,
  type ActionType,
  actionName,
  type CompiledGraph,
  type Target,
  targetKey,
} from "./compiled-graph.js";
export { type DeclaredTable, declaredTables, rawTableSpecs } from "./declarations.js";
export { AssertionFailedError, type SqlSession } from "./duckdb-actions.js";
export { orderActions } from "./graph-order.js";
export { runBigQueryGraph } from "./run-bigquery.js";
export {
  type ActionResult,
  GraphRunError,
  type GraphRunResult,
  type RunGraphOptions,
  type RunProgress,
  runDuckDbGraph,
} from "./run-duckdb.js";
