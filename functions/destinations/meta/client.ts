import type { MembershipOp } from "../../core/activation/batches.js";
import type { Logger } from "../../platform/logger.js";
import { type RetryOptions, backoffMs as sharedBackoffMs, withRetries } from "../retry.js";
import { DEFAULT_META_API_VERSION, DEFAULT_META_BASE_URL } from "./config.js";
import {
  GraphErrorSchema,
  MAX_USERS_PER_REQUEST,
  type UploadSession,
  UsersResponseSchema,
} from "./contracts.js";
import { classifyMetaFailure, MetaApiError, parseRetryAfter } from "./errors.js";

/**
 * A small typed client for Meta's Custom Audience users edge over `fetch`: add = POST, remove =
 * DELETE `/{version}/{audience_id}/users`, at most 10,000 rows per request, retried (a
 * `Retry-After` is waited out as given, otherwise jittered exponential backoff; permanent errors
 * never retried). docs/decisions.md says why this loop is not p-retry.
 * docs/decisions.md says why this is not facebook-nodejs-business-sdk.
 */

export type MetaRetryOptions = RetryOptions;

export const DEFAULT_META_RETRY: MetaRetryOptions = {
  retries: 5,
  minTimeoutMs: 1_000,
  maxTimeoutMs: 60_000,
  maxRetryAfterMs: 120_000,
};

export interface MetaClientOptions {
  readonly accessToken: string;
  readonly apiVersion?: string;
  readonly baseUrl?: string;
  readonly retry?: Partial<MetaRetryOptions>;
  /** Per-attempt timeout. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
  readonly fetch?: typeof fetch;
  /** How the client waits between attempts (tests pass one that records the delays). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Source of jitter in [0, 1). */
  readonly random?: () => number;
}

export type { MembershipOp };

/** Ties the requests of one upload together (Meta's `session` parameter). */
export interface UploadSessionOptions {
  readonly sessionId: number;
  /** Sequence number of the first request this call makes (1-based). */
  readonly batchSeq: number;
  /** Whether this call carries the upload's last rows. */
  readonly lastBatch: boolean;
  readonly estimatedTotal?: number;
}

/** What Meta answered for one request. */
export interface MetaBatchResult {
  readonly rows: number;
  readonly numReceived: number;
  readonly numInvalidEntries: number;
  /** Refused value → reason. Hashes only, but personal data still: never log it. */
  readonly invalidEntrySamples: Readonly<Record<string, string>>;
  readonly sessionId: string | undefined;
  readonly attempts: number;
}

/**
 * Rows of a multi-key upload: `schema` names the keys (`["EMAIL", "PHONE", "FN"]`), each row
 * holds their SHA-256 hex values in that order (`""` where a row has no value).
 */
export interface MultiKeyRows {
  readonly schema: readonly string[];
  readonly data: readonly (readonly string[])[];
}

export interface MetaAudienceClient {
  /** Sends SHA-256 hex values under EMAIL_SHA256, split into requests of ≤ 10,000 rows. */
  send(
    op: MembershipOp,
    audienceId: string,
    hashes: readonly string[],
    session?: UploadSessionOptions,
  ): Promise<MetaBatchResult[]>;
  /** Sends multi-key rows, split into requests of ≤ 10,000 rows. */
  sendRows?(
    op: MembershipOp,
    audienceId: string,
    rows: MultiKeyRows,
    session?: UploadSessionOptions,
  ): Promise<MetaBatchResult[]>;
}

export function createMetaClient(options: MetaClientOptions): MetaAudienceClient {
  const retry = { ...DEFAULT_META_RETRY, ...options.retry };
  const base = (options.baseUrl ?? DEFAULT_META_BASE_URL).replace(/\/+$/, "");
  const version = options.apiVersion ?? DEFAULT_META_API_VERSION;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const wait = options.sleep ?? sleep;
  const random = options.random ?? Math.random;

  const request = async (
    op: MembershipOp,
    audienceId: string,
    payload: { schema: string | readonly string[]; data: readonly unknown[] },
    session: UploadSession | undefined,
  ): Promise<MetaBatchResult> => {
    const operation = `Meta ${op === "add" ? "add to" : "remove from"} audience ${audienceId}`;
    const url = `${base}/${version}/${encodeURIComponent(audienceId)}/users`;
    const rowCount = payload.data.length;
    const body = new URLSearchParams({ payload: JSON.stringify(payload) });
    if (session) body.set("session", JSON.stringify(session));
    let attempts = 0;

    const attempt = async (): Promise<MetaBatchResult> => {
      attempts++;
      let response: Response;
      try {
        response = await doFetch(url, {
          method: op === "add" ? "POST" : "DELETE",
          headers: {
            authorization: `Bearer ${options.accessToken}`,
            "content-type": "application/x-www-form-urlencoded",
          },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const name = error instanceof Error ? error.name : "Error";
        const detail = `network error (${name}): no answer from ${base}`;
        throw new MetaApiError({ kind: "transient", operation, detail, attempts });
      }
      const json = await readJson(response);
      if (response.ok) {
        const parsed = UsersResponseSchema.safeParse(json);
        if (parsed.success) {
          return {
            rows: rowCount,
            numReceived: parsed.data.num_received,
            numInvalidEntries: parsed.data.num_invalid_entries,
            invalidEntrySamples: parsed.data.invalid_entry_samples ?? {},
            sessionId: parsed.data.session_id,
            attempts,
          };
        }
        const detail = `answer does not match the users edge contract (${parsed.error.issues[0]?.message ?? "unknown"})`;
        throw new MetaApiError({
          kind: "permanent",
          operation,
          status: response.status,
          detail,
          attempts,
        });
      }
      const graph = GraphErrorSchema.safeParse(json);
      const error = graph.success ? graph.data.error : undefined;
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), new Date());
      throw new MetaApiError({
        kind: classifyMetaFailure(response.status, error),
        operation,
        status: response.status,
        ...(error
          ? { code: error.code, detail: error.message }
          : { detail: "no Graph error body" }),
        ...(error?.error_subcode !== undefined ? { subcode: error.error_subcode } : {}),
        ...(error?.type ? { type: error.type } : {}),
        ...(error?.fbtrace_id ? { fbtraceId: error.fbtrace_id } : {}),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        attempts,
      });
    };

    return withRetries(attempt, retry, {
      sleep: wait,
      random,
      ...(options.logger ? { logger: options.logger } : {}),
      context: { destination: "meta", audienceId, op },
    });
  };

  const upload = async (
    op: MembershipOp,
    audienceId: string,
    schema: string | readonly string[],
    data: readonly unknown[],
    session: UploadSessionOptions | undefined,
  ): Promise<MetaBatchResult[]> => {
    const results: MetaBatchResult[] = [];
    const chunks = Math.ceil(data.length / MAX_USERS_PER_REQUEST);
    for (let i = 0; i < chunks; i++) {
      const chunk = data.slice(i * MAX_USERS_PER_REQUEST, (i + 1) * MAX_USERS_PER_REQUEST);
      const wire: UploadSession | undefined = session && {
        session_id: session.sessionId,
        batch_seq: session.batchSeq + i,
        last_batch_flag: session.lastBatch && i === chunks - 1,
        ...(session.estimatedTotal !== undefined
          ? { estimated_num_total: session.estimatedTotal }
          : {}),
      };
      results.push(await request(op, audienceId, { schema, data: chunk }, wire));
    }
    return results;
  };

  return {
    send: (op, audienceId, hashes, session) =>
      upload(op, audienceId, "EMAIL_SHA256", hashes, session),
    sendRows: (op, audienceId, rows, session) =>
      upload(op, audienceId, rows.schema, rows.data, session),
  };
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Attempt n's delay: minTimeout · 2^(n−1), capped at maxTimeout, times a factor in [1, 2). */
export const backoffMs = sharedBackoffMs;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
