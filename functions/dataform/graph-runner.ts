import type { Action, ActionType, CompiledGraph } from "./compiled-graph.js";
import { downstreamOf, orderActions } from "./graph-order.js";

/**
 * Running a compiled graph, whatever the warehouse: actions in dependency order, an action that
 * fails skips everything that reads it, the others still run. The DuckDB and BigQuery runners
 * differ only in how one action executes (`ExecuteAction`).
 */

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

/** How one action ended; `rows` is the table's row count where it is cheap to know. */
export interface ActionOutcome {
  readonly rows?: number;
  /** Assertions: rows that broke the rule (0 when it held). */
  readonly failingRows?: number;
}

export interface ExecuteOptions {
  /** Rebuild incremental tables from scratch (protected ones excepted). */
  readonly fullRefresh?: boolean;
}

/** Executes one action on a warehouse; throws when it fails. */
export type ExecuteAction = (action: Action, options: ExecuteOptions) => Promise<ActionOutcome>;

/** An assertion returned rows. The message names the rule and file, never row values. */
export class AssertionFailedError extends Error {
  readonly failingRows: number;

  /** `relation`: the assertion's view as the warehouse names it, for the user to inspect. */
  constructor(action: Action, failingRows: number, relation: string) {
    const model = action.parentAction
      ? ` on ${action.parentAction.schema}.${action.parentAction.name}`
      : "";
    super(
      `assertion ${action.name}${model} failed: ${failingRows} row(s) break it ` +
        `(defined in ${action.fileName}). Inspect them with SELECT * FROM ${relation}.`,
    );
    this.name = "AssertionFailedError";
    this.failingRows = failingRows;
  }
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
 * Runs every action of `graph` with `execute`, in dependency order. Resolves with every action's
 * result, or rejects with a `GraphRunError` carrying them.
 */
export async function runGraph(
  graph: CompiledGraph,
  execute: ExecuteAction,
  options: RunGraphOptions = {},
): Promise<GraphRunResult> {
  const started = performance.now();
  const ordered = orderActions(graph.actions);
  const blockedBy = new Map<Action, string>();
  const results: ActionResult[] = [];
  const total = ordered.length;
  for (const [index, action] of ordered.entries()) {
    options.onProgress?.({ kind: "started", action, index, total });
    const result = await runOne(execute, ordered, action, blockedBy, options);
    results.push(result);
    options.onProgress?.({ kind: "finished", result, index, total });
  }
  if (results.some((result) => result.status === "failed")) throw new GraphRunError(results);
  return { results, durationMs: Math.round(performance.now() - started) };
}

async function runOne(
  execute: ExecuteAction,
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
    const outcome = await execute(
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
      error instanceof AssertionFailedError ? { failingRows: error.failingRows } : {};
    return {
      ...base,
      status: "failed",
      durationMs: elapsed(started),
      ...failingRows,
      error:
        error instanceof AssertionFailedError
          ? message
          : `${action.type} ${action.name} (${action.fileName}) failed: ${message}`,
    };
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
