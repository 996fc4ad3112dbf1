/**
 * How a failed call to a destination is handled, whatever the platform:
 * - `rate_limited`: slow down and retry (a `Retry-After` or `retryDelay` is waited out exactly);
 * - `transient`: retry with backoff (5xx, timeouts, network errors, the platform's "try again");
 * - `permanent`: never retried in-process (bad request, bad token, missing audience): the batch
 *   is recorded as failed and its rows stay in the next run's diff.
 */
export type DestinationErrorKind = "rate_limited" | "transient" | "permanent";

export interface DestinationErrorDetails {
  readonly kind: DestinationErrorKind;
  /** Short, stable label for ops tables: `http_429`, `meta_100_1713230`, `INVALID_ARGUMENT`. */
  readonly label: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly attempts: number;
}

/** A failed call to a destination. Its message names the operation and error, never a row. */
export class DestinationApiError extends Error {
  override readonly name: string = "DestinationApiError";
  readonly kind: DestinationErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly attempts: number;
  readonly #label: string;

  constructor(message: string, details: DestinationErrorDetails) {
    super(message);
    this.kind = details.kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.attempts = details.attempts;
    this.#label = details.label;
  }

  get retryable(): boolean {
    return this.kind !== "permanent";
  }

  get label(): string {
    return this.#label;
  }

  /** What the platform last answered, for "did not take the batch" messages. */
  describeAnswer(): string {
    return this.status !== undefined
      ? `HTTP ${this.status} (${this.label})`
      : `no answer (${this.label})`;
  }
}

/** `Retry-After` as milliseconds: delay-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null | undefined, now: Date): number | undefined {
  if (header === null || header === undefined || header.trim() === "") return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
