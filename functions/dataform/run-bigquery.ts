import type { Warehouse } from "../platform/ports.js";
import { executeBigQueryAction } from "./bigquery-actions.js";
import type { CompiledGraph } from "./compiled-graph.js";
import { type GraphRunResult, type RunGraphOptions, runGraph } from "./graph-runner.js";

/**
 * Runs a graph compiled for BigQuery through the Warehouse port, in dependency order: the
 * counterpart of `runDuckDbGraph`, for a BigQuery warehouse (the BigQuery emulator in the
 * end-to-end test; in the cloud the Dataform service runs the same compiled SQL). Declared tables
 * must exist. Resolves with every action's result, or rejects with a `GraphRunError`.
 */
export async function runBigQueryGraph(
  warehouse: Warehouse,
  graph: CompiledGraph,
  options: RunGraphOptions = {},
): Promise<GraphRunResult> {
  if (graph.target !== "bigquery") {
    throw new Error(
      `this graph was compiled for ${graph.target}; compile it with target "bigquery" to run it on BigQuery`,
    );
  }
  if (warehouse.dialect !== "bigquery") {
    throw new Error(`a BigQuery graph runs on a BigQuery warehouse, not on ${warehouse.dialect}`);
  }
  return runGraph(graph, (action, execute) => executeBigQueryAction(warehouse, action, execute), {
    ...options,
  });
}
