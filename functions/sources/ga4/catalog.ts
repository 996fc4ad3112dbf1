import type { SourceCatalog } from "../../core/ingest/source.js";

/**
 * GA4 is read in place (the BigQuery export Google writes; definitions/sources/ga4.js), so its
 * "stream" is the export table; paths are columns of an export row.
 */
export const ga4Catalog: SourceCatalog = {
  source: "ga4",
  owner: "web analytics team (GA4 property admin, BigQuery link)",
  description:
    "Google Analytics 4 BigQuery export (daily events_* and streaming events_intraday_*), declared in place in the dataset vars.ga4_dataset; not copied into raw.",
  streams: {
    events: {
      description:
        "One row per event in events_YYYYMMDD (rewritten by Google with late events for up to 3 days) or events_intraday_YYYYMMDD.",
      piiPaths: [
        "$.user_id",
        "$.user_pseudo_id",
        "$.device.advertising_id",
        "$.device.vendor_id",
        "$.geo.city",
        "$.event_params[*].value.string_value",
        "$.user_properties[*].value.string_value",
        "$.collected_traffic_source.gclid",
      ],
      // The export is Google's table, not ours: erasure there is GA4's user deletion API
      // (docs/privacy.md); these paths let an access request find the person's rows.
      identifiers: [
        { path: "$.user_id", kind: "ga4_user_id" },
        { path: "$.user_pseudo_id", kind: "ga4_user_pseudo_id" },
      ],
      // The daily table of day D is complete around midday of D+1 (property time zone).
      freshnessTargetHours: 36,
      consentSignals: [
        "privacy_info.analytics_storage / ads_storage (Consent Mode): Yes | No; cookieless pings have no user_pseudo_id",
      ],
    },
  },
};
