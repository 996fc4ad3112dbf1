import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { LOAD_FAILURES_TABLE, RAW_LOADS_TABLE } from "../../../functions/core/loading/ledger.js";
import type { PersonalTable } from "../../../functions/core/privacy/declarations.js";
import { IdentifierKindSchema } from "../../../functions/core/privacy/identifiers.js";
import { parseJsonPath } from "../../../functions/core/privacy/json-path.js";
import { PRIVACY_TABLES } from "../../../functions/core/privacy/privacy-tables.js";
import {
  tableDeclaration,
  WAREHOUSE_TABLES,
} from "../../../functions/core/privacy/warehouse-tables.js";
import { PULL_RUNS_TABLE } from "../../../functions/core/pull/pull-runs.js";
import type { CompiledGraph } from "../../../functions/dataform/compiled-graph.js";
import { compileProject } from "../../../functions/dataform/index.js";
import { SYNC_TABLES } from "../../../functions/destinations/ops-tables.js";
import { PULL_SOURCES } from "../../../functions/sources/pull-registry.js";
import { SOURCE_CATALOG, WEBHOOK_SOURCES } from "../../../functions/sources/registry.js";

/**
 * The guard of erasure: everything that holds personal data is declared, so erasure, suppression
 * and access requests cover it. A new source, stream, model or ops table fails here until it is.
 */
const repoRoot = resolve(import.meta.dirname, "../../..");

describe("every stream that lands data declares where it names a person", () => {
  const catalogStreams = new Map(
    SOURCE_CATALOG.flatMap((c) =>
      Object.entries(c.streams).map(([s, e]) => [`${c.source}/${s}`, e]),
    ),
  );

  it("has a catalog entry for every stream of every webhook and pull source", () => {
    const missing = [...WEBHOOK_SOURCES, ...PULL_SOURCES].flatMap((source) =>
      Object.keys(source.streams)
        .map((stream) => `${source.name}/${stream}`)
        .filter((id) => !catalogStreams.has(id)),
    );
    expect(
      missing,
      "streams without a catalog entry (functions/sources/<source>/catalog.ts)",
    ).toEqual([]);
  });

  it("declares identifier paths that parse, with kinds named like the identity graph's", () => {
    for (const [id, entry] of catalogStreams) {
      expect(Array.isArray(entry.identifiers), `${id}: identifiers`).toBe(true);
      for (const { path, kind } of entry.identifiers) {
        expect(() => parseJsonPath(path), `${id}: ${path}`).not.toThrow();
        expect(IdentifierKindSchema.safeParse(kind).success, `${id}: kind ${kind}`).toBe(true);
        expect(path.split("[*]").length, `${id}: ${path} has at most one [*]`).toBeLessThanOrEqual(
          2,
        );
      }
    }
  });

  it("names a person in every stream whose catalog lists personal data", () => {
    const unnamed = [...catalogStreams]
      .filter(([, e]) => e.piiPaths.length > 0 && e.identifiers.length === 0)
      .map(([id]) => id);
    expect(unnamed, "streams with PII paths but no identifier path to find the person by").toEqual(
      [],
    );
  });
});

describe("every warehouse table is declared for erasure", () => {
  let graph: CompiledGraph;
  beforeAll(async () => {
    graph = await compileProject({ projectDir: repoRoot, target: "bigquery" });
  });

  it("declares every table, view and incremental table the Dataform graph builds", () => {
    const undeclared = graph.actions
      .filter((a) => ["table", "view", "incremental"].includes(a.type))
      .filter((a) => !tableDeclaration(WAREHOUSE_TABLES, a.target.schema, a.target.name))
      .map((a) => `${a.target.schema}.${a.target.name} (${a.fileName})`);
    expect(undeclared, "declare these in functions/core/privacy/warehouse-tables.ts").toEqual([]);
  });

  it("declares every table the code creates (ops, ops_load, ops_pull, privacy)", () => {
    const specs = [
      ...SYNC_TABLES,
      RAW_LOADS_TABLE,
      LOAD_FAILURES_TABLE,
      PULL_RUNS_TABLE,
      ...PRIVACY_TABLES,
    ];
    const undeclared = specs
      .filter((s) => !tableDeclaration(WAREHOUSE_TABLES, s.dataset, s.table))
      .map((s) => `${s.dataset}.${s.table}`);
    expect(undeclared).toEqual([]);
  });

  it("covers every raw declaration of the graph with a catalog stream", () => {
    const streams = new Set(
      SOURCE_CATALOG.flatMap((c) => Object.keys(c.streams).map((s) => `${c.source}_${s}`)),
    );
    const raw = graph.actions.filter((a) => a.type === "declaration" && a.target.schema === "raw");
    expect(raw.length).toBeGreaterThan(0);
    expect(raw.map((a) => a.target.name).filter((name) => !streams.has(name))).toEqual([]);
  });

  it("names identifier columns that the models and specs really have", () => {
    const columnsOf = new Map<string, Set<string>>();
    for (const a of graph.actions) {
      columnsOf.set(`${a.target.schema}.${a.target.name}`, new Set(a.columns.map((c) => c.name)));
    }
    for (const s of [...SYNC_TABLES, ...PRIVACY_TABLES]) {
      columnsOf.set(`${s.dataset}.${s.table}`, new Set(s.columns.map((c) => c.name)));
    }
    const personal = WAREHOUSE_TABLES.filter((t): t is PersonalTable => t.personal);
    const wrong = personal.flatMap((t) => {
      const known = columnsOf.get(`${t.dataset}.${t.table}`);
      if (!known) return [`${t.dataset}.${t.table}: no such model or table`];
      return t.identifiers
        .flatMap((c) => [c.column, ...(c.kindColumn ? [c.kindColumn] : [])])
        .filter((c) => !known.has(c))
        .map((c) => `${t.dataset}.${t.table}.${c}`);
    });
    expect(wrong, "declared identifier columns that are not documented on the model").toEqual([]);
  });

  it("reads raw only through privacy.kept, so erased records never come back from a restore", () => {
    const leaking = graph.actions
      .filter((a) => a.dependencyTargets.some((d) => d.schema === "raw"))
      .filter(
        (a) =>
          !a.dependencyTargets.some((d) => d.schema === "privacy" && d.name === "erased_records") ||
          !/NOT IN \(SELECT record_hash FROM/.test(a.query ?? ""),
      )
      .map((a) => `${a.target.schema}.${a.target.name} (${a.fileName})`);
    expect(leaking, "read raw as privacy.kept(ref(<raw>), ref(erased_records))").toEqual([]);
  });
});
