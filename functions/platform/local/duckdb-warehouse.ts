import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
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
import { LOAD_LEDGER, LOAD_LEDGER_DDL, runLoadJob } from "./duckdb-load.js";
import { DUCKDB_TYPES, qualified, quoteIdent, rewriteNamedParams } from "./duckdb-sql.js";

export interface DuckDbWarehouse extends Warehouse {
  /** Runs statements without parameters (DDL, scripts of the model runner). */
  run(sql: string): Promise<void>;
}

/**
 * The local warehouse: one DuckDB file, a schema per BigQuery dataset. Operations are
 * serialised on one connection, like a job queue; a load job runs once per id through a ledger
 * table written in the same transaction as the rows.
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
    // A table made before a NULLABLE column joined its spec gains it, as BigQuery's load does
    // with ALLOW_FIELD_ADDITION (raw tables' _connection and _business_unit).
    const present = await c.runAndReadAll(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = $schema AND table_name = $table",
      { schema: spec.dataset, table: spec.table },
    );
    const names = new Set(present.getRowObjectsJS().map((row) => String(row.column_name)));
    for (const col of spec.columns.filter((c) => c.mode !== "REQUIRED" && !names.has(c.name))) {
      await c.run(
        `ALTER TABLE ${qualified(spec)} ADD COLUMN ${quoteIdent(col.name)} ${DUCKDB_TYPES[col.type]}`,
      );
    }
    ensuredTables.add(qualified(spec));
  };
  await serial(async (c) => {
    await ensureSchema(c, LOAD_LEDGER.dataset);
    for (const statement of LOAD_LEDGER_DDL) await c.run(statement);
  });

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
      return serial((c) => runLoadJob(c, request, createTable));
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
