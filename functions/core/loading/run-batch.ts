import pRetry from "p-retry";
import type { Logger } from "../../platform/logger.js";
import {
  LoadJobFailedError,
  type LoadResult,
  type ObjectStore,
  type Warehouse,
} from "../../platform/ports.js";
import { rawTableSpec } from "../raw-table.js";
import type { BatchTally } from "./batch-tally.js";
import { classifyLoadFailure, describeLoadError } from "./failure-policy.js";
import type { JobBudget } from "./job-budget.js";
import { ledgeredFilesOf, recordFailure, recordLoaded } from "./ledger.js";
import { fileId, loadJobId, type Manifest, manifestKey, splitManifest } from "./manifest.js";
import { saveManifest, storeNewManifest } from "./manifest-store.js";

export interface RetrySettings {
  /** Resubmissions of the same job id after a failed request (HTTP 5xx, reset connection). */
  readonly sameIdRetries: number;
  /** New attempts (new job ids) after jobs that failed for a retryable reason. */
  readonly nextAttempts: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

export interface BatchDeps {
  readonly store: ObjectStore;
  readonly warehouse: Warehouse;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Bucket name recorded in the ledger (`gs://<bucket>/<key>` is where the file is). */
  readonly bucket: string;
  /** The URI the warehouse loads a key from. */
  readonly uriOf: (key: string) => string;
  readonly rawDataset: string;
  readonly budget: JobBudget;
  /** Whether a new job may start: the lease is still held and the sweep's time is not up. */
  readonly mayStart: () => Promise<boolean>;
  readonly retry: RetrySettings;
  readonly sleep: (ms: number) => Promise<void>;
  /** Whether the ledger had this `key#generation` as loaded or failed when the sweep began. */
  readonly settledBefore: (id: string) => boolean;
}

/** Configuration is wrong (permissions, billing): nothing a retry or a split can change. */
export class SweepAbortedError extends Error {
  override readonly name = "SweepAbortedError";
}

/**
 * Runs one manifest to an end: loaded and recorded, or split until each bad file stands alone and
 * is recorded, or left in the store for a later sweep. The manifest object is removed only after
 * its ledger or failure rows are written.
 */
export async function runBatch(
  deps: BatchDeps,
  manifest: Manifest,
  tally: BatchTally,
): Promise<void> {
  const table = rawTableSpec(manifest.source, manifest.stream, deps.rawDataset);
  const destination = `${table.dataset}.${table.table}`;
  const log = deps.logger.child({ manifest: manifest.id, table: destination });
  if (manifest.files.every((f) => deps.settledBefore(fileId(f)))) {
    // A sweep died after writing this batch's ledger or failure rows: nothing is left to do.
    await deps.store.delete(manifestKey(manifest));
    return;
  }
  let m = manifest;
  for (let next = 0; ; ) {
    if (!(await deps.mayStart())) {
      tally.left.stopped += m.files.length;
      return;
    }
    const jobId = loadJobId(m);
    if (!(await deps.budget.take(destination, jobId))) {
      tally.left.deferred += m.files.length;
      tally.problems.push(`${destination}: the daily load-job budget is used up`);
      return;
    }
    tally.jobs++;
    let result: LoadResult;
    try {
      result = await pRetry(
        () =>
          deps.warehouse.load({ table, sourceUris: m.files.map((f) => deps.uriOf(f.key)), jobId }),
        {
          retries: deps.retry.sameIdRetries,
          minTimeout: deps.retry.minDelayMs,
          maxTimeout: deps.retry.maxDelayMs,
          shouldRetry: ({ error }) => classifyLoadFailure(error).action === "retry-same",
          onFailedAttempt: ({ error, attemptNumber }) => {
            const { action, reason } = classifyLoadFailure(error);
            if (action === "retry-same")
              log.warn(
                { jobId, attemptNumber, reason },
                "load request failed; resubmitting the same job id",
              );
          },
        },
      );
    } catch (error) {
      const { action, reason } = classifyLoadFailure(error);
      const text = describeLoadError(error);
      // A job that ran and failed spent its id: the next attempt is written before it starts.
      if (error instanceof LoadJobFailedError && action !== "split") {
        m = { ...m, attempt: m.attempt + 1 };
        await saveManifest(deps.store, m);
      }
      if (action === "split") {
        await isolate(deps, m, jobId, reason, text, tally);
        return;
      }
      if (action === "retry-next" && ++next <= deps.retry.nextAttempts) {
        log.warn({ jobId, reason }, "load job failed; retrying under a new job id");
        await deps.sleep(Math.min(deps.retry.maxDelayMs, deps.retry.minDelayMs * 2 ** next));
        continue;
      }
      if (action === "defer") {
        log.error({ jobId, reason }, "BigQuery quota reached; the batch waits for a later sweep");
        tally.left.deferred += m.files.length;
        tally.problems.push(`${destination}: ${reason}`);
        return;
      }
      if (action === "abort") {
        log.error({ jobId, reason, err: text }, "load refused: fix the configuration");
        throw new SweepAbortedError(`loading ${destination} was refused (${reason}): ${text}`);
      }
      log.error(
        { jobId, reason, err: text },
        "load keeps failing; the batch waits for the next sweep",
      );
      tally.left.retryLater += m.files.length;
      tally.problems.push(`${destination}: ${reason} (${text})`);
      return;
    }
    const known =
      result.status === "loaded" ? new Set<string>() : await ledgeredFilesOf(deps.warehouse, m);
    const files = m.files.filter((f) => !known.has(fileId(f)));
    await recordLoaded(deps.warehouse, {
      bucket: deps.bucket,
      destination,
      manifest: m,
      jobId,
      files,
      at: deps.now(),
    });
    if (result.status === "loaded") {
      tally.loadedFiles += m.files.length;
      tally.rows += result.rowsLoaded;
    } else {
      tally.recordedFiles += files.length;
    }
    for (const f of m.files) tally.settled.add(fileId(f));
    await deps.store.delete(manifestKey(m));
    log.info(
      { jobId, status: result.status, files: m.files.length, rows: result.rowsLoaded },
      "batch loaded",
    );
    return;
  }
}

/** Bisects a batch whose job failed on its data; a file that fails alone is recorded. */
async function isolate(
  deps: BatchDeps,
  m: Manifest,
  jobId: string,
  reason: string,
  text: string,
  tally: BatchTally,
): Promise<void> {
  const destination = `${deps.rawDataset}.${m.source}_${m.stream}`;
  const [file] = m.files;
  if (m.files.length === 1 && file) {
    await recordFailure(deps.warehouse, {
      bucket: deps.bucket,
      destination,
      manifest: m,
      jobId,
      file,
      reason,
      error: text,
      at: deps.now(),
    });
    tally.failed.push({ key: file.key, generation: file.generation, jobId, reason });
    tally.settled.add(fileId(file));
    await deps.store.delete(manifestKey(m));
    deps.logger.error(
      { key: file.key, generation: file.generation, jobId, reason, err: text },
      "raw file cannot be loaded; recorded in ops_load.raw_load_failures",
    );
    return;
  }
  const halves = [];
  for (const half of splitManifest(m, deps.now()))
    halves.push(await storeNewManifest(deps.store, half));
  await deps.store.delete(manifestKey(m));
  tally.splits++;
  deps.logger.warn(
    { manifest: m.id, files: m.files.length, reason },
    "batch failed on its data; splitting it",
  );
  for (const half of halves) await runBatch(deps, half, tally);
}
