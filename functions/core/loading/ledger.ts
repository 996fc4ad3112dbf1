import type { Row, TableSpec, Warehouse } from "../../platform/ports.js";
import type { LakeFile, Manifest } from "./manifest.js";

/**
 * The load ledger: one row per raw object version that is in its raw table, written after its
 * job succeeded. A sweep loads what the lake holds and the ledger does not. Files that cannot be
 * loaded are rows of the failures table instead: visible, replayable, and skipped by sweeps until
 * replayed. Both live in `ops_load`, a dataset only the loader writes.
 */
export const LOAD_DATASET = "ops_load";

export const RAW_LOADS_TABLE: TableSpec = {
  dataset: LOAD_DATASET,
  table: "raw_loads",
  description: "Load ledger: each raw object version loaded into its raw table, exactly once.",
  partitionBy: "dt",
  clusterBy: ["object"],
  columns: [
    { name: "loaded_at", type: "TIMESTAMP", mode: "REQUIRED" },
    { name: "dt", type: "DATE", mode: "REQUIRED", description: "The object's dt= partition." },
    { name: "bucket", type: "STRING", mode: "REQUIRED" },
    { name: "object", type: "STRING", mode: "REQUIRED" },
    { name: "generation", type: "STRING", mode: "REQUIRED" },
    { name: "destination", type: "STRING", mode: "REQUIRED" },
    { name: "manifest_id", type: "STRING", mode: "REQUIRED" },
    { name: "job_id", type: "STRING", mode: "REQUIRED" },
  ],
};

/** Where a file that failed alone is kept, for `docs/operations.md` → replaying a failed file. */
export const LOAD_FAILURES_TABLE: TableSpec = {
  dataset: LOAD_DATASET,
  table: "raw_load_failures",
  description: "Raw object versions that failed to load on their own; skipped until replayed.",
  partitionBy: "dt",
  columns: [
    { name: "failed_at", type: "TIMESTAMP", mode: "REQUIRED" },
    { name: "dt", type: "DATE", mode: "REQUIRED" },
    { name: "bucket", type: "STRING", mode: "REQUIRED" },
    { name: "object", type: "STRING", mode: "REQUIRED" },
    { name: "generation", type: "STRING", mode: "REQUIRED" },
    { name: "destination", type: "STRING", mode: "REQUIRED" },
    { name: "manifest_id", type: "STRING", mode: "REQUIRED" },
    { name: "job_id", type: "STRING", mode: "REQUIRED" },
    { name: "reason", type: "STRING", mode: "REQUIRED", description: "BigQuery error reason." },
    { name: "error", type: "STRING", description: "The error, quoted values cut out." },
  ],
};

export interface LedgerView {
  /** `key#generation` of every version in the ledger (loaded) for the dates read. */
  readonly loaded: ReadonlySet<string>;
  /** `key#generation` of every version recorded as failed for the dates read. */
  readonly failed: ReadonlySet<string>;
}

/** Which dates to read: `all` reads every partition (a deep sweep; cost grows with history). */
export type LedgerScope =
  | { readonly kind: "all" }
  | {
      readonly kind: "dates";
      readonly from: string;
      readonly to: string;
      readonly extra: string[];
    };

export async function readLedger(warehouse: Warehouse, scope: LedgerScope): Promise<LedgerView> {
  await warehouse.ensureTable(RAW_LOADS_TABLE);
  await warehouse.ensureTable(LOAD_FAILURES_TABLE);
  const read = async (table: TableSpec): Promise<Set<string>> => {
    const from = `${table.dataset}.${table.table}`;
    const rows: Row[] = [];
    if (scope.kind === "all") {
      rows.push(...(await warehouse.query(`SELECT object, generation FROM ${from}`)));
    } else {
      // A range on the partition column, so BigQuery reads only those partitions.
      rows.push(
        ...(await warehouse.query(
          `SELECT object, generation FROM ${from} WHERE dt BETWEEN CAST(@from AS DATE) AND CAST(@to AS DATE)`,
          { from: scope.from, to: scope.to },
        )),
      );
      // Dates outside the window (inbox objects, old manifests): one more range, however wide;
      // the ledger is small next to the raw tables (about 150 bytes per file).
      const outside = scope.extra.filter((dt) => dt < scope.from || dt > scope.to).sort();
      const [first, last] = [outside[0], outside.at(-1)];
      if (first && last) {
        rows.push(
          ...(await warehouse.query(
            `SELECT object, generation FROM ${from} WHERE dt BETWEEN CAST(@from AS DATE) AND CAST(@to AS DATE)`,
            { from: first, to: last },
          )),
        );
      }
    }
    return new Set(rows.map((r) => `${String(r.object)}#${String(r.generation)}`));
  };
  return { loaded: await read(RAW_LOADS_TABLE), failed: await read(LOAD_FAILURES_TABLE) };
}

/** Files of a manifest already in the ledger (a retry after a crash between load and ledger). */
export async function ledgeredFilesOf(
  warehouse: Warehouse,
  manifest: Manifest,
): Promise<Set<string>> {
  const dts = manifest.files.map((f) => f.dt).sort();
  const rows = await warehouse.query(
    `SELECT object, generation FROM ${LOAD_DATASET}.${RAW_LOADS_TABLE.table} WHERE manifest_id = @id AND dt BETWEEN CAST(@from AS DATE) AND CAST(@to AS DATE)`,
    { id: manifest.id, from: dts[0] ?? "1970-01-01", to: dts.at(-1) ?? "1970-01-01" },
  );
  return new Set(rows.map((r) => `${String(r.object)}#${String(r.generation)}`));
}

export async function recordLoaded(
  warehouse: Warehouse,
  input: {
    bucket: string;
    destination: string;
    manifest: Manifest;
    jobId: string;
    files: readonly LakeFile[];
    at: Date;
  },
): Promise<void> {
  const { destination } = input;
  await warehouse.insertRows(
    RAW_LOADS_TABLE,
    input.files.map((f) => ({
      loaded_at: input.at,
      dt: f.dt,
      bucket: input.bucket,
      object: f.key,
      generation: f.generation,
      destination,
      manifest_id: input.manifest.id,
      job_id: input.jobId,
    })),
  );
}

export async function recordFailure(
  warehouse: Warehouse,
  input: {
    bucket: string;
    destination: string;
    manifest: Manifest;
    jobId: string;
    file: LakeFile;
    reason: string;
    error: string;
    at: Date;
  },
): Promise<void> {
  await warehouse.insertRows(LOAD_FAILURES_TABLE, [
    {
      failed_at: input.at,
      dt: input.file.dt,
      bucket: input.bucket,
      object: input.file.key,
      generation: input.file.generation,
      destination: input.destination,
      manifest_id: input.manifest.id,
      job_id: input.jobId,
      reason: input.reason,
      error: input.error,
    },
  ]);
}
