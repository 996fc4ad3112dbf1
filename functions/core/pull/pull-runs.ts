import type { TableSpec, Warehouse } from "../../platform/ports.js";

/**
 * One row per pull run in the warehouse (`ops_pull.pull_runs`): what a run pulled, and where it
 * stopped when it could not finish. The lake's journal is the position the next run resumes
 * from; this table is what operators and freshness checks query.
 */
export const PULL_RUNS_TABLE: TableSpec = {
  dataset: "ops_pull",
  table: "pull_runs",
  description: "One row per pull run of a (source, connection, stream): outcome and position.",
  partitionBy: "started_at",
  columns: [
    { name: "run_id", type: "STRING", mode: "REQUIRED", description: "Id of the run." },
    { name: "source", type: "STRING", mode: "REQUIRED", description: "Source, e.g. hubspot." },
    { name: "connection", type: "STRING", mode: "REQUIRED", description: "Connection id." },
    { name: "business_unit", type: "STRING", mode: "REQUIRED", description: "Its business unit." },
    { name: "stream", type: "STRING", mode: "REQUIRED", description: "Stream, e.g. contacts." },
    {
      name: "status",
      type: "STRING",
      mode: "REQUIRED",
      description: "done, up_to_date, paused (time budget; the next run goes on), busy, failed.",
    },
    { name: "window_seq", type: "INT64", description: "Window the run worked on." },
    { name: "window_from", type: "TIMESTAMP", description: "Changes from (inclusive)." },
    { name: "window_to", type: "TIMESTAMP", description: "Changes until (exclusive)." },
    { name: "resumed", type: "BOOL", description: "Whether it resumed a window a run left." },
    { name: "pages", type: "INT64", mode: "REQUIRED", description: "Pages landed by this run." },
    { name: "records", type: "INT64", mode: "REQUIRED", description: "Records landed in raw." },
    { name: "quarantined", type: "INT64", mode: "REQUIRED", description: "Records quarantined." },
    { name: "stopped_at_page", type: "INT64", description: "Failed: pages of the window landed." },
    {
      name: "stopped_at_cursor",
      type: "STRING",
      description: "Failed: cursor of the failing page.",
    },
    { name: "error", type: "STRING", description: "Failed: short reason (no vendor body)." },
    { name: "started_at", type: "TIMESTAMP", mode: "REQUIRED", description: "Run start." },
    { name: "finished_at", type: "TIMESTAMP", mode: "REQUIRED", description: "Run end." },
  ],
};

export interface PullRunRow {
  readonly run_id: string;
  readonly source: string;
  readonly connection: string;
  readonly business_unit: string;
  readonly stream: string;
  readonly status: string;
  readonly window_seq: number | null;
  readonly window_from: string | null;
  readonly window_to: string | null;
  readonly resumed: boolean;
  readonly pages: number;
  readonly records: number;
  readonly quarantined: number;
  readonly stopped_at_page: number | null;
  readonly stopped_at_cursor: string | null;
  readonly error: string | null;
  readonly started_at: string;
  readonly finished_at: string;
}

export async function recordPullRun(warehouse: Warehouse, row: PullRunRow): Promise<void> {
  await warehouse.ensureTable(PULL_RUNS_TABLE);
  await warehouse.insertRows(PULL_RUNS_TABLE, [{ ...row }]);
}
