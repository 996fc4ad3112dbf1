import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createDuckDbWarehouse,
  type DuckDbWarehouse,
} from "../../functions/platform/local/duckdb-warehouse.js";
import { repoRoot } from "./fixtures.js";

/** Loads a Dataform include the way core does: CommonJS, with the other includes as globals. */
function include(name: string, globals: Record<string, unknown>): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  const source = readFileSync(join(repoRoot, "includes", `${name}.js`), "utf8");
  runInNewContext(source, { module, exports: module.exports, ...globals });
  return module.exports;
}

const dataform = { projectConfig: { vars: { target: "duckdb" } } };
const dialect = include("dialect", { dataform });
const graph = include("identity_graph", { dataform, dialect }) as {
  connectedComponents(options: object): string[];
};

let warehouse: DuckDbWarehouse;
beforeEach(async () => {
  warehouse = await createDuckDbWarehouse({ path: ":memory:" });
});
afterEach(async () => {
  await warehouse.close();
});

async function components(edges: ReadonlyArray<readonly [string, string]>, rounds = 16) {
  await warehouse.run("CREATE TEMP TABLE g_edges (node_a VARCHAR, node_b VARCHAR)");
  await warehouse.run(
    `INSERT INTO g_edges VALUES ${edges.map(([a, b]) => `('${a}', '${b}')`).join(", ")}`,
  );
  await warehouse.run(
    "CREATE TEMP TABLE g_nodes AS SELECT node_a AS node_key FROM g_edges UNION SELECT node_b FROM g_edges",
  );
  for (const statement of graph.connectedComponents({
    nodesTable: "g_nodes",
    edgesTable: "g_edges",
    prefix: "g_cc",
    rounds,
  })) {
    await warehouse.run(statement);
  }
  const rows = await warehouse.query<{ node_key: string; label: bigint }>(
    "SELECT node_key, label FROM g_cc_labels",
  );
  const byLabel = new Map<string, string[]>();
  for (const row of rows) {
    const key = String(row.label);
    byLabel.set(key, [...(byLabel.get(key) ?? []), row.node_key]);
  }
  return [...byLabel.values()]
    .map((nodes) => nodes.sort())
    .sort((a, b) => (a[0] ?? "").localeCompare(b[0] ?? ""));
}

function path(keys: readonly string[]): Array<[string, string]> {
  return keys.slice(1).map((key, i) => [keys[i] ?? "", key]);
}

const numbered = (n: number, name = "n") =>
  Array.from({ length: n }, (_, i) => `${name}${String(i).padStart(5, "0")}`);

describe("connected components in SQL (includes/identity_graph.js)", () => {
  it.each([
    ["in key order", numbered(60)],
    ["in reverse key order", numbered(60).reverse()],
    [
      "zig-zagging",
      numbered(60).map((_, i, all) => (i % 2 ? all[59 - (i >> 1)] : all[i >> 1]) ?? ""),
    ],
  ])("puts every node of a 60-node chain %s in one component", async (_, keys) => {
    expect(await components(path(keys))).toEqual([numbered(60)]);
  });

  it("converges on a 3,000-node chain and keeps separate chains apart", async () => {
    const long = numbered(3000, "a");
    const other = numbered(50, "b");
    const result = await components([...path(long), ...path(other)]);
    expect(result.map((c) => c.length)).toEqual([3000, 50]);
  });

  it("fails the run with a message instead of returning a half-joined graph when rounds run out", async () => {
    await expect(components(path(numbered(200)), 1)).rejects.toThrow(
      /did not converge in 1 rounds: raise the workflow var identity_graph_rounds/,
    );
  });
});
