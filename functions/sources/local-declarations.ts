import type { CompiledGraph } from "../dataform/compiled-graph.js";
import { rawTableSpecs } from "../dataform/declarations.js";
import type { Warehouse } from "../platform/ports.js";
import { ensureLocalGa4Export, type Ga4ExportSession } from "./ga4/local-export.js";

/**
 * Before a local (DuckDB) run of the graph: every table the graph declares exists, empty when no
 * data arrived yet — the raw tables (RAW_COLUMNS) and the GA4 export (its wildcard views over
 * whatever days the demo or a test wrote). A source that has not sent anything then reads as
 * empty instead of failing the run.
 */
export async function ensureLocalDeclarations(
  warehouse: Warehouse & Ga4ExportSession,
  graph: CompiledGraph,
  projectDir: string,
): Promise<void> {
  for (const spec of rawTableSpecs(graph)) await warehouse.ensureTable(spec);
  await ensureLocalGa4Export(warehouse, { projectDir, vars: graph.projectConfig.vars });
}
