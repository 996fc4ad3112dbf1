import { resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compileProject, DataformCompileError } from "../../../functions/dataform/compile.js";
import { runDuckDbGraph } from "../../../functions/dataform/run-duckdb.js";
import {
  createDuckDbWarehouse,
  type DuckDbWarehouse,
} from "../../../functions/platform/local/duckdb-warehouse.js";
import {
  EMPTY_CORE,
  loadRawTables,
  type SendgridFixtureEvent,
  sendgridMessageEvent,
} from "./raw-fixtures.js";

const repoRoot = resolve(import.meta.dirname, "../../..");

const TARGETS = [
  {
    id: "clicks_plus_50",
    kpi: "email_unique_clicks",
    business_unit: "all",
    start: "2026-10-01",
    months: 2,
    baseline_months: 2,
    change_pct: 50,
    description: "+50 % clicks in 2 months",
  },
  {
    id: "ctr_plus_10",
    kpi: "email_ctr_pct",
    business_unit: "all",
    start: "2026-10-01",
    months: 2,
    baseline_months: 2,
    change_pct: 10,
  },
];

let warehouse: DuckDbWarehouse;
beforeEach(async () => {
  warehouse = await createDuckDbWarehouse({ path: ":memory:" });
});
afterEach(async () => {
  await warehouse.close();
});

/** `clicked` messages opened and clicked, `opened` only opened, all sent on `day`. */
function month(day: string, clicked: number, opened: number): SendgridFixtureEvent[] {
  return Array.from({ length: clicked + opened }, (_, i) => {
    const id = `${day}-${i}`;
    const base = { message: id, email: `${id}@example.com`, category: "newsletter" };
    const events: SendgridFixtureEvent[] = [
      { ...base, id: `${id}-d`, event: "delivered", at: `${day}T08:00:00Z` },
      { ...base, id: `${id}-o`, event: "open", at: `${day}T09:00:00Z`, machineOpen: false },
    ];
    if (i < clicked)
      events.push({ ...base, id: `${id}-c`, event: "click", at: `${day}T09:05:00Z` });
    return events;
  }).flat();
}

describe("KPI targets", () => {
  it("tracks each configured target month by month against a linear path from its baseline", async () => {
    const graph = await compileProject({
      projectDir: repoRoot,
      target: "duckdb",
      vars: { kpi_targets: JSON.stringify(TARGETS) },
    });
    await loadRawTables(warehouse, {
      ...EMPTY_CORE,
      "sendgrid.events": [
        ...month("2026-08-10", 2, 2),
        ...month("2026-09-10", 4, 4),
        ...month("2026-10-10", 4, 2),
        ...month("2026-11-10", 6, 6),
      ].map(sendgridMessageEvent),
    });
    await runDuckDbGraph(warehouse, graph);
    const rows = await warehouse.query(
      `SELECT target_id, CAST(month AS VARCHAR) AS month, month_number, baseline, target_value,
         expected_to_date, actual, progress_pct, on_track
       FROM reports.rpt_kpi_targets ORDER BY target_id, month`,
    );
    expect(rows).toEqual([
      {
        target_id: "clicks_plus_50",
        month: "2026-10-01",
        month_number: 1,
        baseline: 3,
        target_value: 4.5,
        expected_to_date: 3.75,
        actual: 4,
        progress_pct: 66.67,
        on_track: true,
      },
      {
        target_id: "clicks_plus_50",
        month: "2026-11-01",
        month_number: 2,
        baseline: 3,
        target_value: 4.5,
        expected_to_date: 4.5,
        actual: 6,
        progress_pct: 200,
        on_track: true,
      },
      {
        target_id: "ctr_plus_10",
        month: "2026-10-01",
        month_number: 1,
        baseline: 50,
        target_value: 55,
        expected_to_date: 52.5,
        actual: 66.6667,
        progress_pct: 333.33,
        on_track: true,
      },
      {
        target_id: "ctr_plus_10",
        month: "2026-11-01",
        month_number: 2,
        baseline: 50,
        target_value: 55,
        expected_to_date: 55,
        actual: 50,
        progress_pct: 0,
        on_track: false,
      },
    ]);
  });

  it("refuses a target that names an unknown KPI, saying which target", async () => {
    const bad = [{ ...TARGETS[0], id: "typo", kpi: "email_clickz" }];
    const error = await compileProject({
      projectDir: repoRoot,
      target: "duckdb",
      vars: { kpi_targets: JSON.stringify(bad) },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataformCompileError);
    expect(String((error as Error).message)).toContain(
      'kpi_targets: target "typo": kpi must be one of',
    );
  });
});
