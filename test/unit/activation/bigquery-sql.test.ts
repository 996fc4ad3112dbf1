import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYNC_TABLES } from "../../../functions/destinations/ops-tables.js";
import { planActivation } from "../../../functions/handlers/plan-activation.js";
import { type Analyzer, startAnalyzer } from "../../../functions/sqlcheck/analyzer.js";
import { checkStatements } from "../../../functions/sqlcheck/check.js";
import { formatFailure } from "../../../functions/sqlcheck/check-input.js";
import { type Person, SEGMENT, SYNC, startHarness } from "./harness.js";

/**
 * The activation flow runs on DuckDB here and on BigQuery in the cloud: every statement it sends
 * to the warehouse during a full run (plan, add, remove, redelivery) must also be BigQuery SQL.
 */

let analyzer: Analyzer;
beforeAll(async () => {
  analyzer = await startAnalyzer();
});
afterAll(async () => {
  await analyzer.close();
});

describe("activation SQL", () => {
  it("is accepted by the BigQuery analyzer for every statement a run issues", async () => {
    const h = await startHarness();
    const issued = new Set<string>();
    const query = h.warehouse.query.bind(h.warehouse);
    h.warehouse.query = (sql, params) => {
      issued.add(sql);
      return query(sql, params);
    };
    const people: Person[] = [
      { id: "c1", email: "ann@example.com" },
      { id: "c2", email: "bob@example.com" },
    ];
    await h.setSegment(people);
    await h.run();
    await h.setSegment([people[0] as Person]);
    await h.run();
    // a delivery that fails and is retried, and a run whose message is lost, then resumed
    h.sandbox.failNext({ kind: "server_error", status: 503 }, 4);
    await h.setSegment(people);
    await planActivation({ ...h.planDeps, bus: { publish: async () => "lost" } }, SYNC);
    await h.run();
    await h.close();

    const result = await checkStatements(
      {
        project: "acme-data",
        declarations: [SEGMENT, ...SYNC_TABLES].map((t) => ({
          schema: t.dataset,
          name: t.table,
          columns: t.columns.map((c) => ({ name: c.name, type: c.type })),
        })),
        statements: [...issued].map((sql, i) => ({
          fileName: `activation statement ${i + 1}`,
          sql,
          kind: sql.startsWith("SELECT") ? ("query" as const) : ("statement" as const),
        })),
        parameters: { sync_id: "STRING", run_id: "STRING", op: "STRING", batch: "INT64" },
      },
      { analyzer },
    );
    expect(result.failures.map(formatFailure)).toEqual([]);
    expect(result.checked).toBe(issued.size);
    expect([...issued].some((sql) => sql.startsWith("DELETE"))).toBe(true);
    // the recovery reads ran too: open runs, settled batches, failed deliveries, outcomes
    for (const table of ["sync_run_outcomes", "status = 'retrying'", "NOT EXISTS"]) {
      expect([...issued].some((sql) => sql.includes(table))).toBe(true);
    }
  });
});
