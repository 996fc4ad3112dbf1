import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readText, sendJson as send } from "../sandbox-http.js";
import type { ZoomSandboxData, ZoomSandboxWebinar } from "./sandbox-data.js";

/**
 * A local Zoom for the demo and the tests, answering like Zoom's API: Server-to-Server OAuth
 * (`POST /oauth/token`, Basic client credentials, `grant_type=account_credentials`, tokens that
 * expire after `tokenTtlSeconds`; an expired or unknown token is 401 code 124), the webinar list,
 * past instances, registrants by status, and the participants/polls/Q&A reports under `/v2`,
 * next_page_token pagination (page_size up to 300), Zoom's per-second limit of the Heavy report
 * endpoints answered 429 (no Retry-After, as Zoom's per-second limits), and webinar UUIDs in
 * paths read the way Zoom's gateway does: a UUID with `/` must arrive double-encoded, once-encoded
 * it is a 404. `faults` queues answers for failure drills.
 */
export interface ZoomSandboxOptions {
  readonly data: ZoomSandboxData;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tokenTtlSeconds?: number;
  /** Report (Heavy) requests per second; more in the same second are answered 429. */
  readonly reportsPerSecond?: number;
  readonly now?: () => number;
}

export interface ZoomSandbox {
  readonly url: string;
  readonly data: ZoomSandboxData;
  readonly faults: { status: number; body: unknown; headers?: Record<string, string> }[];
  readonly requests: { path: string; status: number }[];
  readonly tokensIssued: () => number;
  /** The next this many requests with a next_page_token are refused as expired (Zoom: 15 min). */
  expirePageTokens: number;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
const zoomError = (code: number, message: string) => ({ code, message });

/** One path segment as Zoom's gateway reads it: decoded once, then the API decodes once more. */
function segment(raw: string): string | undefined {
  const once = decodeURIComponent(raw);
  if (once.includes("/")) return undefined; // a once-encoded "/" split the path at the gateway
  return once.includes("%") ? decodeURIComponent(once) : once;
}

function page<T>(
  items: readonly T[],
  query: URLSearchParams,
  key: string,
  tokens: Map<string, number>,
) {
  const size = Math.min(300, Math.max(1, Number(query.get("page_size") ?? 30) || 30));
  const given = query.get("next_page_token");
  const start = given ? tokens.get(given) : 0;
  if (start === undefined) return undefined;
  const end = start + size;
  let next = "";
  if (end < items.length) {
    next = randomBytes(12).toString("base64url");
    tokens.set(next, end);
  }
  return {
    page_size: size,
    total_records: items.length,
    next_page_token: next,
    [key]: items.slice(start, end),
  };
}

export async function startZoomSandbox(options: ZoomSandboxOptions): Promise<ZoomSandbox> {
  const now = options.now ?? Date.now;
  const ttl = options.tokenTtlSeconds ?? 3600;
  const perSecond = options.reportsPerSecond ?? 10;
  const accessTokens = new Map<string, number>();
  const pageTokens = new Map<string, number>();
  const reportCalls: number[] = [];
  let issued = 0;
  const sandbox: ZoomSandbox = {
    url: "",
    data: options.data,
    faults: [],
    requests: [],
    tokensIssued: () => issued,
    expirePageTokens: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => send(res, 500, zoomError(500, "Internal error")));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readText(req);
    const url = new URL(req.url ?? "/", "http://sandbox");
    const answer = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      sandbox.requests.push({ path: url.pathname, status });
      send(res, status, value, headers);
    };
    const fault = sandbox.faults.shift();
    if (fault) return answer(fault.status, fault.body, fault.headers);
    if (req.method === "POST" && url.pathname === "/oauth/token") {
      const basic = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString("base64")}`;
      if (req.headers.authorization !== basic) {
        return answer(401, {
          reason: "Invalid client_id or client_secret",
          error: "invalid_client",
        });
      }
      return issue(new URLSearchParams(body), answer);
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const expiresAt = bearer ? accessTokens.get(bearer) : undefined;
    if (expiresAt === undefined || expiresAt <= now()) {
      return answer(401, zoomError(124, "Invalid access token."));
    }
    const parts = (req.url ?? "").split("?")[0]?.split("/").slice(1) ?? [];
    const ids = parts.map(segment);
    if (ids.some((id) => id === undefined) || ids[0] !== "v2") {
      return answer(404, zoomError(3001, "Webinar does not exist."));
    }
    const [, a, b, c, d] = ids as string[];
    const webinars = options.data.webinars;
    const byId = (id: string | undefined) => webinars.find((w) => w.id === id);
    const byOccurrence = (uuid: string | undefined) =>
      webinars.find((w) => w.occurrenceUuid === uuid || w.id === uuid);
    const paged = (items: readonly unknown[], key: string, extra: Json = {}) => {
      const expired = url.searchParams.has("next_page_token") && sandbox.expirePageTokens > 0;
      if (expired) sandbox.expirePageTokens -= 1;
      const p = expired ? undefined : page(items, url.searchParams, key, pageTokens);
      if (!p) return answer(400, zoomError(300, "The next page token is invalid or expired."));
      return answer(200, { ...extra, ...p });
    };
    if (a === "users" && c === "webinars" && ids.length === 4) {
      return paged(webinars.map(listEntry), "webinars");
    }
    if (a === "past_webinars" && c === "instances") {
      const w = byId(b);
      if (!w) return answer(404, zoomError(3001, "Webinar does not exist."));
      return answer(200, { webinars: [{ uuid: w.occurrenceUuid, start_time: w.startTime }] });
    }
    if (a === "webinars" && c === "registrants") {
      const w = byId(b);
      if (!w) return answer(404, zoomError(3001, "Webinar does not exist."));
      const status = url.searchParams.get("status") ?? "approved";
      return paged(
        w.registrants.filter((r) => r.status === status),
        "registrants",
      );
    }
    if (a === "report" && b === "webinars" && d) {
      const t = now();
      while (reportCalls.length > 0 && (reportCalls[0] ?? 0) <= t - 1000) reportCalls.shift();
      if (reportCalls.length >= perSecond) {
        return answer(
          429,
          zoomError(
            429,
            "You have reached the maximum per-second rate limit for this API. Try again later.",
          ),
        );
      }
      reportCalls.push(t);
      const w = byOccurrence(c);
      if (!w) return answer(404, zoomError(3001, "Webinar does not exist."));
      const occurrence = { id: Number(w.id), uuid: w.occurrenceUuid, start_time: w.startTime };
      if (d === "participants") return paged(w.participants, "participants");
      if (d === "polls") return answer(200, { ...occurrence, questions: w.polls });
      if (d === "qa") return answer(200, { ...occurrence, questions: w.questions });
    }
    return answer(404, zoomError(404, "Not found."));
  }

  function issue(form: URLSearchParams, answer: (status: number, value: unknown) => void) {
    if (form.get("grant_type") !== "account_credentials") {
      return answer(400, { reason: "Unsupported grant type", error: "unsupported_grant_type" });
    }
    if (form.get("account_id") !== options.data.accountId) {
      return answer(400, { reason: "Invalid account_id", error: "invalid_request" });
    }
    issued += 1;
    const access = `zoom-local-${randomBytes(12).toString("hex")}`;
    accessTokens.set(access, now() + ttl * 1000);
    return answer(200, {
      access_token: access,
      token_type: "bearer",
      expires_in: ttl,
      scope: "webinar:read:admin report:read:admin",
    });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(sandbox, { url: `http://127.0.0.1:${port}` });
  return sandbox;
}

function listEntry(w: ZoomSandboxWebinar) {
  return {
    uuid: w.uuid,
    id: Number(w.id),
    host_id: w.hostId,
    topic: w.topic,
    type: 5,
    start_time: w.startTime,
    duration: 60,
    timezone: "UTC",
  };
}
