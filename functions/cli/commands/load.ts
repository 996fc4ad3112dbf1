import { type SweepDeps, type SweepReport, sweepRawLoads } from "../../core/loading/sweep.js";
import { LOCAL_SWEEP } from "../../core/loading/sweep-config.js";
import { rawStreamsOf } from "../../handlers/load-raw.js";
import { localSweeper } from "../../platform/local/local-lease.js";
import {
  createLocalPlatform,
  LOCAL_BUCKET,
  type LocalPlatform,
} from "../../platform/local/local-platform.js";
import { PULL_SOURCES } from "../../sources/pull-registry.js";
import { WEBHOOK_SOURCES } from "../../sources/registry.js";
import { acquireStateLock } from "../demo/state-lock.js";

/** The loader's deps on the local platform: the lake folder plays the bucket. */
export function localLoaderDeps(platform: LocalPlatform): SweepDeps {
  return {
    store: platform.store,
    warehouse: platform.warehouse,
    logger: platform.logger,
    clock: platform.clock,
    bucket: LOCAL_BUCKET,
    uriOf: (key) => platform.store.uriOf(key),
    streams: rawStreamsOf([...WEBHOOK_SOURCES, ...PULL_SOURCES]),
    ...localSweeper(),
  };
}

/** Sweeps the whole local lake against the ledger: what `unistack load` and the demo run. */
export function sweepLocalLake(
  platform: LocalPlatform,
  overrides: Partial<SweepDeps> = {},
): Promise<SweepReport> {
  return sweepRawLoads(
    { ...localLoaderDeps(platform), ...overrides },
    { trigger: "manual", scope: { kind: "all" }, debounce: false },
    LOCAL_SWEEP,
  );
}

/** One line a person reads: what was loaded now and what was there before. */
export function describeSweep(report: Exclude<SweepReport, { status: "skipped" }>): string {
  const n = (v: number) => v.toLocaleString("en");
  const recorded =
    report.recorded > 0 ? `, ${n(report.recorded)} recorded after an interrupted run` : "";
  return `${n(report.loaded)} files loaded (${n(report.rows)} rows, ${report.jobs} load job${report.jobs === 1 ? "" : "s"}), ${n(report.alreadyLoaded)} already loaded${recorded}`;
}

/** Why a sweep did not finish, and what to do; `undefined` when it did. */
export function sweepProblem(report: SweepReport): string | undefined {
  if (report.status === "skipped") {
    return `another loader holds the lake's lease (since ${report.since}): let it finish, then run again`;
  }
  if (report.failed.length === 0 && report.status === "complete") return undefined;
  const n = (v: number) => v.toLocaleString("en");
  const problems = report.problems.length > 0 ? ` (${report.problems.join("; ")})` : "";
  return `${n(report.failed.length)} raw files failed to load (recorded in ops_load.raw_load_failures) and ${n(report.pending)} are still waiting${problems}. Fix the cause and run again: only what is missing is loaded (docs/operations.md, "Raw loads")`;
}

/**
 * `unistack load`: loads what the local lake holds and the ledger lacks. Exit 1 if not all. Holds
 * the state folder's lock like `unistack demo` (a running demo owns the DuckDB file).
 */
export async function loadCommand(options: { dir: string }): Promise<number> {
  const lock = await acquireStateLock(options.dir, { command: "unistack load" });
  const platform = await createLocalPlatform({ dir: options.dir }).catch(async (error: unknown) => {
    await lock.release();
    throw error;
  });
  try {
    const report = await sweepLocalLake(platform);
    if (report.status !== "skipped") console.log(describeSweep(report));
    const problem = sweepProblem(report);
    if (problem) console.error(`unistack load: ${problem}`);
    return problem ? 1 : 0;
  } finally {
    await platform.close();
    await lock.release();
  }
}
