import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DuckDBConnection, listValue } from "@duckdb/node-api";
import type { LoadRequest, LoadResult, TableRef, TableSpec } from "../ports.js";
import { DUCKDB_TYPES, qualified, quoteIdent } from "./duckdb-sql.js";

/** The load ledger: a job id that is in it was loaded, like a BigQuery job id that is taken. */
export const LOAD_LEDGER: TableRef = { dataset: "ops", table: "load_jobs" };

export const LOAD_LEDGER_DDL = `CREATE TABLE IF NOT EXISTS ${qualified(LOAD_LEDGER)} (job_id VARCHAR PRIMARY KEY, source_uri VARCHAR NOT NULL, destination VARCHAR NOT NULL, rows_loaded BIGINT NOT NULL, loaded_at TIMESTAMPTZ NOT NULL)`;

interface PendingLoad {
  readonly request: LoadRequest;
  resolve(result: LoadResult): void;
  reject(error: unknown): void;
}

export interface GroupLoaderDeps {
  /** Runs work on the warehouse's one connection, after everything queued before it. */
  serial<T>(work: (c: DuckDBConnection) => Promise<T>): Promise<T>;
  createTable(c: DuckDBConnection, spec: TableSpec): Promise<void>;
}

/**
 * Group commit: loads that arrive while the connection is busy are committed together (one
 * transaction, one WAL sync), each answered with its own result. A group that fails is retried
 * one load at a time, so one bad file fails alone.
 */
export function createGroupLoader(
  deps: GroupLoaderDeps,
): (request: LoadRequest) => Promise<LoadResult> {
  const pending: PendingLoad[] = [];
  const flush = async (c: DuckDBConnection): Promise<void> => {
    const group = pending.splice(0, pending.length);
    if (group.length === 0) return;
    try {
      const results = await loadGroup(
        c,
        deps,
        group.map((p) => p.request),
      );
      for (const [i, p] of group.entries()) p.resolve(results[i] as LoadResult);
    } catch (groupError) {
      if (group.length === 1) {
        group[0]?.reject(groupError);
        return;
      }
      for (const p of group) {
        try {
          const [result] = await loadGroup(c, deps, [p.request]);
          p.resolve(result as LoadResult);
        } catch (error) {
          p.reject(error);
        }
      }
    }
  };
  return (request) =>
    new Promise<LoadResult>((resolve, reject) => {
      pending.push({ request, resolve, reject });
      if (pending.length === 1) void deps.serial(flush);
    });
}

async function loadGroup(
  c: DuckDBConnection,
  deps: GroupLoaderDeps,
  requests: LoadRequest[],
): Promise<LoadResult[]> {
  for (const r of requests) await deps.createTable(c, r.table);
  await c.run("BEGIN TRANSACTION");
  try {
    const taken = await c.runAndReadAll(
      `SELECT job_id FROM ${qualified(LOAD_LEDGER)} WHERE list_contains($ids, job_id)`,
      { ids: listValue(requests.map((r) => r.jobId)) },
    );
    const seen = new Set(taken.getRowObjectsJS().map((row) => String(row.job_id)));
    // The first request of a job id loads; any other with that id (in the ledger or earlier in
    // this group) is a duplicate, as a second BigQuery job with a taken id would be.
    const fresh: number[] = [];
    for (const [i, r] of requests.entries()) {
      if (seen.has(r.jobId)) continue;
      seen.add(r.jobId);
      fresh.push(i);
    }
    const results: LoadResult[] = requests.map((r) => ({
      jobId: r.jobId,
      status: "duplicate",
      rowsLoaded: 0,
    }));
    const byTable = new Map<string, number[]>();
    for (const i of fresh) {
      const key = qualified((requests[i] as LoadRequest).table);
      byTable.set(key, [...(byTable.get(key) ?? []), i]);
    }
    for (const indexes of byTable.values()) {
      const batch = indexes.map((i) => requests[i] as LoadRequest);
      const table = (batch[0] as LoadRequest).table;
      const counts = await insertFiles(
        c,
        table,
        batch.map((r) => r.sourceUri),
      );
      const rows = batch.map((r) => counts.get(r.sourceUri) ?? 0);
      for (const [k, i] of indexes.entries()) {
        results[i] = {
          jobId: (requests[i] as LoadRequest).jobId,
          status: "loaded",
          rowsLoaded: rows[k] ?? 0,
        };
      }
      await c.run(
        `INSERT INTO ${qualified(LOAD_LEDGER)} SELECT unnest($ids), unnest($uris), $destination, unnest($rows), current_timestamp`,
        {
          ids: listValue(batch.map((r) => r.jobId)),
          uris: listValue(batch.map((r) => r.sourceUri)),
          destination: `${table.dataset}.${table.table}`,
          rows: listValue(rows),
        },
      );
    }
    await c.run("COMMIT");
    return results;
  } catch (error) {
    await c.run("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/**
 * Inserts NDJSON files into a table; answers the number of rows each file held. The files are
 * concatenated into one temporary file first: DuckDB reads one large file much faster than
 * thousands of small ones (the lake holds one small file per webhook delivery).
 */
async function insertFiles(
  c: DuckDBConnection,
  table: TableSpec,
  uris: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const parts: Buffer[] = [];
  for (const uri of uris) {
    const bytes = await readFile(uri);
    let lines = 0;
    for (const line of bytes.toString("utf8").split("\n")) if (line.trim() !== "") lines++;
    counts.set(uri, lines);
    parts.push(bytes);
    if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) parts.push(Buffer.from("\n"));
  }
  const dir = await mkdtemp(join(tmpdir(), "unistack-load-"));
  const combined = join(dir, "group.ndjson");
  try {
    await writeFile(combined, Buffer.concat(parts));
    const names = table.columns.map((col) => quoteIdent(col.name)).join(", ");
    const columnTypes = table.columns
      .map((col) => `${quoteIdent(col.name)}: '${DUCKDB_TYPES[col.type]}'`)
      .join(", ");
    const inserted = await c.run(
      `INSERT INTO ${qualified(table)} (${names}) SELECT ${names} FROM read_json($uri, format = 'newline_delimited', columns = {${columnTypes}})`,
      { uri: combined },
    );
    const expected = [...counts.values()].reduce((a, b) => a + b, 0);
    if (Number(inserted.rowsChanged) !== expected) {
      throw new Error(
        `load read ${inserted.rowsChanged} rows where the files hold ${expected} lines`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return counts;
}
