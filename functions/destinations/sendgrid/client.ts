import { z } from "zod";
import type { Logger } from "../../platform/logger.js";
import { DestinationApiError, type DestinationErrorKind, parseRetryAfter } from "../errors.js";
import { DEFAULT_RETRY, type RetryOptions, sleep as realSleep, withRetries } from "../retry.js";

/**
 * SendGrid Marketing Contacts over `fetch` (docs/decisions.md says why not @sendgrid/client):
 * `PUT /v3/marketing/contacts` (upsert into lists; ≤ 30,000 contacts or 6 MB; answers 202 with a
 * job id polled at `GET /v3/marketing/contacts/imports/{id}` until it is completed),
 * `POST /v3/marketing/contacts/search/emails` (ids of contacts, ≤ 100 emails),
 * `DELETE /v3/marketing/lists/{id}/contacts?contact_ids=…` (leave the list), and the suppressions
 * a send would honour: global unsubscribes and the unsubscribe group's. 429 waits
 * `X-RateLimit-Reset` (SendGrid's header; `Retry-After` when given) exactly; 5xx backs off.
 */

export const MAX_CONTACTS_PER_UPSERT = 30_000;
export const MAX_UPSERT_BYTES = 6 * 1024 * 1024;
export const MAX_SEARCH_EMAILS = 100;
export const DEFAULT_SENDGRID_BASE_URL = "https://api.sendgrid.com";

export type SendgridContact = Readonly<Record<string, unknown>>;

export interface SendgridImportResult {
  readonly jobId: string;
  readonly requested: number;
  readonly errored: number;
  readonly attempts: number;
}

export interface SendgridClient {
  upsert(listId: string, contacts: readonly SendgridContact[]): Promise<SendgridImportResult[]>;
  contactIds(emails: readonly string[]): Promise<Map<string, string>>;
  removeFromList(listId: string, contactIds: readonly string[]): Promise<void>;
  suppressed(emails: readonly string[], groupId?: number): Promise<Set<string>>;
}

export interface SendgridClientOptions {
  readonly apiKey: string;
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  readonly retry?: Partial<RetryOptions>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly logger?: Logger;
  readonly pollIntervalMs?: number;
  /** Polls of one import job before the batch is left to a redelivery (still running). */
  readonly maxPolls?: number;
  readonly now?: () => Date;
}

const SendgridEnvSchema = z.object({
  SENDGRID_API_KEY: z
    .string({ error: "set SENDGRID_API_KEY (Marketing and Suppressions scopes)" })
    .min(1, "set SENDGRID_API_KEY (Marketing and Suppressions scopes)"),
  SENDGRID_BASE_URL: z.url().optional(),
});

/** activate-sendgrid's client settings from its environment (the key from Secret Manager). */
export function sendgridClientOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Pick<SendgridClientOptions, "apiKey" | "baseUrl"> {
  const parsed = SendgridEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `activate-sendgrid configuration is invalid: ${parsed.error.issues.map((i) => i.message).join("; ")}`,
    );
  }
  const { SENDGRID_API_KEY, SENDGRID_BASE_URL } = parsed.data;
  return { apiKey: SENDGRID_API_KEY, ...(SENDGRID_BASE_URL ? { baseUrl: SENDGRID_BASE_URL } : {}) };
}

const ImportStatus = z.object({
  id: z.string(),
  status: z.enum(["pending", "completed", "errored", "failed"]),
  results: z
    .object({ requested_count: z.number().optional(), errored_count: z.number().optional() })
    .partial()
    .optional(),
});

export function createSendgridClient(options: SendgridClientOptions): SendgridClient {
  const base = (options.baseUrl ?? DEFAULT_SENDGRID_BASE_URL).replace(/\/$/, "");
  const doFetch = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? realSleep;
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...options.retry };
  const now = options.now ?? (() => new Date());

  async function call(method: string, path: string, what: string, body?: unknown) {
    let attempts = 0;
    const json = await withRetries(
      async (n) => {
        attempts = n;
        let response: Response;
        try {
          response = await doFetch(`${base}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${options.apiKey}`,
              ...(body !== undefined ? { "content-type": "application/json" } : {}),
            },
            ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
            signal: AbortSignal.timeout(60_000),
          });
        } catch {
          throw new DestinationApiError(`SendGrid ${what} failed: no answer`, {
            kind: "transient",
            label: "network",
            attempts: n,
          });
        }
        const text = await response.text();
        if (response.ok) return text === "" ? {} : (JSON.parse(text) as unknown);
        throw failure(what, response, n, now());
      },
      retry,
      {
        sleep,
        ...(options.random ? { random: options.random } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
        context: { destination: "sendgrid", call: what },
      },
    );
    return { json, attempts };
  }

  return {
    async upsert(listId, contacts) {
      const results: SendgridImportResult[] = [];
      for (const part of requestsOf(listId, contacts)) {
        const { json, attempts } = await call("PUT", "/v3/marketing/contacts", "upsert", part);
        const jobId = z.object({ job_id: z.string() }).parse(json).job_id;
        const status = await pollImport(jobId);
        results.push({
          jobId,
          requested: status.results?.requested_count ?? part.contacts.length,
          errored: status.results?.errored_count ?? 0,
          attempts,
        });
      }
      return results;
    },
    async contactIds(emails) {
      const ids = new Map<string, string>();
      for (let i = 0; i < emails.length; i += MAX_SEARCH_EMAILS) {
        const slice = emails.slice(i, i + MAX_SEARCH_EMAILS);
        const found = await call("POST", "/v3/marketing/contacts/search/emails", "search", {
          emails: slice,
        }).catch((error: unknown) => {
          // 404: none of the emails is a contact.
          if (error instanceof DestinationApiError && error.status === 404) return { json: {} };
          throw error;
        });
        const result = z
          .object({
            result: z
              .record(z.string(), z.object({ contact: z.object({ id: z.string() }).optional() }))
              .default({}),
          })
          .parse(found.json).result;
        for (const [email, entry] of Object.entries(result)) {
          if (entry.contact) ids.set(email, entry.contact.id);
        }
      }
      return ids;
    },
    async removeFromList(listId, contactIds) {
      for (let i = 0; i < contactIds.length; i += MAX_SEARCH_EMAILS) {
        const ids = contactIds.slice(i, i + MAX_SEARCH_EMAILS).join(",");
        const path = `/v3/marketing/lists/${encodeURIComponent(listId)}/contacts?contact_ids=${ids}`;
        await call("DELETE", path, "remove from list");
      }
    },
    async suppressed(emails, groupId) {
      const out = new Set<string>();
      const wanted = new Set(emails);
      for (let offset = 0; ; offset += 500) {
        const page = await call(
          "GET",
          `/v3/suppression/unsubscribes?limit=500&offset=${offset}`,
          "global unsubscribes",
        );
        const rows = z.array(z.object({ email: z.string() })).parse(page.json);
        for (const row of rows)
          if (wanted.has(row.email.toLowerCase())) out.add(row.email.toLowerCase());
        if (rows.length < 500) break;
      }
      if (groupId !== undefined && emails.length > 0) {
        const found = await call(
          "POST",
          `/v3/asm/groups/${groupId}/suppressions/search`,
          "group suppressions",
          { recipient_emails: emails },
        );
        for (const email of z.array(z.string()).parse(found.json)) out.add(email.toLowerCase());
      }
      return out;
    },
  };

  async function pollImport(jobId: string): Promise<z.infer<typeof ImportStatus>> {
    const maxPolls = options.maxPolls ?? 60;
    for (let poll = 1; ; poll++) {
      const { json } = await call(
        "GET",
        `/v3/marketing/contacts/imports/${jobId}`,
        "import status",
      );
      const status = ImportStatus.parse(json);
      if (status.status === "completed") return status;
      if (status.status === "errored" || status.status === "failed") {
        throw new DestinationApiError(`SendGrid import job ${jobId} ${status.status}`, {
          kind: "permanent",
          label: `sendgrid_import_${status.status}`,
          attempts: poll,
        });
      }
      if (poll >= maxPolls) {
        throw new DestinationApiError(`SendGrid import job ${jobId} still pending`, {
          kind: "transient",
          label: "sendgrid_import_pending",
          attempts: poll,
        });
      }
      await sleep(options.pollIntervalMs ?? 2_000);
    }
  }
}

/** Requests of ≤ 30,000 contacts and ≤ 6 MB each (a request over either is refused whole). */
export function requestsOf(
  listId: string,
  contacts: readonly SendgridContact[],
): Array<{ list_ids: string[]; contacts: SendgridContact[] }> {
  const out: Array<{ list_ids: string[]; contacts: SendgridContact[] }> = [];
  let current: SendgridContact[] = [];
  let bytes = 64;
  for (const contact of contacts) {
    const size = Buffer.byteLength(JSON.stringify(contact)) + 1;
    if (
      current.length > 0 &&
      (current.length >= MAX_CONTACTS_PER_UPSERT || bytes + size > MAX_UPSERT_BYTES)
    ) {
      out.push({ list_ids: [listId], contacts: current });
      current = [];
      bytes = 64;
    }
    current.push(contact);
    bytes += size;
  }
  if (current.length > 0) out.push({ list_ids: [listId], contacts: current });
  return out;
}

function failure(
  what: string,
  response: Response,
  attempts: number,
  now: Date,
): DestinationApiError {
  const status = response.status;
  const reset = response.headers.get("x-ratelimit-reset");
  const retryAfterMs =
    parseRetryAfter(response.headers.get("retry-after"), now) ??
    (reset && /^\d+$/.test(reset) ? Math.max(0, Number(reset) * 1000 - now.getTime()) : undefined);
  const kind: DestinationErrorKind =
    status === 429 ? "rate_limited" : status >= 500 || status === 408 ? "transient" : "permanent";
  const hint = status === 401 || status === 403 ? " (check SENDGRID_API_KEY and its scopes)" : "";
  return new DestinationApiError(`SendGrid ${what} failed: HTTP ${status}${hint}`, {
    kind,
    label: `http_${status}`,
    status,
    attempts,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}
