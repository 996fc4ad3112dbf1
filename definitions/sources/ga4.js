// The GA4 BigQuery export, declared where Google writes it (includes/ga4.js): read in place,
// never copied. Declared only when a property is linked (vars.ga4_dataset set); otherwise the
// GA4 staging models build empty.
if (ga4.enabled()) {
  const columns = {
    event_date: "STRING. Day of the event, YYYYMMDD, in the property's reporting time zone.",
    event_timestamp: "INT64. When the client logged the event, microseconds since the epoch (UTC).",
    event_name: "STRING. page_view, session_start, purchase...",
    event_params:
      "ARRAY<STRUCT<key, value STRUCT<string_value, int_value, float_value, double_value>>>. The event's parameters (ga_session_id, page_location...).",
    user_id: "STRING. The site's own user id, when the site sets it (a login). Personal data.",
    user_pseudo_id:
      "STRING. GA4's pseudonymous browser/app-instance id (the _ga cookie). Personal data.",
    user_properties:
      "ARRAY<STRUCT<key, value STRUCT<..., set_timestamp_micros>>>. User-scoped properties.",
    items: "ARRAY<STRUCT<item_id, item_name, price, quantity, ...>>. Ecommerce items of the event.",
    ecommerce: "STRUCT<transaction_id, purchase_revenue, ...>. Ecommerce totals of the event.",
    traffic_source: "STRUCT<name, medium, source>. The user's first acquisition (user scope).",
    collected_traffic_source:
      "STRUCT<manual_source, manual_medium, manual_campaign_name, ..., gclid>. UTM parameters and click ids collected with the event.",
  };
  for (const kind of ["daily", "intraday"]) {
    declare({
      ...ga4.target(kind),
      description:
        kind === "daily"
          ? "GA4 BigQuery export, daily tables events_YYYYMMDD (wildcard; _TABLE_SUFFIX is the day). Google rewrites a day for up to 3 days with late events. Read in place, not copied."
          : "GA4 BigQuery export, streaming tables events_intraday_YYYYMMDD, deleted by Google once the day's daily table is complete. Read in place, not copied.",
      tags: ["ga4_export"],
      columns,
    });
  }
}
