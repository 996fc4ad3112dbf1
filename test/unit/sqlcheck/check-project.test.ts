import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileProject } from "../../../functions/dataform/compile.js";
import type { CompiledGraph } from "../../../functions/dataform/compiled-graph.js";
import { targetKey } from "../../../functions/dataform/compiled-graph.js";
import { declaredSourceColumns } from "../../../functions/sources/ga4/export-schema.js";
import { type Analyzer, startAnalyzer } from "../../../functions/sqlcheck/analyzer.js";
import { formatFailure } from "../../../functions/sqlcheck/check-input.js";
import {
  checkCompiledGraph,
  checkInputFromGraph,
  inDependencyOrder,
} from "../../../functions/sqlcheck/check-project.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

let analyzer: Analyzer;
let graph: CompiledGraph;
beforeAll(async () => {
  [analyzer, graph] = await Promise.all([
    startAnalyzer(),
    compileProject({ projectDir: repoRoot, target: "bigquery" }),
  ]);
});
afterAll(() => analyzer.close());

describe("checking the Dataform project", () => {
  it("passes every compiled BigQuery statement of the project", async () => {
    const started = performance.now();
    const result = await checkCompiledGraph(
      graph,
      { declaredColumnsByTag: declaredSourceColumns(repoRoot) },
      { analyzer },
    );
    const ms = Math.round(performance.now() - started);
    console.info(`checked ${result.checked} statements of the project in ${ms} ms`);
    expect(result.failures.map(formatFailure)).toEqual([]);
    expect(result.skipped).toEqual([]);
    const runnable = graph.actions.filter((a) => a.type !== "declaration" && !a.disabled);
    expect(result.checked).toBeGreaterThanOrEqual(runnable.length);
    // ~200 statements through the analyzer: 48 s alone at load 15 on 2 shared cores, over 60 s
    // inside the suite there.
  }, 240_000);

  it("orders actions so each comes after the actions it reads", () => {
    const ordered = inDependencyOrder(graph.actions);
    const position = new Map(ordered.map((a, i) => [targetKey(a.target), i]));
    for (const action of ordered) {
      for (const dependency of action.dependencyTargets) {
        const upstream = position.get(targetKey(dependency));
        if (upstream !== undefined)
          expect(upstream).toBeLessThan(position.get(targetKey(action.target)) ?? -1);
      }
    }
  });

  it("fails the models that read a model whose columns changed, naming their files", async () => {
    const readers = (key: string) =>
      graph.actions.filter((a) => a.dependencyTargets.some((d) => targetKey(d) === key));
    const upstream = graph.actions.find(
      (a) => (a.type === "view" || a.type === "table") && readers(targetKey(a.target)).length > 0,
    );
    if (!upstream) throw new Error("The project has no model that another model reads.");
    const changed = graph.actions.map((a) =>
      a === upstream ? { ...a, query: "SELECT 1 AS unrelated_column" } : a,
    );
    const result = await checkCompiledGraph(
      { ...graph, actions: changed },
      { declaredColumnsByTag: declaredSourceColumns(repoRoot) },
      { analyzer },
    );
    const downstream = new Set<string>();
    const collect = (key: string) => {
      for (const reader of readers(key)) {
        if (downstream.has(targetKey(reader.target))) continue;
        downstream.add(targetKey(reader.target));
        collect(targetKey(reader.target));
      }
    };
    collect(targetKey(upstream.target));
    const downstreamFiles = new Set(
      graph.actions.filter((a) => downstream.has(targetKey(a.target))).map((a) => a.fileName),
    );
    expect(result.failures.length).toBeGreaterThan(0);
    for (const failure of result.failures) expect(downstreamFiles).toContain(failure.fileName);
    expect(result.failures.map((f) => f.message).join("\n")).toMatch(/Unrecognized name/);
  }, 240_000);

  it("gives raw declarations the raw table columns and reports declarations with unknown columns", async () => {
    const raw = graph.actions.find((a) => a.type === "declaration" && a.target.schema === "raw");
    if (!raw) throw new Error("The project declares no raw table.");
    const ga4 = {
      ...raw,
      fileName: "definitions/sources/ga4_events.sqlx",
      target: { ...raw.target, schema: "analytics_123", name: "events_*" },
    };
    const { input, unknownDeclarations } = checkInputFromGraph(
      { ...graph, actions: [...graph.actions, ga4] },
      { declaredColumnsByTag: declaredSourceColumns(repoRoot) },
    );
    expect(
      input.declarations.find((d) => d.name === raw.target.name)?.columns.map((c) => c.name),
    ).toContain("payload");
    expect(unknownDeclarations).toEqual([
      { fileName: ga4.fileName, table: "analytics_123.events_*" },
    ]);

    const known = checkInputFromGraph(
      { ...graph, actions: [...graph.actions, ga4] },
      {
        declaredColumnsByTag: declaredSourceColumns(repoRoot),
        declaredColumns: { "analytics_123.events_*": [{ name: "event_name", type: "STRING" }] },
      },
    );
    expect(known.unknownDeclarations).toEqual([]);
  });
});
