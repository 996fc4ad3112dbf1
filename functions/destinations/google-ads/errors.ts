import { z } from "zod";
import { DestinationApiError, type DestinationErrorKind } from "../errors.js";

/**
 * How a failed Data Manager API call is handled (SPEC-reliability §3, Google's retry guidance):
 * `RESOURCE_EXHAUSTED` slows down (its `RetryInfo.retryDelay` waited exactly), `UNAVAILABLE`,
 * `DEADLINE_EXCEEDED`, `INTERNAL`, `UNKNOWN`, `ABORTED`, 5xx and network errors are retried with
 * backoff, everything else (`INVALID_ARGUMENT`, `PERMISSION_DENIED`, `UNAUTHENTICATED`,
 * `NOT_FOUND`, `FAILED_PRECONDITION`) is permanent: never retried.
 *
 * The client library (REST transport) throws the transport's error with the HTTP status and the
 * `google.rpc.Status` JSON body; both shapes (gax `GoogleError` and the raw HTTP error) are read.
 */

const RATE_LIMITED = new Set(["RESOURCE_EXHAUSTED"]);
const TRANSIENT = new Set(["UNAVAILABLE", "DEADLINE_EXCEEDED", "INTERNAL", "UNKNOWN", "ABORTED"]);
/** Node / fetch error codes of a connection that failed or timed out. */
const NETWORK = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|UND_ERR_\w+)$/;

const DetailSchema = z
  .object({
    "@type": z.string(),
    retryDelay: z.union([z.string(), z.object({ seconds: z.coerce.number() })]).optional(),
    reason: z.string().optional(),
    fieldViolations: z
      .array(z.object({ field: z.string(), description: z.string().optional() }))
      .optional(),
  })
  .passthrough();

const StatusBodySchema = z.object({
  error: z.object({
    code: z.number().optional(),
    status: z.string().optional(),
    message: z.string().optional(),
    details: z.array(DetailSchema).default([]),
  }),
});

export interface GoogleFailure {
  readonly httpStatus?: number;
  /** google.rpc.Code name: `INVALID_ARGUMENT`, `RESOURCE_EXHAUSTED`… */
  readonly status: string;
  /** Data Manager ErrorReason from ErrorInfo, when given (`INVALID_SHA256_FORMAT`…). */
  readonly reason?: string;
  readonly retryDelayMs?: number;
  /** Indexes of `audience_members[i]` the error names (a request fails whole: fast-fail). */
  readonly memberIndexes: readonly number[];
}

/** Reads whatever the client threw into a `GoogleFailure`. */
export function readGoogleFailure(error: unknown): GoogleFailure {
  const e = (error ?? {}) as Record<string, unknown>;
  const code = typeof e.code === "string" ? e.code : undefined;
  if (code && NETWORK.test(code)) return { status: "UNAVAILABLE", memberIndexes: [] };
  const response = e.response as { status?: number; data?: unknown } | undefined;
  const httpStatus =
    typeof response?.status === "number"
      ? response.status
      : typeof e.status === "number"
        ? e.status
        : typeof e.code === "number" && e.code >= 100
          ? e.code
          : undefined;
  const body = StatusBodySchema.safeParse(parseBody(response?.data ?? e.message));
  if (!body.success) {
    const timedOut = e.name === "AbortError" || e.name === "TimeoutError";
    const status = timedOut ? "DEADLINE_EXCEEDED" : statusOfHttp(httpStatus);
    return { ...(httpStatus !== undefined ? { httpStatus } : {}), status, memberIndexes: [] };
  }
  const { status, details } = body.data.error;
  let retryDelayMs: number | undefined;
  let reason: string | undefined;
  const indexes = new Set<number>();
  for (const detail of details) {
    if (detail["@type"].endsWith("google.rpc.RetryInfo") && detail.retryDelay !== undefined) {
      retryDelayMs = durationMs(detail.retryDelay);
    }
    if (detail["@type"].endsWith("google.rpc.ErrorInfo") && detail.reason) reason = detail.reason;
    for (const violation of detail.fieldViolations ?? []) {
      const match = /audience_?[mM]embers\[(\d+)\]/.exec(violation.field);
      if (match?.[1] !== undefined) indexes.add(Number(match[1]));
    }
  }
  return {
    ...(httpStatus !== undefined ? { httpStatus } : {}),
    status: status ?? statusOfHttp(httpStatus),
    ...(reason !== undefined ? { reason } : {}),
    ...(retryDelayMs !== undefined ? { retryDelayMs } : {}),
    memberIndexes: [...indexes].sort((a, b) => a - b),
  };
}

export function kindOf(failure: GoogleFailure): DestinationErrorKind {
  if (RATE_LIMITED.has(failure.status)) return "rate_limited";
  if (TRANSIENT.has(failure.status)) return "transient";
  return "permanent";
}

/** A failed Data Manager call; its message names the call and Google's status, never a value. */
export class GoogleAdsApiError extends DestinationApiError {
  override readonly name = "GoogleAdsApiError";
  readonly failure: GoogleFailure;

  constructor(what: string, failure: GoogleFailure, attempts: number) {
    const label =
      failure.reason && failure.reason !== failure.status
        ? `${failure.status}_${failure.reason}`
        : failure.status;
    super(`Google Ads ${what} failed: ${label}${hint(failure)}`, {
      kind: kindOf(failure),
      label,
      attempts,
      ...(failure.httpStatus !== undefined ? { status: failure.httpStatus } : {}),
      ...(failure.retryDelayMs !== undefined ? { retryAfterMs: failure.retryDelayMs } : {}),
    });
    this.failure = failure;
  }
}

function hint(failure: GoogleFailure): string {
  switch (failure.status) {
    case "UNAUTHENTICATED":
      return " (the credentials were refused: check the service account or token)";
    case "PERMISSION_DENIED":
      return " (grant the caller access to the Google Ads account, or accept the Customer Match terms)";
    case "NOT_FOUND":
      return " (check customerId and the user list id in the sync)";
    default:
      return "";
  }
}

function parseBody(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** `"7s"`, `"1.5s"` or `{seconds}` → milliseconds. */
function durationMs(value: string | { seconds: number }): number | undefined {
  if (typeof value !== "string") return value.seconds * 1000;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match?.[1] === undefined ? undefined : Math.round(Number(match[1]) * 1000);
}

function statusOfHttp(status: number | undefined): string {
  if (status === undefined) return "UNKNOWN";
  if (status === 429) return "RESOURCE_EXHAUSTED";
  if (status === 401) return "UNAUTHENTICATED";
  if (status === 403) return "PERMISSION_DENIED";
  if (status === 404) return "NOT_FOUND";
  if (status === 408 || status === 504) return "DEADLINE_EXCEEDED";
  if (status >= 500) return "UNAVAILABLE";
  return "INVALID_ARGUMENT";
}
