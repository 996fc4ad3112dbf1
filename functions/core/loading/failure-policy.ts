import { LoadJobFailedError } from "../../platform/ports.js";

/**
 * What a sweep does after a load attempt failed. The reasons are BigQuery's `ErrorProto.reason`
 * values (cloud.google.com/bigquery/docs/error-messages); the DuckDB adapter maps its errors to
 * the same ones.
 * - `retry-same`: the job may or may not exist (the request failed, not the job): submit the same
 *   id again, which either runs it or answers its outcome;
 * - `retry-next`: the job ran and failed for a reason a retry fixes; its id is spent, so the next
 *   attempt (a new id) is written to the manifest first;
 * - `split`: the job failed on what it read: halve the batch until the bad file stands alone;
 * - `defer`: a long-term quota is used up: leave the batch for a later sweep;
 * - `abort`: the configuration is wrong (permissions, billing): stop the sweep and say so; every
 *   batch stays pending, nothing is marked failed.
 */
export type FailureAction = "retry-same" | "retry-next" | "split" | "defer" | "abort";

/** Reasons a retry fixes: BigQuery's documented transient reasons and the client libraries'. */
export const RETRYABLE_REASONS: readonly string[] = [
  "backendError",
  "internalError",
  "badGateway",
  "rateLimitExceeded",
  "jobBackendError",
  "jobInternalError",
  "jobRateLimitExceeded",
  "tableUnavailable",
  "stopped",
];

/** A longer-term limit (e.g. load jobs per table per day): wait ten minutes or more. */
export const DEFER_REASONS: readonly string[] = ["quotaExceeded"];

/** The job read something it cannot load: bad NDJSON or values, a file that is gone, too big. */
export const DATA_REASONS: readonly string[] = [
  "invalid",
  "invalidQuery",
  "notFound",
  "resourcesExceeded",
  "timeout",
  "responseTooLarge",
];

/** Nothing a retry or a split changes: someone must fix permissions, billing or the setup. */
export const CONFIGURATION_REASONS: readonly string[] = [
  "accessDenied",
  "billingNotEnabled",
  "billingTierLimitExceeded",
  "blocked",
  "invalidUser",
  "notImplemented",
  "proxyAuthenticationRequired",
];

const TRANSIENT_HTTP = new Set([408, 429, 500, 502, 503, 504]);
const TRANSIENT_NET = new Set([
  "ECONNRESET",
  "ETIMEDOUT",
  "ECONNREFUSED",
  "EAI_AGAIN",
  "EPIPE",
  "ENOTFOUND",
  "ECONNABORTED",
]);

export interface FailureVerdict {
  readonly action: FailureAction;
  /** The reason the decision rests on (a BigQuery reason, an HTTP status, or `unknown`). */
  readonly reason: string;
}

export function classifyLoadFailure(error: unknown): FailureVerdict {
  if (error instanceof LoadJobFailedError) {
    const reason = error.errors[0]?.reason ?? "unknown";
    if (DATA_REASONS.includes(reason)) return { action: "split", reason };
    if (DEFER_REASONS.includes(reason)) return { action: "defer", reason };
    if (CONFIGURATION_REASONS.includes(reason)) return { action: "abort", reason };
    // Retryable, or a reason we do not know: a new attempt. Never split on an unknown reason: that
    // would mark good files failed.
    return { action: "retry-next", reason };
  }
  const { code, errors } = (error ?? {}) as { code?: unknown; errors?: unknown };
  const reasons = Array.isArray(errors)
    ? errors.map((e) => String((e as { reason?: unknown }).reason))
    : [];
  // BigQuery answers 403 for rate limits as for permissions: the reason is the precise part.
  if (reasons.some((r) => RETRYABLE_REASONS.includes(r)))
    return {
      action: "retry-same",
      // Stryker disable next-line StringLiteral: never used, `some` just found one
      reason: reasons.find((r) => RETRYABLE_REASONS.includes(r)) ?? "",
    };
  if (reasons.some((r) => DEFER_REASONS.includes(r)))
    return { action: "defer", reason: "quotaExceeded" };
  if (typeof code === "number") {
    if (TRANSIENT_HTTP.has(code)) return { action: "retry-same", reason: `HTTP ${code}` };
    // Stryker disable next-line EqualityOperator: 500 is transient, answered on the line above
    if (code >= 400 && code < 500) return { action: "abort", reason: reasons[0] ?? `HTTP ${code}` };
  }
  // Stryker disable next-line ConditionalExpression: the set holds only strings
  if (typeof code === "string" && TRANSIENT_NET.has(code))
    return { action: "retry-same", reason: code };
  // Unknown (e.g. a DuckDB file lock): the request may not have run; asking again is safe.
  return { action: "retry-same", reason: "unknown" };
}

/**
 * An error as it may be logged and stored: load errors can quote the value that failed (an
 * email, a name), so quoted text is cut out, and the length is bounded.
 */
export function describeLoadError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/'[^'\n]*'|"[^"\n]*"/g, "'…'")
    .replace(/[\w.+-]+@[\w-]+\.[\w.-]+/g, "<email>")
    .slice(0, 1000);
}
