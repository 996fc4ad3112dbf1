import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { bearer, readBody, send } from "../meta/sandbox-http.js";
import {
  ArchiveBody,
  CONTACT_PROPERTIES,
  CreateTasksBody,
  checkTask,
  checkUpsert,
  parseBody,
  SearchBody,
  TASK_PROPERTIES,
  UpsertBody,
  ValidationError,
} from "./sandbox-rules.js";

/**
 * A local stand-in for HubSpot's CRM v3 API on 127.0.0.1: the calls the destination makes, with
 * HubSpot's documented rules (sandbox-rules.ts) and limits: a private app's 100 requests per
 * rolling 10 s (429 TEN_SECONDLY_ROLLING with the X-HubSpot-RateLimit-* headers), search's 5
 * requests per second (429 SECONDLY), and search's indexing lag (a task created less than
 * `searchLagMs` ago is not found yet). Faults for rehearsals: `failNext`.
 */

export const HUBSPOT_SANDBOX_TOKEN = "pat-sandbox-token";

export type HubspotFault =
  | { readonly kind: "rate_limit"; readonly retryAfterSeconds?: number }
  | { readonly kind: "server_error"; readonly status: number };

export interface SandboxRecord {
  readonly id: string;
  readonly properties: Record<string, string>;
  readonly createdAt: number;
  readonly contactIds: readonly string[];
}

export interface HubspotSandbox {
  readonly baseUrl: string;
  readonly accessToken: string;
  readonly calls: ReadonlyArray<{ method: string; path: string; status: number; inputs?: number }>;
  contacts(): SandboxRecord[];
  tasks(): SandboxRecord[];
  failNext(fault: HubspotFault, times?: number): void;
  close(): Promise<void>;
}

export async function startHubspotSandbox(options: {
  /** Owner ids that exist (tasks are assigned to them). */
  readonly owners: readonly string[];
  /** Custom task properties created in the portal (default: unistack_task_key). */
  readonly taskProperties?: readonly string[];
  readonly contactProperties?: readonly string[];
  readonly searchLagMs?: number;
  readonly requestsPer10s?: number;
  readonly searchesPerSecond?: number;
  readonly now?: () => number;
}): Promise<HubspotSandbox> {
  const now = options.now ?? Date.now;
  const owners = new Set(options.owners);
  const taskProps = new Set([
    ...TASK_PROPERTIES,
    ...(options.taskProperties ?? ["unistack_task_key"]),
  ]);
  const contactProps = new Set([...CONTACT_PROPERTIES, ...(options.contactProperties ?? [])]);
  const contacts = new Map<string, SandboxRecord>();
  const byEmail = new Map<string, string>();
  const tasks = new Map<string, SandboxRecord>();
  const faults: HubspotFault[] = [];
  const calls: Array<{ method: string; path: string; status: number; inputs?: number }> = [];
  const recent: number[] = [];
  const recentSearches: number[] = [];
  let nextId = 1000;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://sandbox").pathname;
    const raw = await readBody(req);
    let body: unknown = {};
    try {
      body = raw && raw.length > 0 ? JSON.parse(raw.toString("utf8")) : {};
    } catch {
      body = undefined;
    }
    const inputs = (body as { inputs?: unknown[] } | undefined)?.inputs?.length;
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      calls.push({
        method: req.method ?? "",
        path,
        status,
        ...(inputs !== undefined ? { inputs } : {}),
      });
      if (status === 204) {
        res.writeHead(204);
        res.end();
      } else send(res, status, payload, headers);
    };
    const error = (status: number, category: string, message: string, headers = {}) =>
      answer(status, { status: "error", category, message, correlationId: "sandbox" }, headers);

    if (bearer(req.headers.authorization) !== HUBSPOT_SANDBOX_TOKEN) {
      return error(401, "INVALID_AUTHENTICATION", "Authentication credentials not found.");
    }
    // Rate limits first, as HubSpot counts every call.
    const t = now();
    while (recent.length > 0 && (recent[0] ?? 0) <= t - 10_000) recent.shift();
    const max = options.requestsPer10s ?? 100;
    if (recent.length >= max) {
      return answer(
        429,
        {
          status: "error",
          errorType: "RATE_LIMIT",
          policyName: "TEN_SECONDLY_ROLLING",
          message: "You have reached your ten_secondly_rolling limit.",
        },
        {
          "x-hubspot-ratelimit-max": String(max),
          "x-hubspot-ratelimit-remaining": "0",
          "x-hubspot-ratelimit-interval-milliseconds": "10000",
        },
      );
    }
    recent.push(t);
    if (path.endsWith("/search")) {
      while (recentSearches.length > 0 && (recentSearches[0] ?? 0) <= t - 1_000)
        recentSearches.shift();
      if (recentSearches.length >= (options.searchesPerSecond ?? 5)) {
        return answer(429, {
          status: "error",
          errorType: "RATE_LIMIT",
          policyName: "SECONDLY",
          message: "You have reached your secondly limit.",
        });
      }
      recentSearches.push(t);
    }
    const fault = faults.shift();
    if (fault?.kind === "rate_limit") {
      return answer(
        429,
        {
          status: "error",
          errorType: "RATE_LIMIT",
          policyName: "TEN_SECONDLY_ROLLING",
          message: "You have reached your ten_secondly_rolling limit.",
        },
        fault.retryAfterSeconds !== undefined
          ? { "retry-after": String(fault.retryAfterSeconds) }
          : {},
      );
    }
    if (fault?.kind === "server_error")
      return error(fault.status, "INTERNAL_ERROR", "internal error");
    if (body === undefined) return error(400, "VALIDATION_ERROR", "Invalid input JSON");
    try {
      return route(req.method ?? "", path, body, answer, error);
    } catch (e) {
      if (e instanceof ValidationError) return error(400, e.category, e.message);
      throw e;
    }
  };

  const route = (
    method: string,
    path: string,
    body: unknown,
    answer: (status: number, payload: unknown) => void,
    error: (status: number, category: string, message: string) => void,
  ) => {
    if (method === "POST" && path === "/crm/v3/objects/contacts/batch/upsert") {
      const parsed = parseBody(UpsertBody, body);
      checkUpsert(parsed, contactProps);
      const results = parsed.inputs.map((input) => {
        const email = input.id.toLowerCase();
        const id = byEmail.get(email) ?? String(nextId++);
        const old = contacts.get(id);
        const properties = { ...old?.properties, ...strings(input.properties), email };
        contacts.set(id, { id, properties, createdAt: old?.createdAt ?? now(), contactIds: [] });
        byEmail.set(email, id);
        return { id, properties, new: old === undefined };
      });
      return answer(200, { status: "COMPLETE", results });
    }
    if (method === "POST" && path === "/crm/v3/objects/tasks/batch/create") {
      const parsed = parseBody(CreateTasksBody, body);
      const rules = { known: taskProps, owners, contactExists: (id: string) => contacts.has(id) };
      for (const [i, input] of parsed.inputs.entries()) checkTask(input, i, rules);
      const results = parsed.inputs.map((input) => {
        const id = String(nextId++);
        const record = {
          id,
          properties: strings(input.properties),
          createdAt: now(),
          contactIds: input.associations.map((a) => a.to.id),
        };
        tasks.set(id, record);
        return { id, properties: record.properties };
      });
      return answer(201, { status: "COMPLETE", results });
    }
    if (method === "POST" && path === "/crm/v3/objects/tasks/search") {
      const parsed = parseBody(SearchBody, body);
      const lag = options.searchLagMs ?? 0;
      const matches = [...tasks.values()].filter(
        (task) =>
          task.createdAt + lag <= now() &&
          (parsed.filterGroups.length === 0 ||
            parsed.filterGroups.some((g) =>
              g.filters.every((f) => {
                const value = task.properties[f.propertyName];
                return f.operator === "EQ"
                  ? value === f.value
                  : (f.values ?? []).includes(value ?? "");
              }),
            )),
      );
      const offset = Number(parsed.after ?? 0);
      const page = matches.slice(offset, offset + parsed.limit);
      const next =
        offset + parsed.limit < matches.length ? String(offset + parsed.limit) : undefined;
      return answer(200, {
        total: matches.length,
        results: page.map((task) => ({
          id: task.id,
          properties: Object.fromEntries(
            parsed.properties.map((p) => [p, task.properties[p] ?? null]),
          ),
        })),
        ...(next ? { paging: { next: { after: next } } } : {}),
      });
    }
    if (method === "POST" && path === "/crm/v3/objects/tasks/batch/archive") {
      for (const { id } of parseBody(ArchiveBody, body).inputs) tasks.delete(id);
      return answer(204, undefined);
    }
    if (method === "POST" && path === "/crm/v3/objects/contacts/gdpr-delete") {
      const { objectId, idProperty } = body as { objectId?: string; idProperty?: string };
      const id = idProperty === "email" ? byEmail.get(String(objectId).toLowerCase()) : objectId;
      const contact = id ? contacts.get(id) : undefined;
      if (!contact) return error(404, "OBJECT_NOT_FOUND", "resource not found");
      contacts.delete(contact.id);
      byEmail.delete(contact.properties.email ?? "");
      return answer(204, undefined);
    }
    return error(404, "NOT_FOUND", `no route ${method} ${path}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { status: "error", category: "INTERNAL_ERROR" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    accessToken: HUBSPOT_SANDBOX_TOKEN,
    calls,
    contacts: () => [...contacts.values()],
    tasks: () => [...tasks.values()],
    failNext(fault, times = 1) {
      for (let i = 0; i < times; i++) faults.push(fault);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

function strings(properties: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(properties))
    if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}
