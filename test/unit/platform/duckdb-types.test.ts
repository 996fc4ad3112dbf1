import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { DUCKDB_TYPES } from "../../../functions/platform/local/duckdb-sql.js";

/**
 * The local warehouse creates raw and ops tables with `DUCKDB_TYPES`; the models cast with
 * `includes/dialect.js`. The two run in different runtimes (Node vs Dataform's compiler, which
 * evaluates includes as CommonJS), so the map is written twice: this keeps the copies equal.
 */
function loadDialect(target: string): { typeName(type: string): string } {
  const source = readFileSync(resolve(import.meta.dirname, "../../../includes/dialect.js"), "utf8");
  const module = { exports: {} };
  runInNewContext(source, {
    module,
    exports: module.exports,
    dataform: { projectConfig: { vars: { target } } },
  });
  return module.exports as { typeName(type: string): string };
}

describe("BigQuery → DuckDB type names", () => {
  it("are the same for the warehouse adapter and the Dataform dialect helpers", () => {
    const dialect = loadDialect("duckdb");
    for (const [bigQueryType, duckDbType] of Object.entries(DUCKDB_TYPES)) {
      expect(dialect.typeName(bigQueryType), bigQueryType).toBe(duckDbType);
    }
  });
});
