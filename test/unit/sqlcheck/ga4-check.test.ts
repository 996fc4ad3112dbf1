import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileProject } from "../../../functions/dataform/compile.js";
import { declaredSourceColumns } from "../../../functions/sources/ga4/export-schema.js";
import { type Analyzer, startAnalyzer } from "../../../functions/sqlcheck/analyzer.js";
import { formatFailure } from "../../../functions/sqlcheck/check-input.js";
import { checkCompiledGraph } from "../../../functions/sqlcheck/check-project.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

let analyzer: Analyzer;
beforeAll(async () => {
  analyzer = await startAnalyzer();
});
afterAll(() => analyzer.close());

async function compiled(vars: Record<string, string>) {
  return compileProject({ projectDir: repoRoot, target: "bigquery", vars });
}

describe("the GA4 models on BigQuery", () => {
  it("read the export's wildcard tables in the configured project and dataset, daily without the streaming tables", async () => {
    const graph = await compiled({
      ga4_project: "acme-web-analytics",
      ga4_dataset: "analytics_123456",
    });
    const events = graph.actions.find((a) => a.name === "staging.stg_ga4__events");
    expect(events?.query).toContain(
      "FROM `acme-web-analytics.analytics_123456.events_*` WHERE _TABLE_SUFFIX NOT LIKE 'intraday%' AND _TABLE_SUFFIX >= '20200101'",
    );
    expect(events?.query).toContain("FROM `acme-web-analytics.analytics_123456.events_intraday_*`");
    const result = await checkCompiledGraph(
      graph,
      { declaredColumnsByTag: declaredSourceColumns(repoRoot) },
      { analyzer },
    );
    expect(result.failures.map(formatFailure)).toEqual([]);
  });

  it("pass the ZetaSQL analyzer when no GA4 property is linked (empty models, no declaration)", async () => {
    const graph = await compiled({ ga4_dataset: "" });
    expect(graph.actions.some((a) => a.type === "declaration" && a.name.includes("events_"))).toBe(
      false,
    );
    const result = await checkCompiledGraph(graph, {}, { analyzer });
    expect(result.failures.map(formatFailure)).toEqual([]);
    expect(result.checked).toBeGreaterThan(0);
  });

  it("refuse a start date that is not YYYY-MM-DD at compile time", async () => {
    await expect(compiled({ ga4_start_date: "01/02/2025" })).rejects.toThrow(/ga4_start_date/);
  });
});
