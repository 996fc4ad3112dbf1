import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { bearer, readBody, send } from "../meta/sandbox-http.js";
import { checkUpsert, type SandboxContact } from "./sandbox-rules.js";

/**
 * A local stand-in for SendGrid's Marketing Contacts API on 127.0.0.1 (the calls the client
 * makes, with SendGrid's documented rules: sandbox-rules.ts). Upserts answer 202 with a job id
 * whose status is `pending` on the first poll and `completed` after, as imports are asynchronous.
 * Contacts are keyed by lower-cased email; lists hold contact ids; suppressions are seeded.
 */

export const SENDGRID_SANDBOX_KEY = "SG.sandbox-key";

export type SendgridFault =
  | { readonly kind: "rate_limit"; readonly resetInSeconds: number }
  | { readonly kind: "server_error"; readonly status: number };

export interface SendgridSandbox {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly calls: ReadonlyArray<{
    readonly method: string;
    readonly path: string;
    readonly status: number;
    readonly contacts?: number;
  }>;
  /** Contacts of a list, by email, with their fields. */
  list(listId: string): SandboxContact[];
  failNext(fault: SendgridFault, times?: number): void;
  close(): Promise<void>;
}

export async function startSendgridSandbox(options: {
  readonly lists: readonly string[];
  /** Custom field ids that exist (`e1_T`…). */
  readonly customFields?: readonly string[];
  readonly globalUnsubscribes?: readonly string[];
  readonly groups?: Readonly<Record<number, readonly string[]>>;
  readonly now?: () => Date;
}): Promise<SendgridSandbox> {
  const now = options.now ?? (() => new Date());
  const contacts = new Map<string, SandboxContact & { id: string }>();
  const lists = new Map(options.lists.map((l) => [l, new Set<string>()]));
  const jobs = new Map<string, { polls: number; requested: number }>();
  const faults: SendgridFault[] = [];
  const calls: Array<{ method: string; path: string; status: number; contacts?: number }> = [];
  const customFields = new Set(options.customFields ?? []);
  const unsubscribed = (options.globalUnsubscribes ?? []).map((e) => e.toLowerCase());

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = url.pathname;
    const answer = (
      status: number,
      body: unknown,
      headers: Record<string, string> = {},
      n?: number,
    ) => {
      calls.push({
        method: req.method ?? "",
        path,
        status,
        ...(n !== undefined ? { contacts: n } : {}),
      });
      send(res, status, body, headers);
    };
    const body = await readBody(req);
    if (bearer(req.headers.authorization) !== SENDGRID_SANDBOX_KEY) {
      return answer(401, { errors: [{ field: null, message: "authorization required" }] });
    }
    const fault = faults.shift();
    if (fault?.kind === "rate_limit") {
      const reset = Math.ceil(now().getTime() / 1000) + fault.resetInSeconds;
      return answer(
        429,
        { errors: [{ field: null, message: "too many requests" }] },
        { "x-ratelimit-reset": String(reset) },
      );
    }
    if (fault?.kind === "server_error")
      return answer(fault.status, { errors: [{ field: null, message: "internal error" }] });
    if (body === undefined)
      return answer(413, { errors: [{ field: null, message: "request too large" }] });
    const json =
      body.length > 0 ? (JSON.parse(body.toString("utf8")) as Record<string, unknown>) : {};

    if (req.method === "PUT" && path === "/v3/marketing/contacts") {
      const checked = checkUpsert(json, body.length, {
        lists: new Set(lists.keys()),
        customFields,
      });
      if ("errors" in checked) return answer(checked.status, { errors: checked.errors });
      for (const contact of checked.contacts) {
        const email = String(contact.email).toLowerCase();
        const held = contacts.get(email);
        const merged = { ...(held ?? { id: randomUUID() }), ...contact, email };
        contacts.set(email, merged);
        for (const list of checked.listIds) lists.get(list)?.add(merged.id);
      }
      const jobId = randomUUID();
      jobs.set(jobId, { polls: 0, requested: checked.contacts.length });
      return answer(202, { job_id: jobId }, {}, checked.contacts.length);
    }
    const job = /^\/v3\/marketing\/contacts\/imports\/([\w-]+)$/.exec(path);
    if (req.method === "GET" && job?.[1]) {
      const state = jobs.get(job[1]);
      if (!state) return answer(404, { errors: [{ field: "id", message: "job not found" }] });
      state.polls++;
      return answer(200, {
        id: job[1],
        status: state.polls > 1 ? "completed" : "pending",
        job_type: "upsert",
        results: {
          requested_count: state.requested,
          created_count: state.requested,
          errored_count: 0,
        },
      });
    }
    if (req.method === "POST" && path === "/v3/marketing/contacts/search/emails") {
      const emails = Array.isArray(json.emails) ? json.emails.map(String) : [];
      if (emails.length === 0 || emails.length > 100) {
        return answer(400, { errors: [{ field: "emails", message: "between 1 and 100 emails" }] });
      }
      const result: Record<string, unknown> = {};
      for (const email of emails) {
        const contact = contacts.get(email.toLowerCase());
        result[email] = contact
          ? { contact: { id: contact.id, email: contact.email } }
          : { error: "contact not found" };
      }
      if (emails.every((e) => !contacts.has(e.toLowerCase())))
        return answer(404, { errors: [{ field: null, message: "no contacts found" }] });
      return answer(200, { result });
    }
    const listContacts = /^\/v3\/marketing\/lists\/([\w-]+)\/contacts$/.exec(path);
    if (req.method === "DELETE" && listContacts?.[1]) {
      const list = lists.get(listContacts[1]);
      if (!list) return answer(404, { errors: [{ field: "id", message: "list not found" }] });
      const ids = (url.searchParams.get("contact_ids") ?? "").split(",").filter(Boolean);
      if (ids.length === 0 || ids.length > 100)
        return answer(400, {
          errors: [{ field: "contact_ids", message: "between 1 and 100 ids" }],
        });
      for (const id of ids) list.delete(id);
      return answer(202, { job_id: randomUUID() });
    }
    if (req.method === "GET" && path === "/v3/suppression/unsubscribes") {
      const limit = Number(url.searchParams.get("limit") ?? 500);
      const offset = Number(url.searchParams.get("offset") ?? 0);
      return answer(
        200,
        unsubscribed.slice(offset, offset + limit).map((email) => ({ email, created: 0 })),
      );
    }
    const group = /^\/v3\/asm\/groups\/(\d+)\/suppressions\/search$/.exec(path);
    if (req.method === "POST" && group?.[1]) {
      const members = options.groups?.[Number(group[1])];
      if (!members)
        return answer(404, { errors: [{ field: "group_id", message: "group not found" }] });
      const asked = Array.isArray(json.recipient_emails)
        ? json.recipient_emails.map((e) => String(e).toLowerCase())
        : [];
      return answer(
        200,
        asked.filter((e) => members.map((m) => m.toLowerCase()).includes(e)),
      );
    }
    return answer(404, { errors: [{ field: null, message: "not found" }] });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() =>
      send(res, 500, { errors: [{ field: null, message: "sandbox error" }] }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey: SENDGRID_SANDBOX_KEY,
    calls,
    list(listId) {
      const ids = lists.get(listId) ?? new Set<string>();
      return [...contacts.values()]
        .filter((c) => ids.has(c.id))
        .map(({ id: _id, ...c }) => c)
        .sort((a, b) => String(a.email).localeCompare(String(b.email)));
    },
    failNext(fault, times = 1) {
      for (let i = 0; i < times; i++) faults.push(fault);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
