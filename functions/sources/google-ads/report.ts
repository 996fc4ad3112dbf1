import { z } from "zod";
import type { PulledPage, PullStream } from "../../core/pull/source.js";
import {
  completionRecord,
  PullContextSchema,
  pullContext,
  pulledRecordId,
  pulledRow,
  restatedDays,
} from "../ads/restated-days.js";
import { defineStream } from "../stream-contract.js";
import { googleAdsSettings, searchStream } from "./api.js";

/**
 * Google Ads daily performance by campaign, ad group and ad (GAQL over `googleAds:searchStream`),
 * one page per day of the restated range (`ads/restated-days.ts`). searchStream answers a whole
 * query in one response (no page tokens), so a day is one call.
 */
export type GoogleAdsLevel = "campaign" | "ad_group" | "ad";

const METRICS = [
  "metrics.cost_micros",
  "metrics.impressions",
  "metrics.clicks",
  "metrics.conversions",
  "metrics.conversions_value",
];
const CUSTOMER = ["customer.id", "customer.currency_code", "customer.time_zone"];

interface LevelSpec {
  readonly resource: string;
  readonly fields: readonly string[];
  /** The entity id of a row (its record id part), from the REST JSON (camelCase). */
  entityOf(row: GoogleAdsRow): string | undefined;
}

const GoogleAdsRowSchema = z.looseObject({
  customer: z.looseObject({ id: z.string(), currencyCode: z.string() }),
  campaign: z.looseObject({ id: z.string() }),
  adGroup: z.looseObject({ id: z.string() }).optional(),
  adGroupAd: z.looseObject({ ad: z.looseObject({ id: z.string() }) }).optional(),
  segments: z.looseObject({ date: z.iso.date() }),
  // int64 counters are JSON strings; a zero is left out of the answer entirely.
  metrics: z
    .looseObject({
      costMicros: z.string().regex(/^\d+$/).optional(),
      impressions: z.string().regex(/^\d+$/).optional(),
      clicks: z.string().regex(/^\d+$/).optional(),
      conversions: z.number().optional(),
      conversionsValue: z.number().optional(),
    })
    .default({}),
});
type GoogleAdsRow = z.infer<typeof GoogleAdsRowSchema>;

export const GOOGLE_ADS_LEVELS: Readonly<Record<GoogleAdsLevel, LevelSpec>> = {
  campaign: {
    resource: "campaign",
    fields: [
      "campaign.id",
      "campaign.name",
      "campaign.status",
      "campaign.advertising_channel_type",
      "campaign.tracking_url_template",
      "campaign.final_url_suffix",
    ],
    entityOf: (row) => row.campaign.id,
  },
  ad_group: {
    resource: "ad_group",
    fields: [
      "campaign.id",
      "ad_group.id",
      "ad_group.name",
      "ad_group.status",
      "ad_group.tracking_url_template",
      "ad_group.final_url_suffix",
    ],
    entityOf: (row) => row.adGroup?.id,
  },
  ad: {
    resource: "ad_group_ad",
    fields: [
      "campaign.id",
      "ad_group.id",
      "ad_group_ad.ad.id",
      "ad_group_ad.ad.name",
      "ad_group_ad.status",
      "ad_group_ad.ad.final_urls",
      "ad_group_ad.ad.tracking_url_template",
      "ad_group_ad.ad.final_url_suffix",
      "ad_group_ad.ad.url_custom_parameters",
    ],
    entityOf: (row) => row.adGroupAd?.ad.id,
  },
};

/** The GAQL of one level and day (a date literal built from a validated ISO day only). */
export function dailyQuery(level: GoogleAdsLevel, day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`bad day ${day}`);
  const spec = GOOGLE_ADS_LEVELS[level];
  const fields = [...CUSTOMER, ...spec.fields, "segments.date", ...METRICS];
  return `SELECT ${fields.join(", ")} FROM ${spec.resource} WHERE segments.date = '${day}'`;
}

const CursorSchema = z.strictObject({ day: z.number().int().min(0) });

const RecordSchema = z.union([
  z.strictObject({ pull: PullContextSchema, row: GoogleAdsRowSchema }),
  z.strictObject({
    pull: PullContextSchema,
    complete: z.strictObject({ rows: z.number().int().min(0) }),
  }),
]);
type GoogleAdsRecord = z.infer<typeof RecordSchema>;

export function googleAdsStream(level: GoogleAdsLevel): PullStream {
  const spec = GOOGLE_ADS_LEVELS[level];
  return {
    settleMs: 60_000,
    // The days pulled come from the window's end (lookback) and backfillDays, not from `from`.
    defaultSince: "1970-01-01T00:00:00.000Z",
    contract: defineStream<GoogleAdsRecord>({
      schema: RecordSchema,
      recordId: (record) =>
        pulledRecordId(
          record.pull,
          "row" in record ? (spec.entityOf(record.row) ?? "unknown") : "complete",
        ),
      eventTime: (record) => new Date(`${record.pull.day}T00:00:00.000Z`),
      recordIdHint: () => undefined,
    }),
    async fetchPage(request): Promise<PulledPage> {
      const settings = googleAdsSettings(request);
      const days = restatedDays(request.window, settings);
      const { day: index } = request.cursor
        ? CursorSchema.parse(JSON.parse(request.cursor))
        : { day: 0 };
      const day = days[index];
      if (day === undefined) return { records: [], next: undefined };
      const context = pullContext(request.window, settings.customerId, level, day);
      const batches = await searchStream(request, settings, dailyQuery(level, day));
      const rows = batches.flatMap((batch) => {
        const results = (batch as { results?: unknown } | null)?.results;
        return Array.isArray(results) ? results : [];
      });
      const records = [
        ...rows.map((row) => pulledRow(context, row)),
        completionRecord(context, rows.length),
      ];
      const next = index + 1 < days.length ? JSON.stringify({ day: index + 1 }) : undefined;
      return { records, next };
    },
  };
}
