import type { PullSource } from "../../core/pull/source.js";
import { googleAdsStream } from "./report.js";

export { googleAdsCatalog } from "./catalog.js";

/** Google Ads daily performance reports, re-pulled over the restatement horizon. */
export const googleAdsPullSource: PullSource = {
  name: "google_ads",
  streams: {
    campaign_stats: googleAdsStream("campaign"),
    ad_group_stats: googleAdsStream("ad_group"),
    ad_stats: googleAdsStream("ad"),
  },
};
