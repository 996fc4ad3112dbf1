import { z } from "zod";
import type { Logger } from "../../platform/logger.js";
import { DestinationApiError, type DestinationErrorKind, parseRetryAfter } from "../errors.js";
import { DEFAULT_RETRY, type RetryOptions, sleep as realSleep, withRetries } from "../retry.js";
import { createRateWindow, type RateWindow } from "./rate-window.js";

/**
 * HubSpot CRM v3 over `fetch` with a private app token (docs/decisions.md says why not
 * `@hubspot/api-client`): contacts batch upsert by email, tasks search / batch create / batch
 * archive, contacts GDPR delete. Every batch endpoint takes ≤ 100 inputs per call; the client
 * cuts. HubSpot's limits (developers.hubspot.com, API usage guidelines): a private app gets 100
 * requests per rolling 10 s (190 on Professional/Enterprise), the search endpoints 5 requests/s
 * per account: the client paces itself under both (rate-window.ts) so a 429 is the exception.
 * A 429 waits `Retry-After` when sent, else the window HubSpot names
 * (`X-HubSpot-RateLimit-Interval-Milliseconds`, 1 s for the secondly search limit), exactly, no
 * backoff on top; a DAILY limit is not slept through (the batch is redelivered later).
 */

export const MAX_BATCH_INPUTS = 100;
export const DEFAULT_HUBSPOT_BASE_URL = "https://api.hubapi.com";
/** HubSpot-defined association type task → contact. */
export const TASK_TO_CONTACT_TYPE = 204;
/** A task create that has not answered by then is abandoned (the task ledger counts on it). */
export const CREATE_TIMEOUT_MS = 20_000;

export interface HubspotTaskInput {
  /** The durable task key (unique per lead): the value of the sync's key property. */
  readonly key: string;
  readonly contactId: string;
  readonly ownerId: string;
  readonly dueAt: string;
  readonly subject: string;
  readonly body: string;
  readonly priority: "LOW" | "MEDIUM" | "HIGH";
}

export interface HubspotClient {
  /** Upserts contacts by email; answers email → HubSpot contact id for those it took. */
  upsertContacts(
    contacts: ReadonlyArray<{ email: string; properties: Readonly<Record<string, string>> }>,
  ): Promise<{ ids: Map<string, string>; attempts: number }>;
  /** Tasks whose key property holds one of `keys` (search, ≤ 100 values per call). */
  findTasks(keyProperty: string, keys: readonly string[]): Promise<Map<string, string>>;
  /** Creates tasks associated to their contact; answers key → task id. */
  /**
   * No attempt starts after `notAfter` (the task ledger's window: a create must land while its
   * intent is fresh), and one that does not answer within CREATE_TIMEOUT_MS is abandoned.
   */
  createTasks(
    keyProperty: string,
    tasks: readonly HubspotTaskInput[],
    limits?: { readonly notAfter?: Date },
  ): Promise<Map<string, string>>;
  archiveTasks(ids: readonly string[]): Promise<void>;
  /** GDPR-deletes contacts by email (a contact HubSpot does not know is already gone). */
  gdprDeleteContacts(emails: readonly string[]): Promise<void>;
  /** HTTP attempts made so far (for ops.sync_batches.attempts). */
  attempts(): number;
}

export interface HubspotClientOptions {
  readonly accessToken: string;
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  readonly retry?: Partial<RetryOptions>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
  readonly random?: () => number;
  readonly logger?: Logger;
  /** Requests per rolling 10 s the client allows itself (the app's limit; default 100). */
  readonly requestsPer10s?: number;
  /** Search requests per second (default 4, under HubSpot's 5). */
  readonly searchesPerSecond?: number;
}

const HubspotEnvSchema = z.object({
  HUBSPOT_PRIVATE_APP_TOKEN: z
    .string({
      error: "set HUBSPOT_PRIVATE_APP_TOKEN (a private app token with crm.objects.contacts.write)",
    })
    .min(1, "set HUBSPOT_PRIVATE_APP_TOKEN (a private app token with crm.objects.contacts.write)"),
  HUBSPOT_BASE_URL: z.url().optional(),
  HUBSPOT_REQUESTS_PER_10S: z.coerce.number().int().min(1).max(1_000).optional(),
});

/** activate-hubspot's client settings from its environment (the token from Secret Manager). */
export function hubspotClientOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Pick<HubspotClientOptions, "accessToken" | "baseUrl" | "requestsPer10s"> {
  const parsed = HubspotEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `activate-hubspot configuration is invalid: ${parsed.error.issues.map((i) => i.message).join("; ")}`,
    );
  }
  const { HUBSPOT_PRIVATE_APP_TOKEN, HUBSPOT_BASE_URL, HUBSPOT_REQUESTS_PER_10S } = parsed.data;
  return {
    accessToken: HUBSPOT_PRIVATE_APP_TOKEN,
    ...(HUBSPOT_BASE_URL ? { baseUrl: HUBSPOT_BASE_URL } : {}),
    ...(HUBSPOT_REQUESTS_PER_10S ? { requestsPer10s: HUBSPOT_REQUESTS_PER_10S } : {}),
  };
}

const Results = z.looseObject({
  results: z
    .array(z.looseObject({ id: z.string(), properties: z.record(z.string(), z.unknown()) }))
    .default([]),
  paging: z.looseObject({ next: z.looseObject({ after: z.string() }).optional() }).optional(),
});

export function createHubspotClient(options: HubspotClientOptions): HubspotClient {
  const base = (options.baseUrl ?? DEFAULT_HUBSPOT_BASE_URL).replace(/\/$/, "");
  const doFetch = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? (() => new Date());
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...options.retry };
  const pacing = { now: () => now().getTime(), sleep };
  const general: RateWindow = createRateWindow(options.requestsPer10s ?? 100, 10_000, pacing);
  const search: RateWindow = createRateWindow(options.searchesPerSecond ?? 4, 1_000, pacing);
  let attempts = 0;

  async function call(
    method: string,
    path: string,
    what: string,
    body?: unknown,
    limits: { notAfter?: Date; timeoutMs?: number } = {},
  ) {
    return withRetries(
      async (n) => {
        await general.take();
        if (limits.notAfter && now().getTime() > limits.notAfter.getTime()) {
          throw new DestinationApiError(`HubSpot ${what} not started: its window has passed`, {
            kind: "transient",
            label: "hubspot_intent_expired",
            attempts: n,
            retryAfterMs: Number.MAX_SAFE_INTEGER,
          });
        }
        if (path.endsWith("/search")) await search.take();
        attempts++;
        let response: Response;
        try {
          response = await doFetch(`${base}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${options.accessToken}`,
              accept: "application/json",
              ...(body !== undefined ? { "content-type": "application/json" } : {}),
            },
            ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
            signal: AbortSignal.timeout(limits.timeoutMs ?? 60_000),
          });
        } catch {
          throw new DestinationApiError(`HubSpot ${what} failed: no answer`, {
            kind: "transient",
            label: "network",
            attempts: n,
          });
        }
        const text = await response.text();
        if (response.ok) return text === "" ? {} : (JSON.parse(text) as unknown);
        throw failure(what, response, text, n, now());
      },
      retry,
      {
        sleep,
        ...(options.random ? { random: options.random } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
        context: { destination: "hubspot", call: what },
      },
    );
  }

  return {
    attempts: () => attempts,
    async upsertContacts(contacts) {
      const ids = new Map<string, string>();
      const before = attempts;
      for (const part of chunks(contacts, MAX_BATCH_INPUTS)) {
        const json = await call(
          "POST",
          "/crm/v3/objects/contacts/batch/upsert",
          "contacts upsert",
          {
            inputs: part.map((c) => ({
              idProperty: "email",
              id: c.email,
              properties: { ...c.properties, email: c.email },
            })),
          },
        );
        for (const result of Results.parse(json).results) {
          const email = result.properties.email;
          if (typeof email === "string") ids.set(email.toLowerCase(), result.id);
        }
      }
      return { ids, attempts: attempts - before };
    },
    async findTasks(keyProperty, keys) {
      const found = new Map<string, string>();
      for (const part of chunks(keys, MAX_BATCH_INPUTS)) {
        let after: string | undefined;
        do {
          const json = await call("POST", "/crm/v3/objects/tasks/search", "tasks search", {
            filterGroups: [
              { filters: [{ propertyName: keyProperty, operator: "IN", values: part }] },
            ],
            properties: [keyProperty],
            limit: 200,
            ...(after ? { after } : {}),
          });
          const page = Results.parse(json);
          for (const task of page.results) {
            const key = task.properties[keyProperty];
            if (typeof key === "string" && !found.has(key)) found.set(key, task.id);
          }
          after = page.paging?.next?.after;
        } while (after);
      }
      return found;
    },
    async createTasks(keyProperty, tasks, limits = {}) {
      const ids = new Map<string, string>();
      for (const part of chunks(tasks, MAX_BATCH_INPUTS)) {
        const body = {
          inputs: part.map((t) => ({
            properties: {
              hs_task_subject: t.subject,
              hs_task_body: t.body,
              hubspot_owner_id: t.ownerId,
              hs_timestamp: t.dueAt,
              hs_task_status: "NOT_STARTED",
              hs_task_priority: t.priority,
              hs_task_type: "TODO",
              [keyProperty]: t.key,
            },
            associations: [
              {
                to: { id: t.contactId },
                types: [
                  {
                    associationCategory: "HUBSPOT_DEFINED",
                    associationTypeId: TASK_TO_CONTACT_TYPE,
                  },
                ],
              },
            ],
          })),
        };
        const json = await call(
          "POST",
          "/crm/v3/objects/tasks/batch/create",
          "tasks create",
          body,
          {
            ...limits,
            timeoutMs: CREATE_TIMEOUT_MS,
          },
        );
        for (const task of Results.parse(json).results) {
          const key = task.properties[keyProperty];
          if (typeof key === "string") ids.set(key, task.id);
        }
      }
      return ids;
    },
    async archiveTasks(ids) {
      for (const part of chunks(ids, MAX_BATCH_INPUTS)) {
        await call("POST", "/crm/v3/objects/tasks/batch/archive", "tasks archive", {
          inputs: part.map((id) => ({ id })),
        });
      }
    },
    async gdprDeleteContacts(emails) {
      for (const email of emails) {
        await call("POST", "/crm/v3/objects/contacts/gdpr-delete", "contact GDPR delete", {
          objectId: email,
          idProperty: "email",
        }).catch((error: unknown) => {
          if (error instanceof DestinationApiError && error.status === 404) return {};
          throw error;
        });
      }
    },
  };
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const ErrorBody = z.looseObject({
  category: z.string().optional(),
  policyName: z.string().optional(),
});

/** HubSpot's answer as an error of our kinds; the message names the call and status, never a row. */
function failure(
  what: string,
  response: Response,
  text: string,
  attempts: number,
  now: Date,
): DestinationApiError {
  const status = response.status;
  let body: z.infer<typeof ErrorBody> = {};
  try {
    body = ErrorBody.parse(JSON.parse(text));
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  const policy = body.policyName?.toUpperCase();
  const interval = response.headers.get("x-hubspot-ratelimit-interval-milliseconds");
  const retryAfterMs =
    parseRetryAfter(response.headers.get("retry-after"), now) ??
    (status !== 429
      ? undefined
      : policy === "DAILY"
        ? 3_600_000
        : interval && /^\d+$/.test(interval)
          ? Number(interval)
          : 1_000);
  const kind: DestinationErrorKind =
    status === 429 ? "rate_limited" : status >= 500 || status === 408 ? "transient" : "permanent";
  const hint =
    status === 401
      ? " (check HUBSPOT_PRIVATE_APP_TOKEN)"
      : status === 403
        ? " (the private app lacks a scope: crm.objects.contacts.write)"
        : "";
  const category = body.category && /^[A-Z_]{1,60}$/.test(body.category) ? body.category : "";
  return new DestinationApiError(
    `HubSpot ${what} failed: HTTP ${status}${category ? ` ${category}` : ""}${policy ? ` (${policy} limit)` : ""}${hint}`,
    {
      kind,
      label: category ? `hubspot_${category.toLowerCase()}` : `http_${status}`,
      status,
      attempts,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    },
  );
}
