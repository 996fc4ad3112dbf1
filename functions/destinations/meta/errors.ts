import { DestinationApiError, type DestinationErrorKind } from "../errors.js";
import type { GraphError } from "./contracts.js";

export { parseRetryAfter } from "../errors.js";

/**
 * How a failed call to Meta is handled:
 * - `rate_limited`: HTTP 429 or Graph codes 4, 17, 32, 341, 613, 80000–80014: back off, retry;
 * - `transient`: 5xx, network errors, timeouts, Graph codes 1 and 2, `is_transient: true`: retry;
 * - `permanent`: every other 4xx, notably code 100 / subcode 1713230 (audience upload blocked):
 *   never retried; the row stays in the next run's diff.
 */
export type MetaErrorKind = DestinationErrorKind;

const RATE_LIMIT_CODES = new Set([4, 17, 32, 341, 613]);
const BUSINESS_USE_CASE_LIMITS = { from: 80_000, to: 80_014 };
const TRANSIENT_CODES = new Set([1, 2]);
export const UPLOAD_BLOCKED = { code: 100, subcode: 1_713_230 } as const;

export function classifyMetaFailure(status: number, error: GraphError | undefined): MetaErrorKind {
  if (error?.code === UPLOAD_BLOCKED.code && error.error_subcode === UPLOAD_BLOCKED.subcode) {
    return "permanent";
  }
  if (status === 429) return "rate_limited";
  if (error && isRateLimitCode(error.code)) return "rate_limited";
  if (error && (TRANSIENT_CODES.has(error.code) || error.is_transient === true)) {
    return "transient";
  }
  if (status >= 500 || status === 408) return "transient";
  return "permanent";
}

function isRateLimitCode(code: number): boolean {
  return (
    RATE_LIMIT_CODES.has(code) ||
    (code >= BUSINESS_USE_CASE_LIMITS.from && code <= BUSINESS_USE_CASE_LIMITS.to)
  );
}

export interface MetaApiErrorDetails {
  readonly kind: MetaErrorKind;
  readonly operation: string;
  readonly status?: number;
  readonly code?: number;
  readonly subcode?: number;
  readonly type?: string;
  readonly fbtraceId?: string;
  /** What Meta said (its messages name parameters, never the rows). */
  readonly detail: string;
  readonly retryAfterMs?: number;
  readonly attempts: number;
}

/** A failed call to Meta. The message names the audience and the error, never a row. */
export class MetaApiError extends DestinationApiError {
  override readonly name = "MetaApiError";
  readonly code: number | undefined;
  readonly subcode: number | undefined;
  readonly fbtraceId: string | undefined;

  constructor(details: MetaApiErrorDetails) {
    super(describe(details), {
      kind: details.kind,
      label: labelOf(details),
      ...(details.status !== undefined ? { status: details.status } : {}),
      ...(details.retryAfterMs !== undefined ? { retryAfterMs: details.retryAfterMs } : {}),
      attempts: details.attempts,
    });
    this.code = details.code;
    this.subcode = details.subcode;
    this.fbtraceId = details.fbtraceId;
  }

  override describeAnswer(): string {
    const code = this.code !== undefined ? `, Graph code ${this.code}` : "";
    return this.status !== undefined ? `HTTP ${this.status}${code}` : "no answer (network)";
  }
}

/** A short, stable label for ops tables: `http_429`, `meta_100_1713230`, `network`. */
function labelOf(d: MetaApiErrorDetails): string {
  if (d.code !== undefined)
    return `meta_${d.code}${d.subcode !== undefined ? `_${d.subcode}` : ""}`;
  return d.status !== undefined ? `http_${d.status}` : "network";
}

function describe(d: MetaApiErrorDetails): string {
  const where = [
    d.status !== undefined ? `HTTP ${d.status}` : undefined,
    d.code !== undefined
      ? `code ${d.code}${d.subcode !== undefined ? `/${d.subcode}` : ""}${d.type ? ` (${d.type})` : ""}`
      : undefined,
  ]
    .filter(Boolean)
    .join(", ");
  const trace = d.fbtraceId ? `; fbtrace_id ${d.fbtraceId}` : "";
  const tries = d.attempts > 1 ? ` after ${d.attempts} attempts` : "";
  return `${d.operation} failed${tries}${where ? `: ${where}` : ""}: ${d.detail}${trace}. ${advice(d)}`;
}

function advice(d: MetaApiErrorDetails): string {
  if (d.code === UPLOAD_BLOCKED.code && d.subcode === UPLOAD_BLOCKED.subcode) {
    return "Resolve the audience's integrity restrictions in Meta Audience Manager; the rows are sent again by the next run.";
  }
  if (d.code === 190 || d.code === 104) {
    return "Check META_ACCESS_TOKEN: it is missing, expired or revoked.";
  }
  if (d.code === 100 && d.subcode === 33) {
    return "Check the sync's audienceId: the audience does not exist or the token cannot reach it.";
  }
  if (d.code === 200 || d.code === 10) {
    return "Grant the token ads_management on the ad account that owns the audience.";
  }
  if (d.kind === "permanent") return "The batch is recorded as failed and retried by the next run.";
  return "Transient: the call is retried with backoff.";
}
