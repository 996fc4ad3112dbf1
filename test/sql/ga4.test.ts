import { describe, expect, it } from "vitest";
import { compileProject } from "../../functions/dataform/compile.js";
import { runDuckDbGraph } from "../../functions/dataform/run-duckdb.js";
import {
  ecommerce,
  ga4Event,
  item,
  velirExportRow,
  yyyymmdd,
} from "../fixtures/ga4/export-rows.js";
import { loadRaw, localGa4Export, repoRoot, useGraphWarehouse } from "./fixtures.js";

const db = useGraphWarehouse();

const AT = new Date("2026-11-28T09:00:00.000Z");
const minutes = (n: number) => new Date(AT.getTime() + n * 60_000);

async function writeExport(days: Parameters<ReturnType<typeof localGa4Export>["write"]>[1]) {
  await loadRaw(db.warehouse, {});
  await localGa4Export().write(db.warehouse, days);
}

async function rows(sql: string) {
  return db.warehouse.query(sql);
}

describe("GA4 export (declared, read in place)", () => {
  it("flattens the vector's real export row: date, microsecond time, session key, page, engagement", async () => {
    await writeExport([{ day: "20210406", rows: [velirExportRow()] }]);
    await runDuckDbGraph(db.warehouse, db.graph);

    const [event] = await rows(
      "SELECT event_date, event_at, event_name, user_pseudo_id, user_id, ga_session_id, session_id, ga_session_number, is_engaged_session_event, page_location, page_path, first_user_source, device_category, country, platform, is_intraday FROM staging.stg_ga4__events",
    );
    expect(event).toEqual({
      event_date: new Date("2021-04-06"),
      event_at: new Date("2021-04-06T06:49:50.431Z"),
      event_name: "first_visit",
      user_pseudo_id: "1166526666.1617691776",
      user_id: null,
      ga_session_id: 1617691775,
      session_id: "1166526666.1617691776-1617691775",
      ga_session_number: 1,
      is_engaged_session_event: true,
      page_location: "https://www.velir.com/blog/2016/08/25/behavior-driven-testing-drupal-8",
      page_path: "/blog/2016/08/25/behavior-driven-testing-drupal-8",
      first_user_source: "(direct)",
      device_category: "desktop",
      country: "Vietnam",
      platform: "WEB",
      is_intraday: false,
    });
    // Microseconds survive (DuckDB reads the TIMESTAMP back through JS as milliseconds).
    expect(
      await rows("SELECT CAST(epoch_us(event_at) AS VARCHAR) AS us FROM staging.stg_ga4__events"),
    ).toEqual([{ us: "1617691790431476" }]);
  });

  it("builds sessions with the user_id of a mid-session login and the UTMs of the first campaign touch", async () => {
    const session = { userPseudoId: "111.222", sessionId: 1764320400, sessionNumber: 3 };
    await writeExport([
      {
        day: yyyymmdd(AT),
        rows: [
          ga4Event({
            ...session,
            name: "session_start",
            at: AT,
            pageLocation: "https://shop.example/",
          }),
          ga4Event({
            ...session,
            name: "page_view",
            at: minutes(1),
            pageLocation:
              "https://shop.example/mugs?utm_source=newsletter&utm_medium=email&utm_campaign=nov-sale",
            collected: {
              manual_source: "newsletter",
              manual_medium: "email",
              manual_campaign_name: "nov-sale",
              manual_campaign_id: "sg-ss-42",
            },
            engaged: true,
          }),
          ga4Event({
            ...session,
            name: "page_view",
            at: minutes(2),
            userId: "7001",
            pageLocation: "https://shop.example/checkout",
          }),
          ga4Event({
            ...session,
            name: "purchase",
            at: minutes(3),
            userId: "7001",
            params: [],
            ecommerce: ecommerce("#1042", 59.5, 2),
            items: [item("mug-1", 29.75, 2)],
          }),
        ],
      },
    ]);
    await runDuckDbGraph(db.warehouse, db.graph);

    expect(
      await rows(
        "SELECT session_id, user_pseudo_id, user_id, ga_session_number, session_date, landing_page, utm_source, utm_medium, utm_campaign, utm_id, gclid, is_engaged, events, page_views, purchases, purchase_revenue FROM staging.stg_ga4__sessions",
      ),
    ).toEqual([
      {
        session_id: "111.222-1764320400",
        user_pseudo_id: "111.222",
        user_id: "7001",
        ga_session_number: 3,
        session_date: new Date("2026-11-28"),
        landing_page: "https://shop.example/",
        utm_source: "newsletter",
        utm_medium: "email",
        utm_campaign: "nov-sale",
        utm_id: "sg-ss-42",
        gclid: null,
        is_engaged: true,
        events: 4,
        page_views: 2,
        purchases: 1,
        purchase_revenue: 59.5,
      },
    ]);
    expect(
      await rows(
        "SELECT page_path, utm_source, user_id FROM staging.stg_ga4__page_views ORDER BY viewed_at",
      ),
    ).toEqual([
      { page_path: "/mugs", utm_source: "newsletter", user_id: null },
      { page_path: "/checkout", utm_source: null, user_id: "7001" },
    ]);
    expect(
      await rows(
        "SELECT transaction_id, purchase_revenue, total_item_quantity, unique_items, item_count, is_repeat_transaction, session_id FROM staging.stg_ga4__purchases",
      ),
    ).toEqual([
      {
        transaction_id: "#1042",
        purchase_revenue: 59.5,
        total_item_quantity: 2,
        unique_items: 1,
        item_count: 1,
        is_repeat_transaction: false,
        session_id: "111.222-1764320400",
      },
    ]);
    // Read in place: no raw row names a connection; the vars do ('default' unless set).
    for (const table of [
      "stg_ga4__events",
      "stg_ga4__sessions",
      "stg_ga4__page_views",
      "stg_ga4__purchases",
    ]) {
      expect(
        await rows(`SELECT DISTINCT connection_id, business_unit FROM staging.${table}`),
        table,
      ).toEqual([{ connection_id: "default", business_unit: "default" }]);
    }
  });

  it("reads UTMs and gclid from the page URL when the export has no collected_traffic_source", async () => {
    await writeExport([
      {
        day: yyyymmdd(AT),
        rows: [
          ga4Event({
            name: "page_view",
            at: AT,
            userPseudoId: "9.9",
            sessionId: 1,
            pageLocation: "https://shop.example/?gclid=Cj0KCQ&utm_source=google&utm_medium=cpc#top",
          }),
        ],
      },
    ]);
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(
      await rows(
        "SELECT utm_source, utm_medium, utm_campaign, gclid FROM staging.stg_ga4__page_views",
      ),
    ).toEqual([{ utm_source: "google", utm_medium: "cpc", utm_campaign: null, gclid: "Cj0KCQ" }]);
  });

  it("reads a day from its daily table once it exists and from the streaming table until then, never both", async () => {
    const day1 = new Date("2026-11-29T10:00:00Z");
    const day2 = new Date("2026-11-30T10:00:00Z");
    const base = { userPseudoId: "1.1", sessionId: 100, name: "page_view" };
    await writeExport([
      { day: "20261129", rows: [ga4Event({ ...base, at: day1 })] },
      // Google has not deleted the streaming table of the 29th yet: same event, read once.
      { day: "20261129", intraday: true, rows: [ga4Event({ ...base, at: day1 })] },
      { day: "20261130", intraday: true, rows: [ga4Event({ ...base, at: day2, sessionId: 200 })] },
    ]);
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(
      await rows(
        "SELECT table_suffix, is_intraday, COUNT(*) AS n FROM staging.stg_ga4__events GROUP BY ALL ORDER BY 1",
      ),
    ).toEqual([
      { table_suffix: "20261129", is_intraday: false, n: 1 },
      { table_suffix: "20261130", is_intraday: true, n: 1 },
    ]);
    // Like BigQuery's, the local events_* wildcard also matches the streaming tables.
    expect(
      await rows('SELECT _TABLE_SUFFIX AS s FROM "analytics_000000000"."events_*" ORDER BY 1'),
    ).toEqual([{ s: "20261129" }, { s: "intraday_20261129" }, { s: "intraday_20261130" }]);
  });

  it("keeps one row for an event the export holds twice and marks a transaction sent twice", async () => {
    const purchase = (at: Date) =>
      ga4Event({
        name: "purchase",
        at,
        userPseudoId: "5.5",
        sessionId: 7,
        ecommerce: ecommerce("T-1", 10, 1),
      });
    await writeExport([
      { day: yyyymmdd(AT), rows: [purchase(AT), purchase(AT), purchase(minutes(5))] },
    ]);
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(
      await rows(
        "SELECT transaction_id, is_repeat_transaction FROM staging.stg_ga4__purchases ORDER BY purchased_at",
      ),
    ).toEqual([
      { transaction_id: "T-1", is_repeat_transaction: false },
      { transaction_id: "T-1", is_repeat_transaction: true },
    ]);
  });

  it("keeps cookieless events (no user_pseudo_id) but builds no session from them", async () => {
    await writeExport([
      {
        day: yyyymmdd(AT),
        rows: [ga4Event({ name: "page_view", at: AT, userPseudoId: null, sessionId: 3 })],
      },
    ]);
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(await rows("SELECT session_id FROM staging.stg_ga4__events")).toEqual([
      { session_id: null },
    ]);
    expect(await rows("SELECT * FROM staging.stg_ga4__sessions")).toEqual([]);
  });

  it("refuses a local export row with a column the export does not have", async () => {
    await loadRaw(db.warehouse, {});
    const row = { ...velirExportRow(), not_an_export_column: 1 };
    await expect(
      localGa4Export().write(db.warehouse, [{ day: "20210406", rows: [row] }]),
    ).rejects.toThrow(/not_an_export_column/);
  });

  it("builds the GA4 models empty, with their columns, when no property is linked", async () => {
    const graph = await compileProject({
      projectDir: repoRoot,
      target: "duckdb",
      vars: { ga4_dataset: "" },
    });
    const declared = graph.actions.filter((a) => a.type === "declaration").map((a) => a.name);
    expect(declared.filter((name) => !/^(raw|privacy)\./.test(name))).toEqual([]);
    await loadRaw(db.warehouse, {});
    await runDuckDbGraph(db.warehouse, graph);
    expect(await rows("SELECT COUNT(*) AS n FROM staging.stg_ga4__sessions")).toEqual([{ n: 0 }]);
    const columns = await rows(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'stg_ga4__purchases' ORDER BY ordinal_position",
    );
    expect(columns.map((c) => c.column_name)).toContain("purchase_revenue");
    expect(columns.map((c) => c.column_name)).toContain("business_unit");
  });

  it("refuses a ga4_business_unit var that could break out of its SQL literal", async () => {
    await expect(
      compileProject({
        projectDir: repoRoot,
        target: "duckdb",
        vars: { ga4_business_unit: "x' OR '1" },
      }),
    ).rejects.toThrow(/ga4_business_unit/);
  });
});
