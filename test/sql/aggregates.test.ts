import { describe, expect, it } from "vitest";
import { WAREHOUSE_TABLES } from "../../functions/core/privacy/warehouse-tables.js";
import { runDuckDbGraph } from "../../functions/dataform/run-duckdb.js";
import {
  EMPTY_CORE,
  loadRawTables,
  type SendgridFixtureEvent,
  sendgridMessageEvent,
} from "./answers/raw-fixtures.js";
import { useGraphWarehouse } from "./fixtures.js";

/**
 * Aggregates past raw retention (docs/privacy.md, Retention): a closed month's email KPIs stay
 * when its raw rows expire, while the rpt_ table rebuilt from raw loses them.
 */
const db = useGraphWarehouse();

const SEPT = "2026-09-10T09:00:00Z";
const OCT = "2026-10-05T09:00:00Z";
const NOW = new Date().toISOString();

function message(id: string, sentAt: string, events: readonly string[]): SendgridFixtureEvent[] {
  return events.map((event, i) => ({
    id: `${id}-${i}`,
    message: id,
    email: `${id}@example.com`,
    event,
    at: new Date(Date.parse(sentAt) + i * 600_000).toISOString(),
    category: "newsletter",
    ...(event === "open" ? { machineOpen: false } : {}),
  }));
}

const EVENTS = [
  ...message("s1", SEPT, ["delivered", "open", "click"]),
  ...message("s2", SEPT, ["delivered", "open"]),
  ...message("s3", SEPT, ["bounce"]),
  ...message("o1", OCT, ["delivered", "open", "click"]),
  // Sent this month: not closed, not kept yet.
  ...message("n1", NOW, ["delivered"]),
];

const KEPT_SQL = `SELECT CAST(month AS VARCHAR) AS month, sends, deliveries, bounces, unique_opens, unique_clicks
  FROM marts.agg_email_kpis_monthly ORDER BY month`;

describe("aggregates kept past raw retention", () => {
  it("keeps a closed month's email KPIs when its raw rows are deleted, and never rewrites it", async () => {
    await loadRawTables(db.warehouse, {
      ...EMPTY_CORE,
      "sendgrid.events": EVENTS.map(sendgridMessageEvent),
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    const kept = await db.warehouse.query(KEPT_SQL);
    // Closed months only; the same counts the report shows for them.
    expect(kept).toEqual([
      {
        month: "2026-09-01",
        sends: 3,
        deliveries: 2,
        bounces: 1,
        unique_opens: 2,
        unique_clicks: 1,
      },
      {
        month: "2026-10-01",
        sends: 1,
        deliveries: 1,
        bounces: 0,
        unique_opens: 1,
        unique_clicks: 1,
      },
    ]);
    const report = await db.warehouse.query(
      "SELECT CAST(month AS VARCHAR) AS month, sends FROM reports.rpt_email_kpis_monthly ORDER BY month",
    );
    expect(report.map((r) => r.month)).toContain(`${new Date().toISOString().slice(0, 7)}-01`);

    // Raw retention deletes September's rows (raw partition expiration in the cloud,
    // `unistack retention` locally); the next run rebuilds the models from what is left.
    await db.warehouse.run(
      "DELETE FROM raw.sendgrid_events WHERE CAST(json_extract_string(payload, '$.sg_message_id') AS VARCHAR) LIKE 's%'",
    );
    await runDuckDbGraph(db.warehouse, db.graph);
    const rebuilt = await db.warehouse.query(
      "SELECT CAST(month AS VARCHAR) AS month FROM reports.rpt_email_kpis_monthly ORDER BY month",
    );
    expect(rebuilt.map((r) => r.month)).not.toContain("2026-09-01");
    expect(await db.warehouse.query(KEPT_SQL)).toEqual(kept);
  }, 300_000);

  it("declares the aggregates non-personal, so an erasure leaves them and the guard knows them", () => {
    for (const table of ["agg_email_kpis_monthly", "agg_revenue_monthly_region"]) {
      const declared = WAREHOUSE_TABLES.find((t) => t.dataset === "marts" && t.table === table);
      expect(declared?.personal, table).toBe(false);
    }
  });
});
