/**
 * The columns of a GA4 BigQuery export table (`events_YYYYMMDD`, `events_intraday_YYYYMMDD`), in
 * the export's order, with BigQuery types, as Google documents them
 * (https://support.google.com/analytics/answer/7029846,
 * https://developers.google.com/analytics/bigquery/event-schema).
 *
 * One list serves three readers: the GA4 models (an empty export of this shape when no property
 * is linked), `unistack check-sql` (the declared tables' columns for the ZetaSQL analyzer) and
 * the local DuckDB export the demo and the tests write (functions/sources/ga4/local-export.ts).
 * Google adds columns over time; a column missing here is only missing from the local copy and
 * the check's catalog, never from what BigQuery reads.
 */

const PARAM_VALUE =
  "STRUCT<string_value STRING, int_value INT64, float_value FLOAT64, double_value FLOAT64>";
const PARAMS = `ARRAY<STRUCT<key STRING, value ${PARAM_VALUE}>>`;

const EXPORT_COLUMNS = [
  { name: "event_date", type: "STRING" },
  { name: "event_timestamp", type: "INT64" },
  { name: "event_name", type: "STRING" },
  { name: "event_params", type: PARAMS },
  { name: "event_previous_timestamp", type: "INT64" },
  { name: "event_value_in_usd", type: "FLOAT64" },
  { name: "event_bundle_sequence_id", type: "INT64" },
  { name: "event_server_timestamp_offset", type: "INT64" },
  { name: "user_id", type: "STRING" },
  { name: "user_pseudo_id", type: "STRING" },
  {
    name: "privacy_info",
    type: "STRUCT<analytics_storage STRING, ads_storage STRING, uses_transient_token STRING>",
  },
  {
    name: "user_properties",
    type:
      "ARRAY<STRUCT<key STRING, value STRUCT<string_value STRING, int_value INT64, " +
      "float_value FLOAT64, double_value FLOAT64, set_timestamp_micros INT64>>>",
  },
  { name: "user_first_touch_timestamp", type: "INT64" },
  { name: "user_ltv", type: "STRUCT<revenue FLOAT64, currency STRING>" },
  {
    name: "device",
    type:
      "STRUCT<category STRING, mobile_brand_name STRING, mobile_model_name STRING, " +
      "mobile_marketing_name STRING, mobile_os_hardware_model STRING, operating_system STRING, " +
      "operating_system_version STRING, vendor_id STRING, advertising_id STRING, language STRING, " +
      "is_limited_ad_tracking STRING, time_zone_offset_seconds INT64, browser STRING, " +
      "browser_version STRING, web_info STRUCT<browser STRING, browser_version STRING, hostname STRING>>",
  },
  {
    name: "geo",
    type:
      "STRUCT<city STRING, country STRING, continent STRING, region STRING, " +
      "sub_continent STRING, metro STRING>",
  },
  {
    name: "app_info",
    type:
      "STRUCT<id STRING, version STRING, install_store STRING, firebase_app_id STRING, " +
      "install_source STRING>",
  },
  { name: "traffic_source", type: "STRUCT<name STRING, medium STRING, source STRING>" },
  { name: "stream_id", type: "STRING" },
  { name: "platform", type: "STRING" },
  { name: "event_dimensions", type: "STRUCT<hostname STRING>" },
  {
    name: "ecommerce",
    type:
      "STRUCT<total_item_quantity INT64, purchase_revenue_in_usd FLOAT64, purchase_revenue FLOAT64, " +
      "refund_value_in_usd FLOAT64, refund_value FLOAT64, shipping_value_in_usd FLOAT64, " +
      "shipping_value FLOAT64, tax_value_in_usd FLOAT64, tax_value FLOAT64, unique_items INT64, " +
      "transaction_id STRING>",
  },
  {
    name: "items",
    type:
      "ARRAY<STRUCT<item_id STRING, item_name STRING, item_brand STRING, item_variant STRING, " +
      "item_category STRING, item_category2 STRING, item_category3 STRING, item_category4 STRING, " +
      "item_category5 STRING, price_in_usd FLOAT64, price FLOAT64, quantity INT64, " +
      "item_revenue_in_usd FLOAT64, item_revenue FLOAT64, item_refund_in_usd FLOAT64, " +
      "item_refund FLOAT64, coupon STRING, affiliation STRING, location_id STRING, " +
      "item_list_id STRING, item_list_name STRING, item_list_index STRING, promotion_id STRING, " +
      `promotion_name STRING, creative_name STRING, creative_slot STRING, item_params ${PARAMS}>>`,
  },
  {
    name: "collected_traffic_source",
    type:
      "STRUCT<manual_campaign_id STRING, manual_campaign_name STRING, manual_source STRING, " +
      "manual_medium STRING, manual_term STRING, manual_content STRING, " +
      "manual_source_platform STRING, manual_creative_format STRING, " +
      "manual_marketing_tactic STRING, gclid STRING, dclid STRING, srsltid STRING>",
  },
  { name: "is_active_user", type: "BOOL" },
  { name: "batch_event_index", type: "INT64" },
  { name: "batch_page_id", type: "INT64" },
  { name: "batch_ordering_id", type: "INT64" },
  {
    name: "session_traffic_source_last_click",
    type:
      "STRUCT<manual_campaign STRUCT<campaign_id STRING, campaign_name STRING, source STRING, " +
      "medium STRING, term STRING, content STRING, source_platform STRING, " +
      "creative_format STRING, marketing_tactic STRING>, " +
      "google_ads_campaign STRUCT<customer_id STRING, account_name STRING, campaign_id STRING, " +
      "campaign_name STRING, ad_group_id STRING, ad_group_name STRING>, " +
      "cross_channel_campaign STRUCT<campaign_id STRING, campaign_name STRING, source STRING, " +
      "medium STRING, source_platform STRING, default_channel_group STRING, " +
      "primary_channel_group STRING>>",
  },
  {
    name: "publisher",
    type: "STRUCT<ad_revenue_in_usd FLOAT64, ad_format STRING, ad_source_name STRING, ad_unit_id STRING>",
  },
];

module.exports = { EXPORT_COLUMNS };
