import type { TableDeclaration } from "./declarations.js";

/**
 * Every warehouse table and where it names a person. Raw tables (`raw.<source>_<stream>`) are
 * declared by the sources' catalogs (their `identifiers` paths), not here. A table the Dataform
 * graph builds or a TableSpec the code creates that is missing here fails
 * test/unit/privacy/declarations.test.ts: declare it with its identifier columns, or as holding
 * no personal data and why.
 *
 * Kinds: `contact_id`, `node_key` (`<kind>:<value>`), or an identifier kind whose values are
 * normalized as `normalizeIdentifier` does (emails of the models are; raw values are too after
 * normalization in SQL). `resolves` tables are read to find all of a person's contact ids and
 * identifiers before anything is deleted.
 */
export const WAREHOUSE_TABLES: readonly TableDeclaration[] = [
  // staging (views on BigQuery, tables in the local DuckDB warehouse)
  {
    dataset: "staging",
    table: "stg_shopify__orders",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "email", kind: "email" },
      { column: "email_raw", kind: "email" },
      { column: "customer_email", kind: "email" },
      { column: "customer_email_raw", kind: "email" },
      { column: "customer_id", kind: "shopify_customer_id" },
      { column: "order_id", kind: "shopify_order_id" },
    ],
  },
  {
    dataset: "staging",
    table: "stg_sendgrid__events",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "email", kind: "email" },
      { column: "email_raw", kind: "email" },
      { column: "event_id", kind: "sendgrid_event_id" },
    ],
  },
  {
    dataset: "staging",
    table: "stg_sendgrid__event_categories",
    personal: true,
    erase: "now",
    identifiers: [{ column: "event_id", kind: "sendgrid_event_id" }],
  },
  {
    dataset: "staging",
    table: "stg_zoom__registrants",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "email", kind: "email" },
      { column: "email_raw", kind: "email" },
      { column: "registrant_id", kind: "zoom_registrant_id" },
    ],
  },
  {
    dataset: "staging",
    table: "stg_zoom__participants",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "email", kind: "email" },
      { column: "email_raw", kind: "email" },
      { column: "registrant_id", kind: "zoom_registrant_id" },
    ],
  },
  ...["stg_zoom__poll_answers", "stg_zoom__questions"].map(
    (table) =>
      ({
        dataset: "staging",
        table,
        personal: true,
        erase: "now",
        identifiers: [
          { column: "email", kind: "email" },
          { column: "email_raw", kind: "email" },
        ],
      }) as const,
  ),
  {
    dataset: "staging",
    table: "stg_sendgrid__singlesend_stats",
    personal: false,
    why: "totals per Single Send (requests, opens, clicks…): aggregates, no person",
  },
  {
    dataset: "staging",
    table: "stg_zoom__webinars",
    personal: false,
    why: "webinar occurrences: topic, times, and host_id (the account's own Zoom user, not an attendee)",
  },
  ...["stg_ga4__events", "stg_ga4__sessions", "stg_ga4__page_views", "stg_ga4__purchases"].map(
    (table) =>
      ({
        dataset: "staging",
        table,
        personal: true,
        erase: "now",
        identifiers: [
          { column: "user_id", kind: "ga4_user_id" },
          { column: "user_pseudo_id", kind: "ga4_user_pseudo_id" },
        ],
      }) as const,
  ),
  ...[
    "stg_google_ads__campaign_stats",
    "stg_google_ads__ad_group_stats",
    "stg_google_ads__ad_stats",
    "stg_meta_ads__campaign_stats",
    "stg_meta_ads__adset_stats",
    "stg_meta_ads__ad_stats",
  ].map(
    (table) =>
      ({
        dataset: "staging",
        table,
        personal: false,
        why: "daily ad performance per campaign, ad group / ad set and ad: spend, impressions, clicks, conversions; no person",
      }) as const,
  ),
  {
    dataset: "staging",
    table: "stg_shopify__customers",
    personal: true,
    erase: "now",
    resolves: true,
    identifiers: [
      { column: "email", kind: "email" },
      { column: "email_raw", kind: "email" },
      { column: "phone", kind: "phone" },
      { column: "customer_id", kind: "shopify_customer_id" },
    ],
  },
  {
    dataset: "staging",
    table: "stg_shopify__refunds",
    personal: true,
    erase: "now",
    identifiers: [{ column: "order_id", kind: "shopify_order_id" }],
  },
  {
    dataset: "staging",
    table: "stg_shopify__products",
    personal: false,
    why: "the shop's catalogue: products, variants, prices",
  },
  {
    dataset: "staging",
    table: "stg_hubspot__contacts",
    personal: true,
    erase: "now",
    resolves: true,
    identifiers: [
      { column: "email", kind: "email" },
      { column: "email_raw", kind: "email" },
      { column: "phone", kind: "phone" },
      { column: "contact_id", kind: "hubspot_contact_id" },
    ],
  },
  {
    dataset: "staging",
    table: "stg_hubspot__events",
    personal: true,
    erase: "now",
    identifiers: [{ column: "property_value", kind: "email" }],
  },
  {
    dataset: "staging",
    table: "stg_hubspot__owners",
    personal: true,
    erase: "now",
    identifiers: [{ column: "email", kind: "email" }],
  },
  {
    dataset: "marts",
    table: "dim_accounts",
    personal: false,
    why: "organizations: CRM companies and corporate email domains (free-mail domains excluded) with counts of contacts; no person",
  },
  {
    dataset: "staging",
    table: "stg_hubspot__companies",
    personal: false,
    why: "companies (accounts): names, domains, countries; no person",
  },
  {
    dataset: "staging",
    table: "stg_hubspot__deals",
    personal: false,
    why: "deals of companies; contact_id is the HubSpot id of an associated contact, kept as a business record (docs/privacy.md)",
  },
  {
    dataset: "staging",
    table: "stg_hubspot__deal_stage_changes",
    personal: false,
    why: "stage history of deals: deal ids, stages, times",
  },
  {
    dataset: "staging",
    table: "int_identifiers__unioned",
    personal: true,
    erase: "now",
    // Rows of the person's records go by record id too: a record's name, address and date of
    // birth rows carry neither their email nor their phone. (A table: it stays until the next
    // graph run otherwise.)
    identifiers: [
      { column: "identifier_value", kind: "email", kindColumn: "identifier_type" },
      { column: "source_entity_id", kind: "shopify_order_id" },
      { column: "source_entity_id", kind: "sendgrid_event_id" },
      // Every source's records (a CRM contact's company row, a registration's name rows) go by
      // their record key, which int_identity__record_contacts resolves from the contact id.
      { column: "record_key", kind: "record_key" },
    ],
  },
  {
    dataset: "staging",
    table: "int_consent_events__unioned",
    personal: true,
    erase: "now",
    consentHistory: true,
    identifiers: [{ column: "email", kind: "email" }],
  },
  // identity (definitions/identity, definitions/intermediate/int_identifiers__*): keys are
  // node keys `<kind>:<value>`; rows of a person's records and contacts go with them.
  {
    dataset: "staging",
    table: "int_identifiers__shopify_orders",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "raw_value", kind: "email", kindColumn: "identifier_type" },
      { column: "source_entity_id", kind: "shopify_order_id" },
    ],
  },
  {
    dataset: "staging",
    table: "int_identifiers__sendgrid_events",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "raw_value", kind: "email", kindColumn: "identifier_type" },
      { column: "source_entity_id", kind: "sendgrid_event_id" },
    ],
  },
  ...[
    "int_identifiers__shopify_customers",
    "int_identifiers__hubspot_contacts",
    "int_identifiers__zoom_registrants",
    "int_identifiers__zoom_participants",
    "int_identifiers__ga4_users",
  ].map(
    (table) =>
      ({
        dataset: "staging",
        table,
        personal: true,
        erase: "now",
        // raw_value by its identifier_type (email, phone, shopify_customer_id,
        // hubspot_contact_id, zoom_registrant_id); a record's name, company and country rows by
        // the record key the person's contact resolves to.
        identifiers: [
          { column: "raw_value", kind: "email", kindColumn: "identifier_type" },
          { column: "record_key", kind: "record_key" },
        ],
      }) as const,
  ),
  {
    dataset: "staging",
    table: "int_identity__nodes",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "node_key", kind: "node_key" },
      { column: "identifier_value", kind: "email", kindColumn: "identifier_type" },
    ],
  },
  {
    dataset: "staging",
    table: "int_identity__node_contacts",
    personal: true,
    erase: "now",
    resolves: true,
    identifiers: [
      { column: "node_key", kind: "node_key" },
      { column: "node_value", kind: "email", kindColumn: "node_type" },
      { column: "contact_id", kind: "contact_id" },
    ],
  },
  {
    dataset: "staging",
    table: "int_identity__records",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "anchor_node_key", kind: "node_key" },
      { column: "profile_key", kind: "node_key" },
    ],
  },
  {
    dataset: "staging",
    table: "int_identity__record_contacts",
    personal: true,
    erase: "now",
    resolves: true,
    identifiers: [
      { column: "contact_id", kind: "contact_id" },
      { column: "anchor_node_key", kind: "node_key" },
      { column: "record_key", kind: "record_key" },
    ],
  },
  {
    dataset: "staging",
    table: "int_identity__profiles",
    personal: true,
    erase: "now",
    identifiers: [{ column: "profile_key", kind: "node_key" }],
  },
  {
    dataset: "staging",
    table: "int_identity__profile_pairs",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "profile_a", kind: "node_key" },
      { column: "profile_b", kind: "node_key" },
    ],
  },
  {
    dataset: "staging",
    table: "int_identity__edges",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "node_a", kind: "node_key" },
      { column: "node_b", kind: "node_key" },
    ],
  },
  {
    dataset: "staging",
    table: "int_identity__contact_ledger",
    personal: true,
    erase: "now",
    resolves: true,
    identifiers: [
      { column: "node_key", kind: "node_key" },
      { column: "contact_id", kind: "contact_id" },
      { column: "other_contact_id", kind: "contact_id" },
    ],
  },
  {
    dataset: "marts",
    table: "contact_aliases",
    personal: true,
    erase: "now",
    resolves: true,
    identifiers: [
      { column: "alias_contact_id", kind: "contact_id" },
      { column: "contact_id", kind: "contact_id" },
    ],
  },
  {
    dataset: "marts",
    table: "contact_changes",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "contact_id", kind: "contact_id" },
      { column: "other_contact_id", kind: "contact_id" },
    ],
  },
  // marts
  {
    dataset: "marts",
    table: "dim_contacts",
    personal: true,
    erase: "now",
    resolves: true,
    identifiers: [
      { column: "contact_id", kind: "contact_id" },
      { column: "email", kind: "email" },
    ],
  },
  {
    dataset: "marts",
    table: "fct_orders",
    personal: true,
    erase: "now",
    resolves: true,
    identifiers: [
      { column: "contact_id", kind: "contact_id" },
      { column: "customer_id", kind: "shopify_customer_id" },
      { column: "order_id", kind: "shopify_order_id" },
    ],
  },
  {
    dataset: "marts",
    table: "fct_email_events",
    personal: true,
    erase: "now",
    resolves: true,
    identifiers: [
      { column: "contact_id", kind: "contact_id" },
      { column: "event_id", kind: "sendgrid_event_id" },
    ],
  },
  {
    dataset: "marts",
    table: "seg_retargeting",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "contact_id", kind: "contact_id" },
      { column: "email", kind: "email" },
    ],
  },
  {
    dataset: "marts",
    table: "seg_recent_purchasers",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "contact_id", kind: "contact_id" },
      { column: "email", kind: "email" },
    ],
  },
  // staging, marts and segments of the answers (sources-a, answers branches)
  {
    dataset: "staging",
    table: "stg_shopify__order_lines",
    personal: true,
    erase: "now",
    identifiers: [{ column: "order_id", kind: "shopify_order_id" }],
  },
  {
    dataset: "marts",
    table: "fct_order_items",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "contact_id", kind: "contact_id" },
      { column: "order_id", kind: "shopify_order_id" },
    ],
  },
  {
    dataset: "marts",
    table: "fct_email_messages",
    personal: true,
    erase: "now",
    identifiers: [{ column: "contact_id", kind: "contact_id" }],
  },
  {
    dataset: "marts",
    table: "fct_ad_spend",
    personal: false,
    why: "daily spend, impressions and clicks per ad campaign (Google Ads, Meta Ads reports); no person",
  },
  {
    dataset: "marts",
    table: "fct_touchpoints",
    personal: true,
    erase: "now",
    identifiers: [{ column: "contact_id", kind: "contact_id" }],
  },
  {
    dataset: "marts",
    table: "attribution_credits",
    personal: true,
    erase: "now",
    identifiers: [{ column: "contact_id", kind: "contact_id" }],
  },
  {
    dataset: "marts",
    table: "product_recommendations",
    personal: true,
    erase: "now",
    identifiers: [{ column: "contact_id", kind: "contact_id" }],
  },
  {
    dataset: "marts",
    table: "seg_lookalike_seed",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "contact_id", kind: "contact_id" },
      { column: "email", kind: "email" },
    ],
  },
  {
    dataset: "marts",
    table: "seg_onboarding",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "contact_id", kind: "contact_id" },
      { column: "email", kind: "email" },
    ],
  },
  {
    dataset: "marts",
    table: "webinar_leads",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "contact_id", kind: "contact_id" },
      { column: "email", kind: "email" },
      { column: "crm_contact_id", kind: "hubspot_contact_id" },
    ],
  },
  {
    dataset: "marts",
    table: "seg_hot_webinar_leads",
    personal: true,
    erase: "now",
    identifiers: [
      { column: "contact_id", kind: "contact_id" },
      { column: "email", kind: "email" },
    ],
  },
  {
    dataset: "marts",
    table: "fct_deals",
    personal: false,
    why: "deals of accounts (business records); hubspot_contact_id is the HubSpot id of an associated contact, kept as in stg_hubspot__deals (docs/privacy.md)",
  },
  {
    dataset: "marts",
    table: "product_affinity",
    personal: false,
    why: "bought-together statistics per business unit: product pairs and counts, no person",
  },
  {
    dataset: "marts",
    table: "agg_email_kpis_monthly",
    personal: false,
    why: "closed months' email counts per business unit, kept past raw retention: counts only, no person (an erasure leaves them: they name nobody)",
  },
  {
    dataset: "marts",
    table: "agg_revenue_monthly_region",
    personal: false,
    why: "closed months' order counts and revenue per region and currency, kept past raw retention: counts and sums only, no person",
  },
  {
    dataset: "reports",
    table: "*",
    personal: false,
    why: "rpt_ tables: aggregates per business unit, month, channel, campaign or region (counts, sums, rates), no person",
  },
  // ops: the activation ledger
  {
    dataset: "ops",
    table: "sync_members",
    personal: true,
    erase: "via-destinations",
    identifiers: [{ column: "contact_id", kind: "contact_id" }],
  },
  {
    dataset: "ops",
    table: "sync_rejections",
    personal: true,
    erase: "after-destinations",
    identifiers: [{ column: "contact_id", kind: "contact_id" }],
  },
  {
    dataset: "ops",
    table: "sync_suppressions",
    personal: true,
    erase: "after-destinations",
    identifiers: [{ column: "contact_id", kind: "contact_id" }],
  },
  {
    dataset: "ops",
    table: "sync_runs",
    personal: false,
    why: "one row per sync run: counts and statuses",
  },
  {
    dataset: "ops",
    table: "sync_batches",
    personal: false,
    why: "one row per batch attempt: counts, object keys, error codes",
  },
  {
    dataset: "ops",
    table: "sync_run_outcomes",
    personal: false,
    why: "one row per finished run: counts and statuses",
  },
  {
    dataset: "ops",
    table: "load_jobs",
    personal: false,
    why: "the local warehouse's load-job ledger: job ids, file paths, row counts",
  },
  {
    dataset: "ops_load",
    table: "*",
    personal: false,
    why: "the raw loader's ledger and failures: object keys, generations, job ids",
  },
  {
    dataset: "ops_pull",
    table: "*",
    personal: false,
    why: "one row per pull run: source, connection, stream, cursors (vendor positions), counts",
  },
  {
    dataset: "assertions",
    table: "*",
    personal: false,
    why: "Dataform assertion views: queries over the models, they store nothing",
  },
  {
    dataset: "privacy",
    table: "*",
    personal: false,
    why: "suppression keys (salted hashes), hashes of erased record ids, erasure reports (counts)",
  },
];

/** The declaration of a table, or `undefined` when it has none. */
export function tableDeclaration(
  declarations: readonly TableDeclaration[],
  dataset: string,
  table: string,
): TableDeclaration | undefined {
  return (
    declarations.find((d) => d.dataset === dataset && d.table === table) ??
    declarations.find((d) => d.dataset === dataset && d.table === "*")
  );
}
