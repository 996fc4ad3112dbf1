import type { SourceCatalog } from "../../core/ingest/source.js";

const stream = (level: string) => ({
  description: `One row per ${level} and day per pull (Insights API async report, time_increment=1: spend in the account currency, impressions, clicks, actions and action_values), plus one completion record per day and pull; record id \`<ad account>:<level>:<day>:<id or complete>:<pulled_at>\`. The last lookbackDays (default 7) days are pulled again each run: staging keeps the latest complete pull of each day.`,
  piiPaths: [],
  identifiers: [],
  freshnessTargetHours: 48,
  consentSignals: [],
});

export const metaAdsCatalog: SourceCatalog = {
  source: "meta_ads",
  owner: "performance marketing (Meta Business Manager admin)",
  description:
    "Meta Marketing API Insights (async report runs): daily performance of campaigns, ad sets and ads per ad account, re-pulled over the restatement horizon. No personal data.",
  streams: {
    campaign_stats: stream("campaign"),
    adset_stats: stream("ad set"),
    ad_stats: stream("ad"),
  },
};
