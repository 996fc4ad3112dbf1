import type { PullSource } from "../../core/pull/source.js";
import { metaAdsStream } from "./report.js";

export { metaAdsCatalog } from "./catalog.js";

/** Meta Ads daily insights (async report runs), re-pulled over the restatement horizon. */
export const metaAdsPullSource: PullSource = {
  name: "meta_ads",
  streams: {
    campaign_stats: metaAdsStream("campaign"),
    adset_stats: metaAdsStream("adset"),
    ad_stats: metaAdsStream("ad"),
  },
};
