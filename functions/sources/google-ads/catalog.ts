import type { SourceCatalog } from "../../core/ingest/source.js";

const stream = (level: string) => ({
  description: `One row per ${level} and day per pull (GAQL over googleAds:searchStream: cost_micros in the account currency, impressions, clicks, conversions, conversions_value, tracking template and final URL suffix), plus one completion record per day and pull; record id \`<customer>:<level>:<day>:<id or complete>:<pulled_at>\`. The last lookbackDays (default 7) days are pulled again each run: staging keeps the latest complete pull of each day.`,
  piiPaths: [],
  identifiers: [],
  freshnessTargetHours: 48,
  consentSignals: [],
});

export const googleAdsCatalog: SourceCatalog = {
  source: "google_ads",
  owner: "performance marketing (Google Ads account admin)",
  description:
    "Google Ads API (REST, googleAds:searchStream): daily performance of campaigns, ad groups and ads per advertiser account, re-pulled over the restatement horizon. No personal data.",
  streams: {
    campaign_stats: stream("campaign"),
    ad_group_stats: stream("ad group"),
    ad_stats: stream("ad"),
  },
};
