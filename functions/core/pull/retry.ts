import pRetry from "p-retry";
import { RateLimitedError, TransientPullError } from "./errors.js";

export interface RetryPolicy {
  /** Retries of a transient failure (5xx, network) with exponential backoff. */
  readonly retries: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  /** How many times one page may be rate limited before the pull gives up. */
  readonly maxRateLimitWaits: number;
  /** A single Retry-After longer than this stops the pull (it would outlive the run). */
  readonly maxRateLimitWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 5,
  minBackoffMs: 1_000,
  maxBackoffMs: 30_000,
  maxRateLimitWaits: 20,
  maxRateLimitWaitMs: 120_000,
};

export interface RetryHooks {
  readonly sleep: (ms: number) => Promise<void>;
  readonly onRateLimited?: (waitMs: number) => void;
  readonly onTransient?: (error: Error, attempt: number) => void;
}

/**
 * Runs a read with the pull's retry rules: a rate limit is waited out for exactly as long as the
 * vendor asked (no backoff on top: the vendor already said when capacity is back), a transient
 * failure is retried with jittered exponential backoff (`p-retry`), anything else is thrown at
 * once. The read must be idempotent.
 */
export async function withPullRetries<T>(
  read: () => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks,
): Promise<T> {
  let waits = 0;
  for (;;) {
    try {
      return await pRetry(read, {
        retries: policy.retries,
        minTimeout: policy.minBackoffMs,
        maxTimeout: policy.maxBackoffMs,
        factor: 2,
        randomize: true,
        shouldRetry: ({ error }) => error instanceof TransientPullError,
        onFailedAttempt: ({ error, attemptNumber }) => {
          if (error instanceof TransientPullError) hooks.onTransient?.(error, attemptNumber);
        },
      });
    } catch (error) {
      if (
        error instanceof RateLimitedError &&
        waits < policy.maxRateLimitWaits &&
        error.waitMs <= policy.maxRateLimitWaitMs
      ) {
        waits++;
        hooks.onRateLimited?.(error.waitMs);
        await hooks.sleep(error.waitMs);
        continue;
      }
      throw error;
    }
  }
}
