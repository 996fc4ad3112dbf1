import type { Logger } from "../platform/logger.js";
import { DestinationApiError } from "./errors.js";

/**
 * The retry loop every destination client uses for one request. A wait the platform names
 * (`Retry-After`, Google's `retryDelay`) is waited exactly, with no backoff of our own on top
 * (SPEC-reliability §3: both sleeps must not add up); otherwise jittered exponential backoff.
 * Permanent errors are thrown at once. Not p-retry: it cannot take a per-attempt delay from the
 * error (docs/decisions.md).
 */

export interface RetryOptions {
  /** Retries after the first attempt (attempts = retries + 1). */
  readonly retries: number;
  readonly minTimeoutMs: number;
  readonly maxTimeoutMs: number;
  /** A named wait longer than this is not slept through in-process: the call fails as retryable. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  retries: 5,
  minTimeoutMs: 1_000,
  maxTimeoutMs: 60_000,
  maxRetryAfterMs: 120_000,
};

export interface RetryDeps {
  readonly sleep?: (ms: number) => Promise<void>;
  /** Source of jitter in [0, 1). */
  readonly random?: () => number;
  readonly logger?: Logger;
  /** Log fields naming the call (destination, op, target): never values. */
  readonly context?: Record<string, string>;
}

/** Runs `attempt(n)` (n = 1, 2, …) until it succeeds, fails permanently or the budget is spent. */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  options: RetryOptions,
  deps: RetryDeps = {},
): Promise<T> {
  const wait = deps.sleep ?? sleep;
  const random = deps.random ?? Math.random;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof DestinationApiError) || !error.retryable || n > options.retries) {
        throw error;
      }
      if (error.retryAfterMs !== undefined && error.retryAfterMs > options.maxRetryAfterMs) {
        throw error;
      }
      const delayMs = error.retryAfterMs ?? backoffMs(n, options, random);
      deps.logger?.warn(
        { ...deps.context, attempt: n, error: error.label, delayMs },
        "destination call failed; retrying",
      );
      await wait(delayMs);
    }
  }
}

/** Attempt n's delay: minTimeout · 2^(n−1), capped at maxTimeout, times a factor in [1, 2). */
export function backoffMs(n: number, retry: RetryOptions, random: () => number): number {
  const base = Math.min(retry.maxTimeoutMs, retry.minTimeoutMs * 2 ** (n - 1));
  return Math.round(base * (1 + random()));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
