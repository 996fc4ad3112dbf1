import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { ReportSource } from "../../report/report-data.js";
import { type ReportSummary, writeReport } from "../../report/write-report.js";
import { SANDBOXED_WAREHOUSE_CONFIG } from "./sql.js";

/** Where `unistack report` (and the demo's last stage) writes the report in a demo folder. */
export function reportPath(dir: string): string {
  return join(resolve(dir), "report", "index.html");
}

/** One line a person reads: where the report is and what it could not show yet. */
export function describeReport(summary: ReportSummary): string {
  const missing =
    summary.missing.length === 0
      ? ""
      : `; without data yet: ${summary.missing.map((m) => m.id).join(", ")}`;
  return `Report: ${summary.path} (${summary.charts} charts in ${summary.sections} sections${missing}). Open it in a browser: it needs no server or network.`;
}

/**
 * `unistack report`: writes the static HTML dashboard of the local warehouse. Opens the DuckDB
 * file read-only with external access off, like `unistack sql`, so it can run beside nothing
 * else that writes it and changes nothing.
 */
export async function reportCommand(options: { dir: string; out?: string }): Promise<number> {
  const warehouse = join(resolve(options.dir), "warehouse.duckdb");
  if (!existsSync(warehouse)) {
    console.error(`no local warehouse at ${warehouse}: run \`npm start\` (unistack demo) first`);
    return 1;
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(warehouse, SANDBOXED_WAREHOUSE_CONFIG);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    console.error(
      `cannot open ${warehouse} (${why.split("\n")[0]}): is a demo running in this folder? Let it finish, then run \`unistack report\` again`,
    );
    return 1;
  }
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const source: ReportSource = {
      async query(sql) {
        const reader = await connection.runAndReadAll(sql);
        return reader.getRowObjectsJS() as Record<string, unknown>[];
      },
    };
    const summary = await writeReport({
      source,
      out: options.out ?? reportPath(options.dir),
      warehouseLabel: warehouse,
    });
    console.log(describeReport(summary));
    return 0;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
