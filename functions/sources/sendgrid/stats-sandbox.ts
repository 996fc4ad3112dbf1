import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sendJson as send } from "../sandbox-http.js";

/**
 * A local SendGrid Marketing Campaigns stats API (`GET /v3/marketing/stats/singlesends`) for the
 * demo and the tests: Bearer API key (401 otherwise), `page_size` 1–50 (400 above), opaque
 * `page_token`s in `_metadata.next`, and a request budget per window with SendGrid's
 * `X-RateLimit-Limit/Remaining/Reset` headers, answered 429 without Retry-After when spent.
 * Totals grow between pulls (`advance()`), as late opens and clicks do.
 */
export interface SinglesendStat {
  id: string;
  ab_variation: string;
  ab_phase: string;
  aggregation: string;
  stats: Record<string, number>;
}

export interface SendgridStatsSandboxOptions {
  readonly apiKey: string;
  readonly stats: SinglesendStat[];
  readonly requestsPerWindow?: number;
  readonly windowSeconds?: number;
  readonly now?: () => number;
}

export interface SendgridStatsSandbox {
  readonly url: string;
  readonly stats: SinglesendStat[];
  readonly requests: { query: string; status: number }[];
  /** Late opens and clicks: every Single Send gains some. */
  advance(): void;
  close(): Promise<void>;
}

const draw = (seed: number, key: string) =>
  createHash("sha256").update(`${seed}:${key}`).digest().readUInt32BE(0) / 0x1_0000_0000;

/** Single Sends of a small account, totals drawn from a seed. */
export function singlesendStatsData(seed: number, count = 6): SinglesendStat[] {
  return Array.from({ length: count }, (_, i) => {
    const r = (k: string) => draw(seed, `${i}:${k}`);
    const requests = 500 + Math.floor(r("req") * 5000);
    const delivered = Math.floor(requests * (0.95 + r("del") * 0.04));
    const uniqueOpens = Math.floor(delivered * (0.2 + r("uo") * 0.3));
    const uniqueClicks = Math.floor(uniqueOpens * (0.05 + r("uc") * 0.2));
    const hex = createHash("sha256").update(`${seed}:ss:${i}`).digest("hex");
    return {
      id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`,
      ab_variation: "all",
      ab_phase: "all",
      aggregation: "total",
      stats: {
        bounce_drops: 0,
        bounces: requests - delivered,
        blocks: 0,
        clicks: Math.floor(uniqueClicks * 1.4),
        delivered,
        invalid_emails: 0,
        opens: Math.floor(uniqueOpens * 1.8),
        requests,
        spam_report_drops: 0,
        spam_reports: Math.floor(delivered * 0.0005),
        unique_clicks: uniqueClicks,
        unique_opens: uniqueOpens,
        unsubscribes: Math.floor(delivered * 0.002),
      },
    };
  });
}

const errors = (message: string) => ({ errors: [{ field: null, message }] });

export async function startSendgridStatsSandbox(
  options: SendgridStatsSandboxOptions,
): Promise<SendgridStatsSandbox> {
  const now = options.now ?? Date.now;
  const limit = options.requestsPerWindow ?? 600;
  const windowMs = (options.windowSeconds ?? 60) * 1000;
  let windowStart = now();
  let used = 0;
  const sandbox: SendgridStatsSandbox = {
    url: "",
    stats: options.stats,
    requests: [],
    advance() {
      for (const s of options.stats) {
        s.stats.opens = (s.stats.opens ?? 0) + 3;
        s.stats.unique_opens = (s.stats.unique_opens ?? 0) + 2;
        s.stats.clicks = (s.stats.clicks ?? 0) + 1;
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => handle(req, res));

  function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      sandbox.requests.push({ query: url.search, status });
      send(res, status, body, headers);
    };
    if (req.method !== "GET" || url.pathname !== "/v3/marketing/stats/singlesends") {
      return answer(404, errors("resource not found"));
    }
    if (req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return answer(401, errors("authorization required"));
    }
    const t = now();
    if (t - windowStart >= windowMs) {
      windowStart = t;
      used = 0;
    }
    const reset = Math.ceil((windowStart + windowMs) / 1000);
    const rate = (remaining: number) => ({
      date: new Date(t).toUTCString(),
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(remaining),
      "x-ratelimit-reset": String(reset),
    });
    if (used >= limit) return answer(429, errors("too many requests"), rate(0));
    used += 1;
    const size = Number(url.searchParams.get("page_size") ?? 25);
    if (!Number.isInteger(size) || size < 1 || size > 50) {
      return answer(400, errors("page_size must be between 1 and 50"), rate(limit - used));
    }
    const tokenText = url.searchParams.get("page_token");
    const start = tokenText ? Number(Buffer.from(tokenText, "base64url").toString()) : 0;
    if (!Number.isInteger(start) || start < 0) {
      return answer(400, errors("invalid page_token"), rate(limit - used));
    }
    const results = options.stats.slice(start, start + size);
    const self = `${sandbox.url}${url.pathname}${url.search}`;
    const metadata: Record<string, unknown> = { self, count: options.stats.length };
    if (start + size < options.stats.length) {
      const next = new URL(self);
      next.searchParams.set("page_token", Buffer.from(String(start + size)).toString("base64url"));
      metadata.next = next.toString();
    }
    answer(200, { results, _metadata: metadata }, rate(limit - used));
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(sandbox, { url: `http://127.0.0.1:${port}` });
  return sandbox;
}
