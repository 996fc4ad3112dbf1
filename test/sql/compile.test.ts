import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RAW_COLUMNS } from "../../functions/core/raw-table.js";
import { compileProject, DataformCompileError } from "../../functions/dataform/compile.js";
import type { Action, CompiledGraph } from "../../functions/dataform/compiled-graph.js";
import { declaredTables, rawTableSpecs } from "../../functions/dataform/declarations.js";

const repoRoot = resolve(import.meta.dirname, "../..");

const RAW_TABLES = [
  "raw.google_ads_ad_group_stats",
  "raw.google_ads_ad_stats",
  "raw.google_ads_campaign_stats",
  "raw.hubspot_companies",
  "raw.hubspot_contacts",
  "raw.hubspot_deals",
  "raw.hubspot_events",
  "raw.hubspot_owners",
  "raw.meta_ads_ad_stats",
  "raw.meta_ads_adset_stats",
  "raw.meta_ads_campaign_stats",
  "raw.sendgrid_events",
  "raw.sendgrid_singlesend_stats",
  "raw.shopify_customers",
  "raw.shopify_orders",
  "raw.shopify_products",
  "raw.shopify_refunds",
  "raw.zoom_participant_events",
  "raw.zoom_poll_answers",
  "raw.zoom_questions",
  "raw.zoom_registration_events",
  "raw.zoom_webinar_events",
];

const MODELS = {
  "staging.stg_sendgrid__singlesend_stats": {
    type: "view",
    reads: ["privacy.erased_records", "raw.sendgrid_singlesend_stats"],
  },
  "staging.stg_zoom__poll_answers": {
    type: "view",
    reads: ["privacy.erased_records", "raw.zoom_poll_answers"],
  },
  "staging.stg_zoom__questions": {
    type: "view",
    reads: ["privacy.erased_records", "raw.zoom_questions"],
  },
  "staging.stg_google_ads__campaign_stats": {
    type: "view",
    reads: ["privacy.erased_records", "raw.google_ads_campaign_stats"],
  },
  "staging.stg_google_ads__ad_group_stats": {
    type: "view",
    reads: ["privacy.erased_records", "raw.google_ads_ad_group_stats"],
  },
  "staging.stg_google_ads__ad_stats": {
    type: "view",
    reads: ["privacy.erased_records", "raw.google_ads_ad_stats"],
  },
  "staging.stg_meta_ads__campaign_stats": {
    type: "view",
    reads: ["privacy.erased_records", "raw.meta_ads_campaign_stats"],
  },
  "staging.stg_meta_ads__adset_stats": {
    type: "view",
    reads: ["privacy.erased_records", "raw.meta_ads_adset_stats"],
  },
  "staging.stg_meta_ads__ad_stats": {
    type: "view",
    reads: ["privacy.erased_records", "raw.meta_ads_ad_stats"],
  },
  "marts.attribution_credits": {
    type: "table",
    reads: ["marts.fct_deals", "marts.fct_touchpoints"],
  },
  "marts.contact_aliases": { type: "table", reads: ["staging.int_identity__contact_ledger"] },
  "marts.contact_changes": { type: "table", reads: ["staging.int_identity__contact_ledger"] },
  "marts.dim_accounts": {
    type: "table",
    reads: ["marts.dim_contacts", "staging.stg_hubspot__companies"],
  },
  "marts.dim_contacts": {
    type: "table",
    reads: [
      "marts.fct_orders",
      "staging.int_consent_events__unioned",
      "staging.int_identifiers__unioned",
      "staging.int_identity__node_contacts",
      "staging.int_identity__record_contacts",
      "staging.int_identity__records",
      "staging.stg_hubspot__companies",
      "staging.stg_hubspot__contacts",
    ],
  },
  "marts.fct_ad_spend": {
    type: "table",
    reads: ["staging.stg_google_ads__campaign_stats", "staging.stg_meta_ads__campaign_stats"],
  },
  "marts.fct_deals": { type: "table", reads: ["staging.stg_hubspot__deals"] },
  "marts.fct_email_events": {
    type: "table",
    reads: ["staging.int_identity__record_contacts", "staging.stg_sendgrid__events"],
  },
  "marts.fct_email_messages": {
    type: "table",
    reads: ["marts.fct_email_events", "staging.stg_sendgrid__events"],
  },
  "marts.fct_order_items": {
    type: "table",
    reads: ["marts.fct_orders", "staging.stg_shopify__order_lines"],
  },
  "marts.fct_orders": {
    type: "table",
    reads: ["staging.int_identity__record_contacts", "staging.stg_shopify__orders"],
  },
  "marts.fct_touchpoints": {
    type: "table",
    reads: [
      "marts.dim_contacts",
      "marts.fct_ad_spend",
      "marts.fct_email_messages",
      "staging.int_identity__node_contacts",
      "staging.stg_ga4__sessions",
      "staging.stg_hubspot__contacts",
      "staging.stg_zoom__participants",
      "staging.stg_zoom__webinars",
    ],
  },
  "marts.product_affinity": { type: "table", reads: ["marts.fct_order_items"] },
  // Closed months kept past raw retention (docs/privacy.md): appended, never rebuilt.
  "marts.agg_email_kpis_monthly": { type: "incremental", reads: ["marts.fct_email_messages"] },
  "marts.agg_revenue_monthly_region": { type: "incremental", reads: ["marts.fct_orders"] },
  "marts.product_recommendations": {
    type: "table",
    reads: ["marts.fct_order_items", "marts.product_affinity"],
  },
  "marts.seg_lookalike_seed": {
    type: "table",
    reads: ["marts.dim_contacts", "marts.fct_order_items"],
  },
  "marts.seg_onboarding": {
    type: "table",
    reads: ["marts.dim_contacts", "marts.fct_order_items", "marts.product_recommendations"],
  },
  "marts.seg_recent_purchasers": {
    type: "table",
    reads: ["marts.dim_contacts", "staging.int_identity__node_contacts"],
  },
  "marts.seg_retargeting": {
    type: "table",
    reads: ["marts.dim_contacts", "marts.fct_email_events", "staging.int_identity__node_contacts"],
  },
  "reports.rpt_attribution_by_channel": {
    type: "incremental",
    reads: ["marts.attribution_credits"],
  },
  "reports.rpt_channel_roi": {
    type: "incremental",
    reads: [
      "marts.attribution_credits",
      "marts.fct_ad_spend",
      "marts.fct_email_messages",
      "staging.stg_zoom__participants",
      "staging.stg_zoom__webinars",
    ],
  },
  "reports.rpt_email_campaign_kpis": { type: "incremental", reads: ["marts.fct_email_messages"] },
  "reports.rpt_email_kpis_monthly": { type: "incremental", reads: ["marts.fct_email_messages"] },
  "reports.rpt_kpi_targets": { type: "incremental", reads: ["reports.rpt_email_kpis_monthly"] },
  "reports.rpt_region_growth": {
    type: "incremental",
    reads: [
      "marts.dim_contacts",
      "marts.fct_deals",
      "marts.fct_email_messages",
      "marts.fct_orders",
      "staging.int_identity__node_contacts",
      "staging.stg_hubspot__companies",
      "staging.stg_hubspot__contacts",
    ],
  },
  "staging.int_consent_events__unioned": {
    type: "view",
    reads: ["staging.stg_sendgrid__events", "staging.stg_shopify__orders"],
  },
  "staging.int_identifiers__ga4_users": {
    type: "view",
    reads: ["staging.stg_ga4__events"],
  },
  "staging.int_identifiers__hubspot_contacts": {
    type: "view",
    reads: ["staging.stg_hubspot__contacts"],
  },
  "staging.int_identifiers__sendgrid_events": {
    type: "view",
    reads: ["staging.stg_sendgrid__events"],
  },
  "staging.int_identifiers__shopify_customers": {
    type: "view",
    reads: ["staging.stg_shopify__customers"],
  },
  "staging.int_identifiers__shopify_orders": {
    type: "view",
    reads: ["staging.stg_shopify__orders"],
  },
  "staging.int_identifiers__unioned": {
    type: "table",
    reads: [
      "staging.int_identifiers__ga4_users",
      "staging.int_identifiers__hubspot_contacts",
      "staging.int_identifiers__sendgrid_events",
      "staging.int_identifiers__shopify_customers",
      "staging.int_identifiers__shopify_orders",
      "staging.int_identifiers__zoom_participants",
      "staging.int_identifiers__zoom_registrants",
    ],
  },
  "staging.int_identifiers__zoom_participants": {
    type: "view",
    reads: ["staging.stg_zoom__participants"],
  },
  "staging.int_identifiers__zoom_registrants": {
    type: "view",
    reads: ["staging.stg_zoom__registrants"],
  },
  "staging.int_identity__contact_ledger": {
    type: "incremental",
    reads: [
      "staging.int_identity__edges",
      "staging.int_identity__nodes",
      "staging.int_identity__profiles",
      "staging.int_identity__records",
    ],
  },
  "staging.int_identity__edges": {
    type: "table",
    reads: [
      "staging.int_identifiers__unioned",
      "staging.int_identity__nodes",
      "staging.int_identity__profile_pairs",
      "staging.int_identity__profiles",
      "staging.int_identity__records",
    ],
  },
  "staging.int_identity__node_contacts": {
    type: "table",
    reads: ["staging.int_identity__contact_ledger"],
  },
  "staging.int_identity__nodes": {
    type: "table",
    reads: ["staging.int_identifiers__unioned", "staging.int_identity__profiles"],
  },
  "staging.int_identity__profile_pairs": {
    type: "table",
    reads: ["staging.int_identity__profiles"],
  },
  "staging.int_identity__profiles": { type: "table", reads: ["staging.int_identifiers__unioned"] },
  "staging.int_identity__record_contacts": {
    type: "table",
    reads: ["staging.int_identity__node_contacts", "staging.int_identity__records"],
  },
  "staging.int_identity__records": {
    type: "table",
    reads: [
      "staging.int_identifiers__unioned",
      "staging.int_identity__nodes",
      "staging.int_identity__profiles",
    ],
  },
  "staging.stg_hubspot__companies": {
    type: "view",
    reads: ["privacy.erased_records", "raw.hubspot_companies"],
  },
  "staging.stg_hubspot__contacts": {
    type: "view",
    reads: ["privacy.erased_records", "raw.hubspot_contacts"],
  },
  "staging.stg_hubspot__deal_stage_changes": {
    type: "view",
    reads: ["privacy.erased_records", "raw.hubspot_deals"],
  },
  "staging.stg_hubspot__deals": {
    type: "view",
    reads: ["privacy.erased_records", "raw.hubspot_deals"],
  },
  "staging.stg_hubspot__events": {
    type: "view",
    reads: ["privacy.erased_records", "raw.hubspot_events"],
  },
  "staging.stg_hubspot__owners": {
    type: "view",
    reads: ["privacy.erased_records", "raw.hubspot_owners"],
  },
  "staging.stg_sendgrid__events": {
    type: "view",
    reads: ["privacy.erased_records", "raw.sendgrid_events"],
  },
  "staging.stg_shopify__customers": {
    type: "view",
    reads: ["privacy.erased_records", "raw.shopify_customers"],
  },
  "staging.stg_shopify__order_lines": {
    type: "view",
    reads: ["privacy.erased_records", "raw.shopify_orders", "staging.stg_shopify__orders"],
  },
  "staging.stg_shopify__orders": {
    type: "view",
    reads: ["privacy.erased_records", "raw.shopify_orders"],
  },
  "staging.stg_shopify__products": {
    type: "view",
    reads: ["privacy.erased_records", "raw.shopify_products"],
  },
  "staging.stg_shopify__refunds": {
    type: "view",
    reads: ["privacy.erased_records", "raw.shopify_refunds"],
  },
  "staging.stg_sendgrid__event_categories": {
    type: "view",
    reads: ["privacy.erased_records", "raw.sendgrid_events"],
  },
  "marts.webinar_leads": {
    type: "table",
    reads: [
      "marts.dim_contacts",
      "marts.fct_email_messages",
      "staging.int_identity__node_contacts",
      "staging.stg_hubspot__contacts",
      "staging.stg_hubspot__events",
      "staging.stg_hubspot__owners",
      "staging.stg_zoom__participants",
      "staging.stg_zoom__poll_answers",
      "staging.stg_zoom__questions",
      "staging.stg_zoom__registrants",
      "staging.stg_zoom__webinars",
    ],
  },
  "marts.seg_hot_webinar_leads": {
    type: "table",
    reads: ["marts.dim_contacts", "marts.webinar_leads"],
  },
  "reports.rpt_webinar_funnel": { type: "incremental", reads: ["marts.webinar_leads"] },
  "reports.rpt_webinar_sla": { type: "incremental", reads: ["marts.webinar_leads"] },
  "staging.stg_ga4__events": {
    type: "view",
    reads: ["analytics_000000000.events_*", "analytics_000000000.events_intraday_*"],
  },
  "staging.stg_ga4__sessions": { type: "view", reads: ["staging.stg_ga4__events"] },
  "staging.stg_ga4__page_views": { type: "view", reads: ["staging.stg_ga4__events"] },
  "staging.stg_ga4__purchases": { type: "view", reads: ["staging.stg_ga4__events"] },
  "staging.stg_zoom__participants": {
    type: "view",
    reads: ["privacy.erased_records", "raw.zoom_participant_events"],
  },
  "staging.stg_zoom__registrants": {
    type: "view",
    reads: ["privacy.erased_records", "raw.zoom_registration_events"],
  },
  "staging.stg_zoom__webinars": {
    type: "view",
    reads: [
      "privacy.erased_records",
      "raw.zoom_participant_events",
      "raw.zoom_registration_events",
      "raw.zoom_webinar_events",
    ],
  },
} as const;

function byName(graph: CompiledGraph, name: string): Action {
  const action = graph.actions.find((a) => a.name === name);
  if (!action) throw new Error(`no action ${name}`);
  return action;
}

let bigquery: CompiledGraph;
let duckdb: CompiledGraph;
beforeAll(async () => {
  bigquery = await compileProject({ projectDir: repoRoot, target: "bigquery" });
  duckdb = await compileProject({ projectDir: repoRoot, target: "duckdb" });
  console.info(`compiled: bigquery ${bigquery.compileMs} ms, duckdb ${duckdb.compileMs} ms`);
});

describe("compiling the Dataform project in-process", () => {
  it("builds the same graph of models for BigQuery and DuckDB from one set of SQLX files", () => {
    // Staging models that parse raw JSON are views on BigQuery and tables on DuckDB.
    const localTables = new Set(
      Object.keys(MODELS).filter((name) => name.startsWith("staging.stg_")),
    );
    for (const graph of [bigquery, duckdb]) {
      const models = graph.actions.filter(
        (a) => a.type !== "assertion" && a.type !== "declaration",
      );
      expect(
        Object.fromEntries(
          models.map((a) => [
            a.name,
            {
              type:
                graph.target === "duckdb" && localTables.has(a.name)
                  ? "view"
                  : graph.target === "duckdb" && a.target.schema === "reports"
                    ? "incremental"
                    : a.type,
              reads: a.dependencyTargets.map((t) => `${t.schema}.${t.name}`).sort(),
            },
          ]),
        ),
      ).toEqual(MODELS);
      expect(
        graph.actions
          .filter((a) => a.type === "declaration")
          .map((a) => a.name)
          .sort(),
      ).toEqual([
        "analytics_000000000.events_*",
        "analytics_000000000.events_intraday_*",
        "privacy.erased_records",
        ...RAW_TABLES,
      ]);
    }
    expect(duckdb.actions.map((a) => a.name)).toEqual(bigquery.actions.map((a) => a.name));
    for (const name of localTables) expect(byName(duckdb, name).type).toBe("table");
    // Reports are refreshed in place on BigQuery (row access policies stay on the table).
    const reports = duckdb.actions.filter(
      (a) => a.target.schema === "reports" && a.type !== "assertion",
    );
    expect(reports.length).toBeGreaterThan(0);
    for (const report of reports) {
      expect(report.type, report.name).toBe("table");
      const cloud = byName(bigquery, report.name);
      expect(cloud.type).toBe("incremental");
      expect(cloud.incrementalPreOps.join(" ")).toContain(
        `DELETE FROM \`unistack-dev.reports.${report.target.name}\` WHERE TRUE`,
      );
      expect(cloud.preOps).toEqual([]);
    }
  });

  it("renders engine-specific SQL through the dialect include, per target", () => {
    const bq = byName(bigquery, "staging.stg_shopify__orders").query ?? "";
    const duck = byName(duckdb, "staging.stg_shopify__orders").query ?? "";
    expect(bq).toContain("payload AS order_json");
    expect(bq).toContain("JSON_VALUE(order_json, '$.id')");
    expect(bq).toContain("SAFE_CAST(JSON_VALUE(order_json, '$.total_price') AS NUMERIC)");
    expect(bq).toContain("FROM UNNEST(JSON_QUERY_ARRAY(order_json, '$.note_attributes'))");
    // DuckDB parses each payload once (one json_extract of every path), then reads the list.
    expect(duck).toContain("json_extract(payload, ['$.id', '$.name', ");
    expect(duck.match(/json_extract\(payload\b/g)).toHaveLength(1);
    expect(duck).toContain("json_extract_string(order_json[1], '$') AS order_id");
    expect(duck).toMatch(
      /TRY_CAST\(json_extract_string\(order_json\[\d+\], '\$'\) AS DECIMAL\(38, 9\)\)/,
    );
    expect(duck).toContain("list_min([");
    expect(byName(bigquery, "staging.stg_sendgrid__events").query).toContain("TIMESTAMP_SECONDS(");
    expect(byName(duckdb, "staging.stg_sendgrid__events").query).toContain("to_timestamp(");
    expect(bigquery.projectConfig.vars.target).toBe("bigquery");
    expect(duckdb.projectConfig.vars.target).toBe("duckdb");
  });

  it("documents every model and checks it with inline assertions in the assertions dataset", () => {
    const models = bigquery.actions.filter(
      (a) => a.type !== "assertion" && a.type !== "declaration",
    );
    for (const model of models) {
      expect(model.description, model.name).toBeTruthy();
      expect(model.columns.length, model.name).toBeGreaterThan(2);
      const checks = bigquery.actions.filter(
        (a) => a.type === "assertion" && a.parentAction?.name === model.target.name,
      );
      expect(
        checks.map((a) => a.target.schema),
        model.name,
      ).toContain("assertions");
      expect(checks.every((a) => a.fileName === model.fileName)).toBe(true);
    }
  });

  it("keeps contact ids in a protected, append-only ledger whose incremental run reads its own state", () => {
    const ledger = byName(duckdb, "staging.int_identity__contact_ledger");
    expect(ledger.uniqueKey).toEqual([]);
    expect(ledger.protected).toBe(true);
    const self = "`unistack-dev.staging.int_identity__contact_ledger`";
    expect(ledger.preOps.join("\n")).not.toContain(self);
    expect(ledger.incrementalPreOps.join("\n")).toContain(self);
    // The connected components are computed in TEMP tables, one per round, on both engines.
    for (const graph of [bigquery, duckdb]) {
      const preOps = byName(graph, "staging.int_identity__contact_ledger").preOps.join("\n");
      expect(preOps).toContain("CREATE OR REPLACE TEMP TABLE idg_cc_e16 AS");
      expect(preOps).toContain("CREATE OR REPLACE TEMP TABLE idg_cc_labels AS");
    }
    expect(byName(bigquery, "staging.int_identity__profile_pairs").query).toContain(
      "EDIT_DISTANCE(",
    );
    expect(byName(duckdb, "staging.int_identity__profile_pairs").query).toContain("levenshtein(");
  });

  it("applies compile var overrides over workflow_settings.yaml", async () => {
    const graph = await compileProject({
      projectDir: repoRoot,
      target: "bigquery",
      vars: { recent_purchase_days: "7" },
      defaultProject: "acme-marketing",
    });
    const segment = byName(graph, "marts.seg_recent_purchasers");
    expect(segment.query).toContain("TIMESTAMP_SUB(CURRENT_TIMESTAMP, INTERVAL 7 DAY)");
    expect(segment.query).toContain("`acme-marketing.marts.dim_contacts`");
    expect(graph.projectConfig.vars.raw_dataset).toBe("raw");
  });

  it("lists the raw tables the graph reads with RAW_COLUMNS as their columns", () => {
    const declared = declaredTables(bigquery).filter((d) => d.target.schema === "raw");
    expect(declared.map((d) => d.columns)).toEqual(RAW_TABLES.map(() => RAW_COLUMNS));
    expect(
      rawTableSpecs(bigquery)
        .map((s) => `${s.dataset}.${s.table}`)
        .sort(),
    ).toEqual(["privacy.erased_records", ...RAW_TABLES]);
  });
});

describe("compile errors", () => {
  let projectDir: string;
  beforeAll(() => {
    projectDir = mkdtempSync(join(tmpdir(), "unistack-dataform-"));
    cpSync(join(repoRoot, "workflow_settings.yaml"), join(projectDir, "workflow_settings.yaml"));
    cpSync(join(repoRoot, "includes"), join(projectDir, "includes"), { recursive: true });
    cpSync(join(repoRoot, "definitions"), join(projectDir, "definitions"), { recursive: true });
  });
  afterAll(() => rmSync(projectDir, { recursive: true, force: true }));

  async function compileWith(
    file: string,
    contents: string,
    timeoutMs?: number,
  ): Promise<DataformCompileError> {
    const path = join(projectDir, file);
    writeFileSync(path, contents);
    try {
      await compileProject({ projectDir, target: "duckdb", ...(timeoutMs ? { timeoutMs } : {}) });
    } catch (error) {
      if (error instanceof DataformCompileError) return error;
      throw error;
    } finally {
      rmSync(path);
    }
    throw new Error("the broken project compiled");
  }

  it("names the .sqlx file whose config block is not valid JavaScript", async () => {
    const error = await compileWith(
      "definitions/marts/broken_model.sqlx",
      'config { type: "table", description: "unclosed }\nSELECT 1 AS one\n',
    );
    expect(error.problems.map((p) => p.fileName)).toEqual(["definitions/marts/broken_model.sqlx"]);
    expect(error.message).toContain("definitions/marts/broken_model.sqlx");
  });

  it("names the .sqlx file that references a table the project does not define", async () => {
    const error = await compileWith(
      "definitions/marts/orphan_model.sqlx",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: SQLX source, not a JS template
      'config { type: "view" }\nSELECT * FROM ${ref("no_such_table")}\n',
    );
    expect(error.problems[0]?.fileName).toBe("definitions/marts/orphan_model.sqlx");
    expect(error.message).toMatch(/no_such_table/);
  });

  it("names the file when a dialect helper rejects its input", async () => {
    const error = await compileWith(
      "definitions/marts/bad_path.sqlx",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: SQLX source, not a JS template
      'config { type: "view" }\nSELECT ${dialect.jsonString("payload", "id\' OR 1=1")} AS x\n',
    );
    expect(error.problems[0]?.fileName).toBe("definitions/marts/bad_path.sqlx");
    expect(error.message).toContain("unsupported JSON path");
  });

  it("names workflow_settings.yaml when a project has none", async () => {
    const empty = mkdtempSync(join(tmpdir(), "unistack-empty-"));
    try {
      const error = await compileProject({ projectDir: empty, target: "bigquery" }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DataformCompileError);
      expect((error as DataformCompileError).problems[0]?.fileName).toBe("workflow_settings.yaml");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("stops a compile whose project code never returns", async () => {
    const error = await compileWith("definitions/_endless.js", "while (true) {}\n", 2000);
    expect(error.problems[0]?.fileName).toBe("definitions/_endless.js");
    expect(error.message).toMatch(/timed out/);
  });
});
