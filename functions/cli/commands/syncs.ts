import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { SYNC_RUNS } from "../../destinations/ops-tables.js";
import { readSyncHistory, type SyncHistoryRun } from "../../destinations/sync-history.js";
import { EXIT } from "../options.js";
import { SANDBOXED_WAREHOUSE_CONFIG } from "./sql.js";

export interface SyncsFlags {
  readonly dir: string;
  readonly sync?: string;
  readonly limit?: number;
  readonly json: boolean;
}

/**
 * `unistack syncs`: the history of sync runs from the local warehouse's sync log (ops), newest
 * first. Opens the DuckDB file read-only with external access off (like `unistack sql`): it
 * changes nothing and prints ids, counts and reasons, never personal data.
 */
export async function syncsCommand(flags: SyncsFlags): Promise<number> {
  const path = join(resolve(flags.dir), "warehouse.duckdb");
  if (!existsSync(path)) {
    console.error(`no local warehouse at ${path}: run \`npm start\` (unistack demo) first`);
    return EXIT.failed;
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, SANDBOXED_WAREHOUSE_CONFIG);
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
    console.error(
      `cannot open ${path} (${why}): is a demo or sync running in this folder? Let it finish, then run \`unistack syncs\` again`,
    );
    return EXIT.failed;
  }
  const connection = await instance.connect();
  try {
    const query = async (sql: string) =>
      (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
    const logged = await query(
      `SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = '${SYNC_RUNS.dataset}' AND table_name = '${SYNC_RUNS.table}'`,
    );
    const runs =
      Number(logged[0]?.n ?? 0) === 0
        ? []
        : await readSyncHistory(query, {
            ...(flags.sync !== undefined ? { syncId: flags.sync } : {}),
            limit: flags.limit ?? 20,
          });
    if (flags.json) console.log(JSON.stringify({ runs }, null, 2));
    else printHistory(runs);
    return EXIT.ok;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const HEAD = ["started (UTC)", "sync", "status", "planned", "accepted", "rejected", "match rate"];

function printHistory(runs: readonly SyncHistoryRun[]): void {
  if (runs.length === 0) {
    console.log("no sync runs yet: run `unistack sync` (or `npm start`)");
    return;
  }
  const rows = runs.map((r) => [
    r.startedAt.replace("T", " ").slice(0, 19),
    r.syncId,
    r.status,
    `+${r.plannedAdds} -${r.plannedRemoves} ~${r.plannedUpdates}`,
    r.acceptedAdds === null ? "—" : `+${r.acceptedAdds} -${r.acceptedRemoves ?? 0}`,
    Object.entries(r.rejected)
      .map(([reason, n]) => `${reason}×${n}`)
      .join(", ") || "—",
    r.matchRate ?? "—",
  ]);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  console.log(line(HEAD));
  for (const row of rows) console.log(line(row));
  for (const r of runs.filter((run) => run.reason !== null)) {
    console.log(`run ${r.runId} (${r.syncId}) ${r.status}: ${r.reason}`);
  }
}
