import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBValue,
  listValue,
  TIMESTAMPTZ,
  timestampTZValue,
} from "@duckdb/node-api";
import type {
  ColumnSpec,
  LoadRequest,
  LoadResult,
  Row,
  SqlParams,
  SqlValue,
  TableSpec,
  Warehouse,
} from "../ports.js";
import { DUCKDB_TYPES, qualified, quoteIdent, rewriteNamedParams } from "./duckdb-sql.js";

export interface DuckDbWarehouse extends Warehouse {
  /** Runs statements without parameters (DDL, scripts of the model runner). */
  run(sql: string): Promise<void>;
}

const LEDGER = { dataset: "ops", table: "load_jobs" } as const;

/**
 * The local warehouse: one DuckDB file, a schema per BigQuery dataset. Operations are
 * serialised on one connection, like a job queue; loads are idempotent through a ledger table
 * written in the same transaction as the rows.
 */
export async function createDuckDbWarehouse(options: { path: string }): Promise<DuckDbWarehouse> {
  const location = options.path === ":memory:" ? ":memory:" : resolve(options.path);
  if (location !== ":memory:") await mkdir(dirname(location), { recursive: true });
  const instance = await DuckDBInstance.create(location);
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: (c: DuckDBConnection) => Promise<T>): Promise<T> => {
    const next = queue.then(() => work(connection));
    queue = next.catch(() => undefined);
    return next;
  };
  const ensuredSchemas = new Set<string>();
  const ensureSchema = async (c: DuckDBConnection, dataset: string): Promise<void> => {
    if (ensuredSchemas.has(dataset)) return;
    await c.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(dataset)}`);
    ensuredSchemas.add(dataset);
  };
  const ensuredTables = new Set<string>();
  const createTable = async (c: DuckDBConnection, spec: TableSpec): Promise<void> => {
    if (ensuredTables.has(qualified(spec))) return;
    await ensureSchema(c, spec.dataset);
    const columns = spec.columns
      .map(
        (col) =>
          `${quoteIdent(col.name)} ${DUCKDB_TYPES[col.type]}${col.mode === "REQUIRED" ? " NOT NULL" : ""}`,
      )
      .join(", ");
    await c.run(`CREATE TABLE IF NOT EXISTS ${qualified(spec)} (${columns})`);
    ensuredTables.add(qualified(spec));
  };
  await serial(async (c) => {
    await ensureSchema(c, LEDGER.dataset);
    await c.run(
      `CREATE TABLE IF NOT EXISTS ${qualified(LEDGER)} (job_id VARCHAR PRIMARY KEY, source_uri VARCHAR NOT NULL, destination VARCHAR NOT NULL, rows_loaded BIGINT NOT NULL, loaded_at TIMESTAMPTZ NOT NULL)`,
    );
  });

  /**
   * Group commit: loads that arrive while the connection is busy are committed together (one
   * transaction, one WAL sync), each still answered with its own result. A group that fails is
   * retried one load at a time, so one bad file fails alone.
   */
  const pendingLoads: PendingLoad[] = [];
  const flushLoads = async (c: DuckDBConnection): Promise<void> => {
    const group = pendingLoads.splice(0, pendingLoads.length);
    if (group.length === 0) return;
    try {
      const results = await loadGroup(
        c,
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
          const [result] = await loadGroup(c, [p.request]);
          p.resolve(result as LoadResult);
        } catch (error) {
          p.reject(error);
        }
      }
    }
  };
  const loadGroup = async (c: DuckDBConnection, requests: LoadRequest[]): Promise<LoadResult[]> => {
    for (const r of requests) await createTable(c, r.table);
    await c.run("BEGIN TRANSACTION");
    try {
      const ids = requests.map((r) => r.jobId);
      const seenRows = await c.runAndReadAll(
        `SELECT job_id FROM ${qualified(LEDGER)} WHERE list_contains($ids, job_id)`,
        { ids: listValue(ids) },
      );
      const seen = new Set(seenRows.getRowObjectsJS().map((row) => String(row.job_id)));
      const results = new Map<string, LoadResult>();
      const fresh = requests.filter((r) => {
        if (seen.has(r.jobId) || results.has(r.jobId)) {
          results.set(r.jobId, { jobId: r.jobId, status: "duplicate", rowsLoaded: 0 });
          return false;
        }
        results.set(r.jobId, { jobId: r.jobId, status: "loaded", rowsLoaded: 0 });
        return true;
      });
      const byTable = new Map<string, LoadRequest[]>();
      for (const r of fresh) {
        const key = qualified(r.table);
        byTable.set(key, [...(byTable.get(key) ?? []), r]);
      }
      for (const batch of byTable.values()) {
        const table = (batch[0] as LoadRequest).table;
        const counts = await insertFiles(
          c,
          table,
          batch.map((r) => r.sourceUri),
        );
        const rows = batch.map((r) => counts.get(r.sourceUri) ?? 0);
        batch.forEach((r, i) => {
          results.set(r.jobId, { jobId: r.jobId, status: "loaded", rowsLoaded: rows[i] ?? 0 });
        });
        await c.run(
          `INSERT INTO ${qualified(LEDGER)} SELECT unnest($ids), unnest($uris), $destination, unnest($rows), current_timestamp`,
          {
            ids: listValue(batch.map((r) => r.jobId)),
            uris: listValue(batch.map((r) => r.sourceUri)),
            destination: `${table.dataset}.${table.table}`,
            rows: listValue(rows),
          },
        );
      }
      await c.run("COMMIT");
      return requests.map((r) => results.get(r.jobId) as LoadResult);
    } catch (error) {
      await c.run("ROLLBACK").catch(() => undefined);
      throw error;
    }
  };

  const warehouse: DuckDbWarehouse = {
    dialect: "duckdb",
    location,

    query<T extends Row = Row>(sql: string, params: SqlParams = {}): Promise<T[]> {
      const { sql: rewritten, names } = rewriteNamedParams(sql);
      const values: Record<string, DuckDBValue> = {};
      for (const name of names) {
        if (!(name in params))
          throw new Error(`query parameter @${name} has no value: pass it in params`);
        values[name] = toDuckDbValue(params[name] as SqlValue);
      }
      return serial(async (c) => {
        const reader = await c.runAndReadAll(rewritten, values);
        return reader.getRowObjectsJS().map((row) => normalizeRow(row) as T);
      });
    },

    run(sql: string): Promise<void> {
      return serial(async (c) => {
        await c.run(sql);
      });
    },

    ensureTable(spec: TableSpec): Promise<void> {
      return serial((c) => createTable(c, spec));
    },

    load(request: LoadRequest): Promise<LoadResult> {
      return new Promise<LoadResult>((resolve, reject) => {
        pendingLoads.push({ request, resolve, reject });
        if (pendingLoads.length === 1) void serial(flushLoads);
      });
    },

    insertRows(table: TableSpec, rows: readonly Row[]): Promise<void> {
      if (rows.length === 0) return Promise.resolve();
      return serial(async (c) => {
        await createTable(c, table);
        const appender = await c.createAppender(table.table, table.dataset);
        try {
          for (const row of rows) {
            for (const col of table.columns) appendValue(appender, row[col.name], col.type);
            appender.endRow();
          }
          appender.flushSync();
        } finally {
          appender.closeSync();
        }
      });
    },

    async close(): Promise<void> {
      await queue;
      connection.closeSync();
      instance.closeSync();
    },
  };
  return warehouse;
}

type Appender = Awaited<ReturnType<DuckDBConnection["createAppender"]>>;

function appendValue(appender: Appender, value: unknown, type: ColumnSpec["type"]): void {
  if (value === null || value === undefined) {
    appender.appendNull();
  } else if (type === "BOOL") {
    appender.appendBoolean(Boolean(value));
  } else if (type === "INT64") {
    appender.appendBigInt(BigInt(value as number | bigint | string));
  } else if (type === "FLOAT64") {
    appender.appendDouble(Number(value));
  } else if (type === "TIMESTAMP") {
    const date = value instanceof Date ? value : new Date(String(value));
    appender.appendValue(timestampTZValue(BigInt(date.getTime()) * 1000n), TIMESTAMPTZ);
  } else if (type === "JSON") {
    appender.appendVarchar(typeof value === "string" ? value : JSON.stringify(value));
  } else {
    appender.appendVarchar(String(value));
  }
}

function toDuckDbValue(value: SqlValue): DuckDBValue {
  if (value instanceof Date) return timestampTZValue(BigInt(value.getTime()) * 1000n);
  if (Array.isArray(value)) return listValue([...value]);
  return value as DuckDBValue;
}

/** BigQuery returns INT64 as numbers; DuckDB as bigint. Keep callers on one shape. */
function normalizeRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) {
    out[key] =
      typeof value === "bigint" &&
      value <= BigInt(Number.MAX_SAFE_INTEGER) &&
      value >= BigInt(Number.MIN_SAFE_INTEGER)
        ? Number(value)
        : value;
  }
  return out;
}

interface PendingLoad {
  readonly request: LoadRequest;
  resolve(result: LoadResult): void;
  reject(error: unknown): void;
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
