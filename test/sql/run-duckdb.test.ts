import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERASED_RECORDS } from "../../functions/core/privacy/privacy-tables.js";
import { compileProject } from "../../functions/dataform/compile.js";
import type { CompiledGraph } from "../../functions/dataform/compiled-graph.js";
import { requoteAssertionLabels } from "../../functions/dataform/duckdb-statements.js";
import {
  GraphRunError,
  type RunProgress,
  runDuckDbGraph,
} from "../../functions/dataform/run-duckdb.js";
import { rewriteBigQueryNames } from "../../functions/platform/local/duckdb-sql.js";
import {
  daysAgo,
  loadRaw,
  repoRoot,
  sendgridEvent,
  shopifyOrder,
  useGraphWarehouse,
} from "./fixtures.js";

const db = useGraphWarehouse();

describe("running the DuckDB graph", () => {
  it("fails the run naming the assertion, the model's file and the count, never row values", async () => {
    const valid = shopifyOrder({ id: "7001", email: "ok@example.com", createdAt: daysAgo(1) });
    const broken = shopifyOrder({
      id: "7002",
      email: "secret.person@example.com",
      createdAt: daysAgo(1),
    });
    const withoutId = { ...broken, payload: String(broken.payload).replace('{"id": 7002, ', "{") };
    await loadRaw(db.warehouse, { orders: [valid, withoutId] });

    const error = await runDuckDbGraph(db.warehouse, db.graph).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GraphRunError);
    const message = (error as GraphRunError).message;
    expect(message).toContain(
      "assertion assertions.staging_stg_shopify__orders_assertions_rowConditions",
    );
    expect(message).toContain("definitions/staging/shopify/stg_shopify__orders.sqlx");
    expect(message).toContain("1 row(s) break it");
    expect(message).not.toContain("secret.person");
    const results = (error as GraphRunError).results;
    expect(results.find((r) => r.name === "marts.dim_contacts")?.status).toBe("succeeded");
    expect(
      results.filter((r) => r.status === "failed").map((r) => [r.name, r.failingRows]),
    ).toEqual([
      ["assertions.marts_fct_orders_assertions_rowConditions", 1],
      ["assertions.staging_stg_shopify__orders_assertions_rowConditions", 1],
    ]);
    const inspect = await db.warehouse.query(
      "SELECT failing_row_condition FROM assertions.staging_stg_shopify__orders_assertions_rowConditions",
    );
    expect(inspect).toEqual([{ failing_row_condition: "order_id IS NOT NULL" }]);
  });

  it("reports progress for every action, in dependency order, with durations and row counts", async () => {
    await loadRaw(db.warehouse, {
      orders: [shopifyOrder({ id: "8001", email: "a@example.com", createdAt: daysAgo(1) })],
      events: [
        sendgridEvent({ id: "ev-8", email: "b@example.com", event: "open", at: daysAgo(1) }),
      ],
    });
    const events: RunProgress[] = [];
    const started = performance.now();
    const run = await runDuckDbGraph(db.warehouse, db.graph, { onProgress: (p) => events.push(p) });
    console.info(
      `ran ${run.results.length} actions in ${run.durationMs} ms (wall ${Math.round(performance.now() - started)} ms)`,
    );

    expect(events).toHaveLength(db.graph.actions.length * 2);
    expect(run.results.every((r) => r.status === "succeeded")).toBe(true);
    const position = new Map(run.results.map((r, i) => [r.name, i]));
    for (const action of db.graph.actions) {
      for (const dependency of action.dependencyTargets) {
        expect(position.get(`${dependency.schema}.${dependency.name}`)).toBeLessThan(
          position.get(action.name) ?? -1,
        );
      }
    }
    expect(run.results.find((r) => r.name === "marts.dim_contacts")).toMatchObject({ rows: 2 });
    expect(run.results.find((r) => r.name === "marts.fct_orders")).toMatchObject({ rows: 1 });
    expect(run.results.every((r) => Number.isInteger(r.durationMs))).toBe(true);
  });

  it("names the declaration file when a raw table is missing and skips what reads it", async () => {
    // Only the raw tables are missing here; the privacy table exists in every deployment.
    await db.warehouse.ensureTable(ERASED_RECORDS);
    const error = (await runDuckDbGraph(db.warehouse, db.graph).catch(
      (e: unknown) => e,
    )) as GraphRunError;
    expect(error.message).toContain(
      "raw.shopify_orders is declared in definitions/sources/shopify_orders.sqlx but is not in the database",
    );
    // dim_contacts reads every identity source: it names the first declaration of them that failed.
    expect(error.results.find((r) => r.name === "marts.dim_contacts")).toMatchObject({
      status: "skipped",
      error: expect.stringMatching(/^not run: \S+ failed$/),
    });
  });

  it("replaces a model whose type changed since the last run (view to table and back)", async () => {
    await loadRaw(db.warehouse, {
      orders: [shopifyOrder({ id: "9001", email: "c@example.com", createdAt: daysAgo(1) })],
      events: [],
    });
    const kind = async () =>
      (
        await db.warehouse.query(
          "SELECT table_type FROM information_schema.tables WHERE table_schema = 'staging' AND table_name = 'stg_shopify__orders'",
        )
      )[0]?.table_type;
    const asView: CompiledGraph = {
      ...db.graph,
      actions: db.graph.actions.map((a) =>
        a.name === "staging.stg_shopify__orders" ? { ...a, type: "view" } : a,
      ),
    };
    await runDuckDbGraph(db.warehouse, asView);
    expect(await kind()).toBe("VIEW");
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(await kind()).toBe("BASE TABLE");
    await runDuckDbGraph(db.warehouse, asView);
    expect(await kind()).toBe("VIEW");
    expect(await db.warehouse.query("SELECT order_id FROM marts.fct_orders")).toEqual([
      { order_id: "9001" },
    ]);
  });

  it("refuses a graph compiled for BigQuery", async () => {
    const bigquery = await compileProject({ projectDir: repoRoot, target: "bigquery" });
    await expect(runDuckDbGraph(db.warehouse, bigquery)).rejects.toThrow(
      /compile it with target "duckdb"/,
    );
  });
});

describe("incremental tables", () => {
  let projectDir: string;
  beforeAll(() => {
    projectDir = mkdtempSync(join(tmpdir(), "unistack-incremental-"));
    cpSync(join(repoRoot, "workflow_settings.yaml"), join(projectDir, "workflow_settings.yaml"));
    mkdirSync(join(projectDir, "definitions"));
    writeFileSync(
      join(projectDir, "definitions/things.sqlx"),
      'config { type: "declaration", schema: "raw", name: "things" }\n',
    );
    writeFileSync(
      join(projectDir, "definitions/thing_status.sqlx"),
      `config { type: "incremental", uniqueKey: ["thing_id"] }
SELECT thing_id, status, updated_at FROM \${ref("things")}
\${when(incremental(), \`WHERE updated_at > (SELECT MAX(updated_at) FROM \${self()})\`)}
`,
    );
    writeFileSync(
      join(projectDir, "definitions/status_log.sqlx"),
      `config { type: "incremental", protected: true }
SELECT thing_id, status, updated_at FROM \${ref("things")}
\${when(incremental(), \`WHERE updated_at > (SELECT MAX(updated_at) FROM \${self()})\`)}
`,
    );
  });
  afterAll(() => rmSync(projectDir, { recursive: true, force: true }));

  it("creates them on the first run, then MERGEs on the unique key: matches update, others insert", async () => {
    const small = await compileProject({ projectDir, target: "duckdb" });
    await db.warehouse.run(
      "CREATE SCHEMA raw; CREATE TABLE raw.things AS SELECT * FROM (VALUES ('a', 'new', 1), ('b', 'new', 1)) AS t(thing_id, status, updated_at)",
    );
    await runDuckDbGraph(db.warehouse, small);
    await db.warehouse.run("INSERT INTO raw.things VALUES ('a', 'done', 2), ('c', 'new', 2)");
    await runDuckDbGraph(db.warehouse, small);

    expect(
      await db.warehouse.query("SELECT thing_id, status FROM marts.thing_status ORDER BY 1"),
    ).toEqual([
      { thing_id: "a", status: "done" },
      { thing_id: "b", status: "new" },
      { thing_id: "c", status: "new" },
    ]);
    // Without a unique key, new rows are appended.
    expect(
      await db.warehouse.query("SELECT thing_id, status FROM marts.status_log ORDER BY 1, 2"),
    ).toEqual([
      { thing_id: "a", status: "done" },
      { thing_id: "a", status: "new" },
      { thing_id: "b", status: "new" },
      { thing_id: "c", status: "new" },
    ]);

    // A full refresh rebuilds from the source, except protected tables.
    await db.warehouse.run("DELETE FROM raw.things WHERE thing_id = 'b'");
    await runDuckDbGraph(db.warehouse, small, { fullRefresh: true });
    const ids = async (table: string) =>
      (await db.warehouse.query(`SELECT DISTINCT thing_id FROM marts.${table} ORDER BY 1`)).map(
        (r) => r.thing_id,
      );
    expect(await ids("thing_status")).toEqual(["a", "c"]);
    expect(await ids("status_log")).toEqual(["a", "b", "c"]);
  });
});

describe("name rewriting for DuckDB", () => {
  it("maps BigQuery table references to dataset.table and leaves literals and comments alone", () => {
    expect(
      rewriteBigQueryNames(
        "SELECT '`a.b.c`' AS s, \"x`y\" FROM `my-project.marts.dim` -- `p.d.t`\nJOIN `raw.t`",
      ),
    ).toBe('SELECT \'`a.b.c`\' AS s, "x`y" FROM "marts"."dim" -- `p.d.t`\nJOIN "raw"."t"');
  });

  it("re-quotes core's assertion labels as DuckDB string literals", () => {
    expect(
      requoteAssertionLabels(
        "SELECT\n  'kind IN (\\'a\\', \\'b\\\\c\\')' AS failing_row_condition,\n  *",
      ),
    ).toBe("SELECT\n  'kind IN (''a'', ''b\\c'')' AS failing_row_condition,\n  *");
  });
});
