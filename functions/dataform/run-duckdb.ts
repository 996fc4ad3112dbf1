import type { CompiledGraph } from "./compiled-graph.js";
import { executeAction, type SqlSession } from "./duckdb-actions.js";
import { type GraphRunResult, type RunGraphOptions, runGraph } from "./graph-runner.js";

export type { SqlSession } from "./duckdb-actions.js";
export {
  type ActionResult,
  GraphRunError,
  type GraphRunResult,
  type RunGraphOptions,
  type RunProgress,
} from "./graph-runner.js";

/**
 * Runs a graph compiled for DuckDB, in dependency order, on one DuckDB session: schemas,
 * views, tables, incremental tables (created on their first run, MERGEd on `uniqueKey`
 * afterwards), then assertions, which fail the run when they return rows. Declared tables must
 * exist. An action that fails skips everything that reads it; the others still run. Resolves
 * with every action's result, or rejects with a `GraphRunError` carrying them.
 */
export async function runDuckDbGraph(
  session: SqlSession,
  graph: CompiledGraph,
  options: RunGraphOptions = {},
): Promise<GraphRunResult> {
  if (graph.target !== "duckdb") {
    throw new Error(
      `this graph was compiled for ${graph.target}; compile it with target "duckdb" to run it locally`,
    );
  }
  return runGraph(graph, (action, execute) => executeAction(session, action, execute), options);
}
