import { z } from "zod";
import { PermanentPullError, RateLimitedError } from "../../core/pull/errors.js";
import type { PageRequest, PulledPage, PullStream } from "../../core/pull/source.js";
import {
  completionRecord,
  PullContextSchema,
  pullContext,
  pulledRecordId,
  pulledRow,
  restatedDays,
} from "../ads/restated-days.js";
import { defineStream } from "../stream-contract.js";
import { type MetaAdsSettings, metaAdsSettings, metaCall } from "./api.js";

/**
 * Meta Ads daily insights by campaign, ad set and ad through an async report run (Insights API:
 * POST act_<id>/insights → report_run_id, poll the run until `Job Completed`, then page its
 * results). The cursor keeps the run id, so a pull resumed after a crash or a throttle reads the
 * same run instead of starting another. Rows per day are counted across pages; the last page
 * closes every day of the range with a completion record (ads/restated-days.ts).
 */
export type MetaAdsLevel = "campaign" | "adset" | "ad";

const BASE_FIELDS = [
  "account_id",
  "account_currency",
  "campaign_id",
  "campaign_name",
  "spend",
  "impressions",
  "clicks",
  "actions",
  "action_values",
  "date_start",
  "date_stop",
];
export const META_LEVEL_FIELDS: Readonly<Record<MetaAdsLevel, readonly string[]>> = {
  campaign: ["objective", ...BASE_FIELDS],
  adset: ["adset_id", "adset_name", ...BASE_FIELDS],
  ad: ["adset_id", "adset_name", "ad_id", "ad_name", ...BASE_FIELDS],
};
const ENTITY: Readonly<Record<MetaAdsLevel, "campaign_id" | "adset_id" | "ad_id">> = {
  campaign: "campaign_id",
  adset: "adset_id",
  ad: "ad_id",
};

/** Results per page of a report run (Meta's default is 25; it accepts more for insights). */
const PAGE_LIMIT = "500";
/** A run that fails this often in a row stops the pull (Meta: retry a failed job later). */
const MAX_RUN_ATTEMPTS = 3;

const CursorSchema = z.discriminatedUnion("phase", [
  z.strictObject({ phase: z.literal("start"), attempt: z.number().int().min(1) }),
  z.strictObject({ phase: z.literal("poll"), run: z.string(), attempt: z.number().int().min(1) }),
  z.strictObject({
    phase: z.literal("read"),
    run: z.string(),
    after: z.string(),
    counts: z.record(z.string(), z.number().int()),
  }),
]);
type Cursor = z.infer<typeof CursorSchema>;

const InsightRowSchema = z.looseObject({
  account_id: z.string(),
  account_currency: z.string().optional(),
  campaign_id: z.string(),
  adset_id: z.string().optional(),
  ad_id: z.string().optional(),
  spend: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .optional(),
  impressions: z.string().regex(/^\d+$/).optional(),
  clicks: z.string().regex(/^\d+$/).optional(),
  date_start: z.iso.date(),
  date_stop: z.iso.date(),
});

const RunSchema = z.looseObject({ report_run_id: z.string().regex(/^\d+$/) });
const RunStatusSchema = z.looseObject({ async_status: z.string() });
const ResultsSchema = z.looseObject({
  data: z.array(z.unknown()),
  paging: z
    .looseObject({
      cursors: z.looseObject({ after: z.string().optional() }).optional(),
      next: z.string().optional(),
    })
    .optional(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const reason = `Meta answered an unexpected ${what}`;
    throw Object.assign(new PermanentPullError(reason), { safeReason: reason });
  }
  return parsed.data;
}

const CreativesSchema = z.record(
  z.string(),
  z.looseObject({
    creative: z.looseObject({ id: z.string(), url_tags: z.string().optional() }).optional(),
  }),
);

/**
 * The creatives of a page's ads (Graph API multi-id read, 50 ids a call): their `url_tags` are
 * where Meta ads carry UTMs (Insights has no creative fields). Attached to each ad row as
 * `creative: {id, url_tags}`.
 */
async function adCreatives(
  request: PageRequest,
  settings: MetaAdsSettings,
  rows: readonly unknown[],
): Promise<Map<string, { id: string; url_tags?: string }>> {
  const ids = [
    ...new Set(
      rows
        .map((r) => (r as { ad_id?: unknown })?.ad_id)
        .filter((id): id is string => typeof id === "string" && /^\d+$/.test(id)),
    ),
  ];
  const out = new Map<string, { id: string; url_tags?: string }>();
  for (let i = 0; i < ids.length; i += 50) {
    const answer = parse(
      CreativesSchema,
      await metaCall(request, settings, "/", {
        method: "GET",
        params: { ids: ids.slice(i, i + 50).join(","), fields: "creative{id,url_tags}" },
      }),
      "ads answer",
    );
    for (const [id, ad] of Object.entries(answer)) {
      if (ad.creative) {
        out.set(id, {
          id: ad.creative.id,
          ...(ad.creative.url_tags !== undefined ? { url_tags: ad.creative.url_tags } : {}),
        });
      }
    }
  }
  return out;
}

async function readResults(
  request: PageRequest,
  settings: MetaAdsSettings,
  level: MetaAdsLevel,
  days: readonly string[],
  run: string,
  after: string | undefined,
  counts: Record<string, number>,
): Promise<PulledPage> {
  const answer = parse(
    ResultsSchema,
    await metaCall(request, settings, `/${run}/insights`, {
      method: "GET",
      params: { limit: PAGE_LIMIT, ...(after ? { after } : {}) },
    }),
    "report page",
  );
  const creatives = level === "ad" ? await adCreatives(request, settings, answer.data) : new Map();
  const records = answer.data.map((found) => {
    const creative = creatives.get(String((found as { ad_id?: unknown })?.ad_id));
    const row = creative ? { ...(found as object), creative } : found;
    const day = (row as { date_start?: unknown })?.date_start;
    const context = pullContext(request.window, settings.adAccountId, level, String(day));
    counts[String(day)] = (counts[String(day)] ?? 0) + 1;
    return pulledRow(context, row);
  });
  const nextAfter = answer.paging?.next ? answer.paging.cursors?.after : undefined;
  if (nextAfter) {
    return { records, next: JSON.stringify({ phase: "read", run, after: nextAfter, counts }) };
  }
  const closing = days.map((day) =>
    completionRecord(
      pullContext(request.window, settings.adAccountId, level, day),
      counts[day] ?? 0,
    ),
  );
  return { records: [...records, ...closing], next: undefined };
}

async function fetchInsightsPage(request: PageRequest, level: MetaAdsLevel): Promise<PulledPage> {
  const settings = metaAdsSettings(request);
  const days = restatedDays(request.window, settings);
  const cursor: Cursor = request.cursor
    ? CursorSchema.parse(JSON.parse(request.cursor))
    : { phase: "start", attempt: 1 };
  if (cursor.phase === "start") {
    const { report_run_id: run } = parse(
      RunSchema,
      await metaCall(request, settings, `/act_${settings.adAccountId}/insights`, {
        method: "POST",
        params: {
          level,
          fields: META_LEVEL_FIELDS[level].join(","),
          time_range: JSON.stringify({ since: days[0], until: days.at(-1) }),
          time_increment: "1",
        },
      }),
      "report run",
    );
    // An empty page: the run id is journaled, so a resumed pull polls this run.
    return { records: [], next: JSON.stringify({ phase: "poll", run, attempt: cursor.attempt }) };
  }
  if (cursor.phase === "poll") {
    const { async_status: status } = parse(
      RunStatusSchema,
      await metaCall(request, settings, `/${cursor.run}`, { method: "GET" }),
      "report status",
    );
    if (status === "Job Completed") {
      return readResults(request, settings, level, days, cursor.run, undefined, {});
    }
    if (status === "Job Failed" || status === "Job Skipped") {
      if (cursor.attempt >= MAX_RUN_ATTEMPTS) {
        const reason = `the insights report run failed ${cursor.attempt} times in a row`;
        throw Object.assign(new PermanentPullError(reason), { safeReason: reason });
      }
      return { records: [], next: JSON.stringify({ phase: "start", attempt: cursor.attempt + 1 }) };
    }
    // Not Started / Started / Running: come back after the poll interval.
    throw new RateLimitedError(settings.pollSeconds * 1000, "insights report still running");
  }
  return readResults(request, settings, level, days, cursor.run, cursor.after, {
    ...cursor.counts,
  });
}

const RecordSchema = z.union([
  z.strictObject({ pull: PullContextSchema, row: InsightRowSchema }),
  z.strictObject({
    pull: PullContextSchema,
    complete: z.strictObject({ rows: z.number().int().min(0) }),
  }),
]);
type MetaAdsRecord = z.infer<typeof RecordSchema>;

export function metaAdsStream(level: MetaAdsLevel): PullStream {
  return {
    settleMs: 60_000,
    // The days pulled come from the window's end (lookback) and backfillDays, not from `from`.
    defaultSince: "1970-01-01T00:00:00.000Z",
    contract: defineStream<MetaAdsRecord>({
      schema: RecordSchema,
      recordId: (record) =>
        pulledRecordId(
          record.pull,
          "row" in record ? (record.row[ENTITY[level]] ?? "unknown") : "complete",
        ),
      eventTime: (record) => new Date(`${record.pull.day}T00:00:00.000Z`),
      recordIdHint: () => undefined,
    }),
    fetchPage: (request) => fetchInsightsPage(request, level),
  };
}
