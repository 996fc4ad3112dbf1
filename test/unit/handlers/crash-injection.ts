import { LOAD_FAILURES_TABLE, RAW_LOADS_TABLE } from "../../../functions/core/loading/ledger.js";
import { MANIFEST_PREFIX } from "../../../functions/core/loading/manifest.js";
import type { ObjectStore, PutOptions, Warehouse } from "../../../functions/platform/ports.js";

/** A moment at which the loading process is killed. */
export type CrashPoint =
  | "after-manifest-written"
  | "after-job-ran"
  | "before-ledger-write"
  | "after-ledger-write"
  | "after-first-half-written"
  | "after-attempt-written"
  | "after-failure-recorded";

export class Crash extends Error {
  override readonly name = "Crash";
}

/**
 * Wraps the lake and the warehouse of one sweep so that the process "dies" at `point`: the
 * operation there happens (or not, for `before-…`), then it and every later call throws, like
 * kill -9 — nothing after it reaches the store or the warehouse, and the lease is never released.
 */
export function crashAt(
  point: CrashPoint,
  store: ObjectStore,
  warehouse: Warehouse,
  options: { nth?: number } = {},
): { store: ObjectStore; warehouse: Warehouse; crashed: () => boolean } {
  let dead = false;
  let reached = 0;
  /** Kills the process the `nth` time (default the first) the point is reached. */
  const die = (): void => {
    if (++reached < (options.nth ?? 1)) return;
    dead = true;
    throw new Crash(`killed at ${point}`);
  };
  const alive = <T>(work: () => Promise<T>): Promise<T> =>
    dead ? Promise.reject(new Crash("the process is gone")) : work();

  const crashingStore: ObjectStore = {
    location: store.location,
    uriOf: (key) => store.uriOf(key),
    get: (key) => alive(() => store.get(key)),
    stat: (key) => alive(() => store.stat(key)),
    list: (prefix) => alive(() => store.list(prefix)),
    delete: (key) => alive(() => store.delete(key)),
    put: (key, body, options?: PutOptions) =>
      alive(async () => {
        const result = await store.put(key, body, options);
        if (key.startsWith(MANIFEST_PREFIX) && result.created) {
          const manifest = JSON.parse(String(body)) as { depth: number };
          if (point === "after-manifest-written" && manifest.depth === 0) die();
          if (point === "after-first-half-written" && manifest.depth > 0) die();
        }
        if (
          key.startsWith(MANIFEST_PREFIX) &&
          !options?.ifAbsent &&
          point === "after-attempt-written"
        )
          die();
        return result;
      }),
  };
  const crashingWarehouse: Warehouse = {
    dialect: warehouse.dialect,
    location: warehouse.location,
    query: (sql, params) => alive(() => warehouse.query(sql, params)),
    ensureTable: (spec) => alive(() => warehouse.ensureTable(spec)),
    close: () => warehouse.close(),
    load: (request) =>
      alive(async () => {
        const result = await warehouse.load(request);
        if (point === "after-job-ran") die();
        return result;
      }),
    insertRows: (table, rows) =>
      alive(async () => {
        const ledger = table.table === RAW_LOADS_TABLE.table;
        if (ledger && point === "before-ledger-write") die();
        await warehouse.insertRows(table, rows);
        if (ledger && point === "after-ledger-write") die();
        if (table.table === LOAD_FAILURES_TABLE.table && point === "after-failure-recorded") die();
      }),
  };
  return { store: crashingStore, warehouse: crashingWarehouse, crashed: () => dead };
}
