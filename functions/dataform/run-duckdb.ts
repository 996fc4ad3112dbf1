import type { Action, ActionType, CompiledGraph } from "./compiled-graph.js";
import { type ActionOutcome, executeAction, type SqlSession } from "./duckdb-actions.js";
import { downstreamOf, orderActions } from "./graph-order.js";

export type { SqlSession } from "./duckdb-actions.js";

export interface ActionResult {
  /** `dataset.table`. */
  readonly name: string;
  readonly type: ActionType;
  readonly fileName: string;
  /** `skipped`: disabled, or an action it reads failed (see `error`). */
  readonly status: "succeeded" | "failed" | "skipped";
  readonly durationMs: number;
  /** Rows in the table after the run (tables and incremental tables). */
  readonly rows?: number;
  /** Assertions: rows that broke the rule. */
  readonly failingRows?: number;
  /** Why it failed or was skipped; names files and actions, never row values. */
  readonly error?: string;
}

export type RunProgress =
  | {
      readonly kind: "started";
      readonly action: Action;
      readonly index: number;
      readonly total: number;
    }
  | {
      readonly kind: "finished";
      readonly result: ActionResult;
      readonly index: number;
      readonly total: number;
    };

export interface RunGraphOptions {
  /** Called before and after each action, for progress output. */
  readonly onProgress?: (progress: RunProgress) => void;
  /** Rebuild incremental tables from scratch (protected ones are never rebuilt). */
  readonly fullRefresh?: boolean;
}

export interface GraphRunResult {
  readonly results: readonly ActionResult[];
  readonly durationMs: number;
}

/** Some actions failed; `results` has every action's outcome, `message` lists the failures. */
export class GraphRunError extends Error {
  readonly results: readonly ActionResult[];

  constructor(results: readonly ActionResult[]) {
    const failed = results.filter((result) => result.status === "failed");
    const skipped = results.filter((r) => r.status === "skipped" && r.error !== "disabled");
    super(
      `Dataform run failed: ${failed.length} action(s) failed` +
        (skipped.length > 0 ? `, ${skipped.length} skipped because of them` : "") +
        `:\n${failed.map((result) => `  ${result.name}: ${result.error}`).join("\n")}`,
    );
    this.name = "GraphRunError";
    this.results = results;
  }
}

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
  const started = performance.now();
  const ordered = orderActions(graph.actions);
  const blockedBy = new Map<Action, string>();
  const results: ActionResult[] = [];
  const total = ordered.length;
  for (const [index, action] of ordered.entries()) {
    options.onProgress?.({ kind: "started", action, index, total });
    const result = await runOne(session, ordered, action, blockedBy, options);
    results.push(result);
    options.onProgress?.({ kind: "finished", result, index, total });
  }
  if (results.some((result) => result.status === "failed")) throw new GraphRunError(results);
  return { results, durationMs: Math.round(performance.now() - started) };
}

async function runOne(
  session: SqlSession,
  ordered: readonly Action[],
  action: Action,
  blockedBy: Map<Action, string>,
  options: RunGraphOptions,
): Promise<ActionResult> {
  const base = { name: action.name, type: action.type, fileName: action.fileName };
  const blocker = blockedBy.get(action);
  if (action.disabled || blocker !== undefined) {
    const error = blocker === undefined ? "disabled" : `not run: ${blocker} failed`;
    return { ...base, status: "skipped", durationMs: 0, error };
  }
  const started = performance.now();
  try {
    const outcome: ActionOutcome = await executeAction(
      session,
      action,
      options.fullRefresh === undefined ? {} : { fullRefresh: options.fullRefresh },
    );
    return { ...base, status: "succeeded", durationMs: elapsed(started), ...outcome };
  } catch (error) {
    for (const dependent of downstreamOf(ordered, action)) {
      if (!blockedBy.has(dependent)) blockedBy.set(dependent, action.name);
    }
    const message = error instanceof Error ? error.message : String(error);
    const failingRows =
      typeof (error as { failingRows?: unknown }).failingRows === "number"
        ? { failingRows: (error as { failingRows: number }).failingRows }
        : {};
    return {
      ...base,
      status: "failed",
      durationMs: elapsed(started),
      ...failingRows,
      error:
        error instanceof Error && error.name === "AssertionFailedError"
          ? message
          : `${action.type} ${action.name} (${action.fileName}) failed: ${message}`,
    };
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
