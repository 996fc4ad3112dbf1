import { MAX_LOAD_URIS } from "../../platform/ports.js";
import { RAW_DATASET } from "../raw-table.js";
import type { BatchLimits } from "./manifest.js";
import type { RetrySettings } from "./run-batch.js";

/** How a sweep batches, paces and bounds itself. See docs/operations.md for the arithmetic. */
export interface SweepConfig {
  readonly rawDataset: string;
  readonly limits: BatchLimits;
  /** Days before today whose `dt=` partitions a recent sweep lists (today and tomorrow too). */
  readonly lookbackDays: number;
  /** Load jobs per table per rolling 24 h the sweep may start (BigQuery allows 1,500). */
  readonly jobsPerTablePerDay: number;
  /** Debounce of event-triggered sweeps: none starts within this long of the previous one. */
  readonly minIntervalMs: number;
  /** A lease outlives the function's timeout, so a killed sweep never overlaps a live one. */
  readonly leaseTtlMs: number;
  /** No new job starts with less than this left on the lease. */
  readonly leaseMarginMs: number;
  /** No new job starts after this long (a function has a timeout; the next sweep continues). */
  readonly timeBudgetMs: number;
  /** Inbox markers read per sweep (one stat each; a large backfill is a deep sweep's job). */
  readonly inboxLimit: number;
  readonly retry: RetrySettings;
}

const MINUTE = 60_000;

/**
 * In the cloud: one batch per table per sweep and a sweep at most every 2 minutes make at most
 * 720 regular jobs per table per day; the budget of 1,400 leaves room for splits and retries
 * under BigQuery's 1,500.
 */
export const CLOUD_SWEEP: SweepConfig = {
  rawDataset: RAW_DATASET,
  limits: { maxFiles: MAX_LOAD_URIS, maxBytes: 4 * 1024 ** 3, maxManifestsPerTable: 1 },
  lookbackDays: 2,
  jobsPerTablePerDay: 1_400,
  minIntervalMs: 2 * MINUTE,
  leaseTtlMs: 12 * MINUTE,
  leaseMarginMs: 2 * MINUTE,
  timeBudgetMs: 6 * MINUTE,
  inboxLimit: 2_000,
  retry: { sameIdRetries: 4, nextAttempts: 3, minDelayMs: 1_000, maxDelayMs: 32_000 },
};

/** On a laptop: DuckDB has no job quota, and the demo waits for the whole lake. */
export const LOCAL_SWEEP: SweepConfig = {
  ...CLOUD_SWEEP,
  limits: { ...CLOUD_SWEEP.limits, maxManifestsPerTable: Number.POSITIVE_INFINITY },
  jobsPerTablePerDay: Number.POSITIVE_INFINITY,
  minIntervalMs: 0,
  timeBudgetMs: Number.POSITIVE_INFINITY,
  retry: { sameIdRetries: 3, nextAttempts: 3, minDelayMs: 50, maxDelayMs: 1_000 },
};
