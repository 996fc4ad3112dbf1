import { parseJsonExact } from "../core/ingest/json-text.js";
import { PermanentPullError, RateLimitedError, TransientPullError } from "../core/pull/errors.js";

/**
 * One HTTP call of a pull, with the vendor's answers mapped onto the pull's retry rules:
 * 429 → `RateLimitedError` with the wait from `Retry-After` (seconds or an HTTP date; the
 * vendor's documented default when it sends none), 5xx and network failures →
 * `TransientPullError`, any other non-2xx → `PermanentPullError`. Error messages carry the status
 * and at most a vendor error category, never the body (it may echo personal data).
 */
export interface JsonCall {
  readonly fetch: typeof fetch;
  readonly url: string;
  readonly init?: RequestInit;
  /** Wait when a 429 carries no usable Retry-After (the vendor's documented window). */
  readonly defaultRetryAfterMs: number;
  /** Cap on one request; a vendor that hangs is a transient failure. */
  readonly timeoutMs?: number;
  /** Picks a short, non-personal category out of an error body (e.g. HubSpot's `category`). */
  readonly categoryOf?: (body: unknown) => string | undefined;
}

export interface JsonAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed with ids above 2^53 as bigint. */
  readonly value: unknown;
  readonly text: string;
}

export async function callJson(call: JsonCall): Promise<JsonAnswer> {
  let response: Response;
  try {
    response = await call.fetch(call.url, {
      ...call.init,
      signal: AbortSignal.timeout(call.timeoutMs ?? 60_000),
    });
  } catch (error) {
    // A reset, refused or timed-out connection: nothing was read, asking again is safe.
    throw new TransientPullError(`request failed before an answer (${(error as Error).name})`);
  }
  const text = await response.text().catch(() => {
    throw new TransientPullError("the answer was cut off", response.status);
  });
  if (response.status === 429) {
    throw new RateLimitedError(retryAfterMs(response.headers, call.defaultRetryAfterMs));
  }
  if (response.status >= 500) {
    throw new TransientPullError(`vendor answered HTTP ${response.status}`, response.status);
  }
  let value: unknown;
  try {
    value = text === "" ? null : parseJsonExact(text);
  } catch {
    if (response.ok) throw new TransientPullError("the answer was not JSON", response.status);
    value = null;
  }
  if (!response.ok) {
    const category = call.categoryOf?.(value);
    const error = new PermanentPullError(
      `vendor answered HTTP ${response.status}${category ? ` ${category}` : ""}`,
      response.status,
    );
    if (category) Object.assign(error, { safeReason: category });
    throw error;
  }
  return { status: response.status, headers: response.headers, value, text };
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(headers: Headers, fallbackMs: number, now = Date.now()): number {
  const value = headers.get("retry-after")?.trim();
  if (!value) return fallbackMs;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? fallbackMs : Math.max(0, at - now);
}
