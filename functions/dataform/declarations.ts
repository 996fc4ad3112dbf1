import { PRIVACY_DATASET, PRIVACY_TABLES } from "../core/privacy/privacy-tables.js";
import { RAW_COLUMNS, RAW_DATASET, rawTableSpec } from "../core/raw-table.js";
import type { ColumnSpec, TableSpec } from "../platform/ports.js";
import type { CompiledGraph, Target } from "./compiled-graph.js";

/** A table the graph reads but does not build, with its columns when they are known. */
export interface DeclaredTable {
  readonly target: Target;
  readonly fileName: string;
  readonly description?: string;
  /**
   * Typed columns: raw tables have `RAW_COLUMNS`, the privacy tables the erase function writes
   * their spec's; `undefined` for any other declaration.
   */
  readonly columns: readonly ColumnSpec[] | undefined;
}

/** The spec of a declared table the code itself writes (`privacy.erased_records`), if any. */
export function knownDeclaredSpec(graph: CompiledGraph, target: Target): TableSpec | undefined {
  const privacyDataset = graph.projectConfig.vars.privacy_dataset ?? PRIVACY_DATASET;
  if (target.schema !== privacyDataset) return undefined;
  const spec = PRIVACY_TABLES.find((t) => t.table === target.name);
  return spec ? { ...spec, dataset: target.schema } : undefined;
}

/**
 * The graph's declarations. Tables in the raw dataset (var `raw_dataset`) are raw tables, whose
 * shape is fixed by `RAW_COLUMNS`; the columns documented in their .sqlx must be exactly those,
 * so the docs cannot drift from what load-raw writes.
 */
export function declaredTables(graph: CompiledGraph): DeclaredTable[] {
  const rawDataset = graph.projectConfig.vars.raw_dataset ?? RAW_DATASET;
  return graph.actions
    .filter((action) => action.type === "declaration")
    .map((action) => {
      const isRaw = action.target.schema === rawDataset;
      if (isRaw) {
        const documented = action.columns.map((column) => column.name);
        const expected = RAW_COLUMNS.map((column) => column.name);
        if (documented.join(",") !== expected.join(",")) {
          throw new Error(
            `${action.fileName} documents columns ${documented.join(", ") || "(none)"}; ` +
              `raw tables have ${expected.join(", ")} (RAW_COLUMNS): document exactly those.`,
          );
        }
      }
      const base = {
        target: action.target,
        fileName: action.fileName,
        columns: isRaw ? RAW_COLUMNS : knownDeclaredSpec(graph, action.target)?.columns,
      };
      return action.description === undefined ? base : { ...base, description: action.description };
    });
}

/**
 * Table specs of the raw tables the graph reads (and of the privacy tables it reads), for
 * `Warehouse.ensureTable` before a local run: a source that has not received data yet, or a
 * deployment nobody was erased from, then reads as empty instead of failing the run.
 */
export function rawTableSpecs(graph: CompiledGraph): TableSpec[] {
  return declaredTables(graph)
    .filter((table) => table.columns !== undefined)
    .map((table) => {
      const known = knownDeclaredSpec(graph, table.target);
      if (known) return known;
      const [source, ...stream] = table.target.name.split("_");
      return {
        ...rawTableSpec(source ?? table.target.name, stream.join("_"), table.target.schema),
        table: table.target.name,
      };
    });
}
