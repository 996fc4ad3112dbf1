import type { SyncConfig } from "../core/activation/sync-config.js";
import { googleAdsColumns, googleAdsPlanSpec } from "./google-ads/members.js";
import { hubspotColumns, hubspotPlanSpec } from "./hubspot/members.js";
import { metaColumns, metaPlanSpec } from "./meta/members.js";
import type { PlanSpec, SyncColumns } from "./plan-spec.js";
import { sendgridColumns, sendgridPlanSpec } from "./sendgrid/members.js";

/** The columns each destination reads from a sync's segment. */
export function syncColumns(sync: SyncConfig): SyncColumns {
  switch (sync.destination) {
    case "meta":
      return metaColumns(sync);
    case "google_ads":
      return googleAdsColumns(sync);
    case "sendgrid":
      return sendgridColumns(sync);
    case "hubspot":
      return hubspotColumns(sync);
  }
}

/** How the sync's destination identifies members, given the columns its segment has. */
export function planSpecOf(sync: SyncConfig, available: ReadonlySet<string>): PlanSpec {
  switch (sync.destination) {
    case "meta":
      return metaPlanSpec(sync, available);
    case "google_ads":
      return googleAdsPlanSpec(sync, available);
    case "sendgrid":
      return sendgridPlanSpec(sync);
    case "hubspot":
      return hubspotPlanSpec(sync);
  }
}
