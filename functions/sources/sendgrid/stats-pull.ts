import { z } from "zod";
import { PermanentPullError } from "../../core/pull/errors.js";
import type { PageRequest, PulledPage, PullStream } from "../../core/pull/source.js";
import { callJson } from "../pull-http.js";
import { defineStream } from "../stream-contract.js";

/**
 * SendGrid Marketing Campaigns stats of every Single Send (`GET /v3/marketing/stats/singlesends`,
 * Twilio's OpenAPI spec tsg_mc_stats_v3): totals per Single Send and A/B variation/phase. Opens
 * and clicks keep arriving for weeks, so each pull reads the totals again and lands them as a
 * snapshot: the record id holds the pull (the window's end), staging keeps each Single Send's
 * latest snapshot. Pages (`page_size` ≤ 50) follow `_metadata.next`; only its `page_token` is
 * taken, the call always goes to the configured base URL.
 */
export const SENDGRID_READ_API_KEY = "SENDGRID_READ_API_KEY";

export const SendgridStatsSettingsSchema = z.looseObject({
  baseUrl: z.url().default("https://api.sendgrid.com"),
  pageSize: z.coerce.number().int().min(1).max(50).default(50),
});

const MetricsSchema = z.looseObject({
  bounce_drops: z.number().int().optional(),
  bounces: z.number().int().optional(),
  clicks: z.number().int().optional(),
  delivered: z.number().int().optional(),
  invalid_emails: z.number().int().optional(),
  opens: z.number().int().optional(),
  requests: z.number().int().optional(),
  spam_report_drops: z.number().int().optional(),
  spam_reports: z.number().int().optional(),
  unique_clicks: z.number().int().optional(),
  unique_opens: z.number().int().optional(),
  unsubscribes: z.number().int().optional(),
});

export const SinglesendStatRecordSchema = z.strictObject({
  pulled_at: z.iso.datetime({ offset: true }),
  window: z.number().int().positive(),
  stat: z.looseObject({
    id: z.string().min(1),
    ab_variation: z.string().default("all"),
    ab_phase: z.string().default("all"),
    aggregation: z.string().default("total"),
    stats: MetricsSchema,
  }),
});
type SinglesendStatRecord = z.infer<typeof SinglesendStatRecordSchema>;

export const singlesendStatsContract = defineStream<SinglesendStatRecord>({
  schema: SinglesendStatRecordSchema,
  recordId: (r) =>
    `${r.stat.id}:${r.stat.ab_variation}:${r.stat.ab_phase}:${r.stat.aggregation}:${r.pulled_at}`,
  eventTime: (r) => new Date(r.pulled_at),
  recordIdHint: () => undefined,
});

const PageSchema = z.looseObject({
  results: z.array(z.looseObject({})),
  _metadata: z.looseObject({ next: z.string().optional() }).default({}),
});

/**
 * SendGrid answers 429 with `X-RateLimit-Reset` (unix seconds when the budget is back) and no
 * Retry-After (docs: "API rate limits"): this fetch turns the reset into a Retry-After, so
 * `callJson` waits exactly until then.
 */
export function resetAwareFetch(inner: typeof fetch, now: () => number = Date.now): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.status !== 429 || response.headers.has("retry-after")) return response;
    const reset = Number(response.headers.get("x-ratelimit-reset"));
    if (!Number.isFinite(reset) || reset <= 0) return response;
    // Against SendGrid's own clock (its Date header), so a skewed local clock waits right.
    const serverNow = Date.parse(response.headers.get("date") ?? "");
    const nowMs = Number.isNaN(serverNow) ? now() : serverNow;
    const headers = new Headers(response.headers);
    headers.set("retry-after", String(Math.max(1, Math.ceil(reset - nowMs / 1000))));
    return new Response(await response.text(), { status: 429, headers });
  };
}

/** `errors[0].field`-free: SendGrid's error messages may echo input; only the status is kept. */
function settings(request: PageRequest) {
  const parsed = SendgridStatsSettingsSchema.safeParse(request.connection.settings);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const reason = `settings of sendgrid connection ${request.connection.id}: ${first?.path.join(".")} ${first?.message}`;
    throw Object.assign(new PermanentPullError(reason), { safeReason: reason });
  }
  return parsed.data;
}

export function singlesendStatsStream(now: () => number = Date.now): PullStream {
  return {
    contract: singlesendStatsContract,
    settleMs: 60_000,
    defaultSince: "1970-01-01T00:00:00.000Z",
    async fetchPage(request): Promise<PulledPage> {
      const s = settings(request);
      const key = request.connection.secrets.get(SENDGRID_READ_API_KEY);
      if (!key) {
        const reason = `${SENDGRID_READ_API_KEY} is not set for this connection`;
        throw Object.assign(new PermanentPullError(reason), { safeReason: reason });
      }
      const query = new URLSearchParams({ page_size: String(s.pageSize) });
      if (request.cursor) query.set("page_token", request.cursor);
      const answer = await callJson({
        fetch: resetAwareFetch(request.fetch, now),
        url: `${s.baseUrl.replace(/\/+$/, "")}/v3/marketing/stats/singlesends?${query.toString()}`,
        init: { headers: { authorization: `Bearer ${key}` } },
        defaultRetryAfterMs: 1_000,
      });
      const page = PageSchema.safeParse(answer.value);
      if (!page.success) {
        throw new PermanentPullError("SendGrid's stats answer is not as documented", answer.status);
      }
      const records = page.data.results.map((stat) => {
        const value = { pulled_at: request.window.to, window: request.window.seq, stat };
        return { value, json: JSON.stringify(value) };
      });
      const nextUrl = page.data._metadata.next;
      let next: string | undefined;
      if (nextUrl) {
        next =
          new URL(nextUrl, "https://api.sendgrid.com").searchParams.get("page_token") ?? undefined;
        if (!next) throw new PermanentPullError("SendGrid's _metadata.next has no page_token");
      }
      return { records, next };
    },
  };
}
