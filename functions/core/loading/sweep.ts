import type { Logger } from "../../platform/logger.js";
import type { Clock, ObjectStore, Warehouse } from "../../platform/ports.js";
import { type BatchTally, emptyTally, type FailedFile } from "./batch-tally.js";
import { createJobBudget } from "./job-budget.js";
import { acquireLease, holdLease, type LeaseBody, releaseLease } from "./lease.js";
import { readLedger } from "./ledger.js";
import { fileId, manifestKey, planManifests } from "./manifest.js";
import { readManifests, storeNewManifest } from "./manifest-store.js";
import { runBatch } from "./run-batch.js";
import {
  listCandidates,
  type RawCandidate,
  type RawStream,
  readInbox,
  type SweepScope,
  sweepWindow,
} from "./scope.js";
import type { SweepConfig } from "./sweep-config.js";

export interface SweepDeps {
  readonly store: ObjectStore;
  readonly warehouse: Warehouse;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The lake bucket's name, as the ledger records it. */
  readonly bucket: string;
  /** The URI the warehouse loads a key from (`gs://<bucket>/<key>` in the cloud). */
  readonly uriOf: (key: string) => string;
  /** Streams a recent sweep lists (the sources' registry). */
  readonly streams: readonly RawStream[];
  /** Who sweeps, written into the lease (host and pid locally, for `holderGone`). */
  readonly holder: Pick<LeaseBody, "holder" | "host" | "pid">;
  readonly holderGone?: (lease: LeaseBody) => boolean;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface SweepRequest {
  /** What started it: `event` (object finalized), `schedule`, `manual` (CLI, demo). */
  readonly trigger: "event" | "schedule" | "manual";
  readonly scope: SweepScope;
  /** Skip when a sweep started less than `config.minIntervalMs` ago. */
  readonly debounce: boolean;
}

export type SweepReport =
  | { readonly status: "skipped"; readonly reason: "busy" | "recent"; readonly since: string }
  | {
      /**
       * `complete`: nothing left; `partial`: caps or time left files for the next sweep;
       * `deferred`: the job budget or a BigQuery quota holds files back; `incomplete`: loads kept
       * failing (transient) and wait for the next sweep.
       */
      readonly status: "complete" | "partial" | "deferred" | "incomplete";
      /** Files this sweep loaded, and their rows. */
      readonly loaded: number;
      readonly rows: number;
      /** Files the ledger already had. */
      readonly alreadyLoaded: number;
      /** Files an interrupted earlier sweep had loaded, whose ledger rows were written now. */
      readonly recorded: number;
      /** Files that failed alone: recorded in `ops_load.raw_load_failures`. */
      readonly failed: readonly FailedFile[];
      /** Files recorded as failed by earlier sweeps, skipped until replayed. */
      readonly failedBefore: number;
      readonly jobs: number;
      readonly splits: number;
      /** Files still waiting (in manifests or not yet batched). */
      readonly pending: number;
      readonly problems: readonly string[];
    };

/**
 * The raw loader: reconciles the lake against the load ledger. Under a lease, it finishes the
 * manifests earlier sweeps left, then batches what the lake holds and the ledger does not into new
 * manifests (written before their jobs), one load job each. Run it as often as you like: a file
 * version is loaded once, and a file that fails is isolated and recorded, never dropped.
 */
export async function sweepRawLoads(
  deps: SweepDeps,
  request: SweepRequest,
  config: SweepConfig,
): Promise<SweepReport> {
  const now = () => deps.clock.now();
  const leaseOptions = { store: deps.store, now, ttlMs: config.leaseTtlMs };
  const attempt = await acquireLease({
    ...leaseOptions,
    holder: { ...deps.holder, trigger: request.trigger },
    ...(request.debounce ? { minIntervalMs: config.minIntervalMs } : {}),
    ...(deps.holderGone ? { holderGone: deps.holderGone } : {}),
  });
  if (!attempt.ok) return { status: "skipped", reason: attempt.reason, since: attempt.since };
  let lease = attempt.lease;
  const log = deps.logger.child({ sweep: lease.seq, trigger: request.trigger });
  const started = now().getTime();
  const tally: BatchTally = emptyTally();
  const mayStart = async (): Promise<boolean> => {
    if (now().getTime() - started > config.timeBudgetMs) return false;
    const held = await holdLease(leaseOptions, lease, config.leaseMarginMs);
    if (held) lease = held;
    else tally.problems.push("the lease was lost; another sweep continues");
    return held !== undefined;
  };
  try {
    const manifests = await readManifests(deps.store, tally);
    const window =
      request.scope.kind === "recent" ? sweepWindow(now(), request.scope.lookbackDays) : undefined;
    const inbox = await readInbox(deps.store, config.inboxLimit);
    const candidates = unique([
      ...(await listCandidates(deps.store, request.scope, deps.streams, now())),
      ...inbox.flatMap((e) => (e.candidate ? [e.candidate] : [])),
    ]);
    const ledger = await readLedger(
      deps.warehouse,
      window
        ? {
            kind: "dates",
            from: window.from,
            to: window.to,
            extra: [...candidates, ...manifests.flatMap((m) => m.files)].map((f) => f.dt),
          }
        : { kind: "all" },
    );
    const inManifests = new Set(manifests.flatMap((m) => m.files.map(fileId)));
    const alreadyLoaded = candidates.filter((c) => ledger.loaded.has(fileId(c))).length;
    const failedBefore = candidates.filter((c) => ledger.failed.has(fileId(c))).length;
    const waiting = candidates.filter((c) => {
      const id = fileId(c);
      return !ledger.loaded.has(id) && !ledger.failed.has(id) && !inManifests.has(id);
    });

    const batchDeps = {
      store: deps.store,
      warehouse: deps.warehouse,
      logger: log,
      now,
      bucket: deps.bucket,
      uriOf: deps.uriOf,
      rawDataset: config.rawDataset,
      budget: createJobBudget({
        store: deps.store,
        now,
        perTablePerDay: config.jobsPerTablePerDay,
      }),
      mayStart,
      retry: config.retry,
      sleep: deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))),
      settledBefore: (id: string) => ledger.loaded.has(id) || ledger.failed.has(id),
    };
    // Parents before their halves: re-running a split parent re-derives the same halves.
    for (const m of [...manifests].sort((a, b) => a.depth - b.depth)) {
      if (!(await deps.store.stat(manifestKey(m)))) continue;
      await runBatch(batchDeps, m, tally);
    }
    const planned = planManifests(
      groupByTable(waiting),
      config.limits,
      `lease-${lease.seq}`,
      now(),
    );
    let unplanned = waiting.length - planned.reduce((n, m) => n + m.files.length, 0);
    for (const [i, m] of planned.entries()) {
      if (!(await mayStart())) {
        unplanned += planned.slice(i).reduce((n, p) => n + p.files.length, 0);
        break;
      }
      await runBatch(batchDeps, await storeNewManifest(deps.store, m), tally);
    }
    for (const entry of inbox) {
      const id = entry.candidate ? fileId(entry.candidate) : undefined;
      const done = !id || ledger.loaded.has(id) || ledger.failed.has(id) || tally.settled.has(id);
      if (done) await deps.store.delete(entry.marker);
    }
    const pending = unplanned + tally.left.stopped + tally.left.deferred + tally.left.retryLater;
    const report: SweepReport = {
      status:
        tally.left.retryLater > 0
          ? "incomplete"
          : tally.left.deferred > 0
            ? "deferred"
            : pending > 0
              ? "partial"
              : "complete",
      loaded: tally.loadedFiles,
      rows: tally.rows,
      alreadyLoaded,
      recorded: tally.recordedFiles,
      failed: tally.failed,
      failedBefore,
      jobs: tally.jobs,
      splits: tally.splits,
      pending,
      problems: tally.problems,
    };
    const { failed: _failed, problems: _problems, ...figures } = report;
    log.info({ ...figures, failed: report.failed.length }, "sweep finished");
    return report;
  } finally {
    await releaseLease(deps.store, lease).catch((error: unknown) =>
      log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "could not release the lease; it expires",
      ),
    );
  }
}

function unique(candidates: readonly RawCandidate[]): RawCandidate[] {
  const byId = new Map<string, RawCandidate>();
  for (const c of candidates) byId.set(fileId(c), c);
  return [...byId.values()];
}

function groupByTable(files: readonly RawCandidate[]) {
  const groups = new Map<string, { source: string; stream: string; files: RawCandidate[] }>();
  for (const f of files) {
    const key = `${f.source}/${f.stream}`;
    const group = groups.get(key) ?? { source: f.source, stream: f.stream, files: [] };
    group.files.push(f);
    groups.set(key, group);
  }
  return [...groups.values()];
}
