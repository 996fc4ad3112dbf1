import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sweepRawLoads } from "../../../functions/core/loading/sweep.js";
import type { DuckDbWarehouse } from "../../../functions/platform/local/duckdb-warehouse.js";
import { LoadJobFailedError, type Warehouse } from "../../../functions/platform/ports.js";
import { type CrashPoint, crashAt } from "./crash-injection.js";
import { createLake, fixedClock, type Lake } from "./harness.js";
import {
  landFiles,
  landPoisonedFile,
  loaderDeps,
  MANUAL_ALL,
  NOW,
  swept,
  TEST_SWEEP,
  warehouseState,
} from "./loader-harness.js";

let lake: Lake;
let warehouse: DuckDbWarehouse;

beforeEach(async () => {
  lake = await createLake();
  warehouse = await lake.warehouse();
});
afterEach(() => lake.cleanup());

/** Fails the first job it sees as BigQuery does with a backend error, then behaves. */
function failingFirstJob(inner: Warehouse): Warehouse {
  let failed = false;
  return {
    ...inner,
    query: (sql, params) => inner.query(sql, params),
    ensureTable: (spec) => inner.ensureTable(spec),
    insertRows: (table, rows) => inner.insertRows(table, rows),
    load: (request) => {
      if (failed) return inner.load(request);
      failed = true;
      return Promise.reject(
        new LoadJobFailedError(request.jobId, [{ reason: "backendError", message: "try again" }]),
      );
    },
  };
}

const points: { point: CrashPoint; poisoned: boolean; transient: boolean }[] = [
  { point: "after-manifest-written", poisoned: false, transient: false },
  { point: "after-job-ran", poisoned: false, transient: false },
  { point: "before-ledger-write", poisoned: false, transient: false },
  { point: "after-ledger-write", poisoned: false, transient: false },
  { point: "after-attempt-written", poisoned: false, transient: true },
  { point: "after-first-half-written", poisoned: true, transient: false },
  { point: "after-failure-recorded", poisoned: true, transient: false },
];

describe("a sweep killed at any point, then run again", () => {
  it.each(points)(
    "converges after a kill $point: every good file loaded once, the bad one recorded once",
    async ({ point, poisoned, transient }) => {
      await landFiles(lake.store, { count: 6 });
      const bad = poisoned ? await landPoisonedFile(lake.store) : undefined;
      const dying = crashAt(point, lake.store, transient ? failingFirstJob(warehouse) : warehouse);
      await sweepRawLoads(
        loaderDeps(lake, dying.warehouse, { store: dying.store }),
        MANUAL_ALL,
        TEST_SWEEP,
      ).catch(() => undefined);
      expect(dying.crashed()).toBe(true);

      // The killed sweep never released its lease: the next one waits for it to expire.
      const later = fixedClock(new Date(NOW.getTime() + TEST_SWEEP.leaseTtlMs + 1));
      const rerun = swept(
        await sweepRawLoads(loaderDeps(lake, warehouse, { clock: later }), MANUAL_ALL, TEST_SWEEP),
      );
      expect(rerun.status).toBe("complete");
      expect(rerun.loaded + rerun.recorded + rerun.alreadyLoaded).toBe(6);

      const state = await warehouseState(warehouse);
      expect(state.raw.shopify_orders).toEqual({ rows: 12, records: 12 });
      expect(state.ledger).toHaveLength(6);
      expect(state.ledger.every((r) => r.n === 1)).toBe(true);
      expect(state.failures.map((f) => f.object)).toEqual(bad ? [bad.key] : []);
      expect(await lake.keys("loads/manifests/")).toEqual([]);

      const third = swept(
        await sweepRawLoads(loaderDeps(lake, warehouse, { clock: later }), MANUAL_ALL, TEST_SWEEP),
      );
      expect(third).toMatchObject({ loaded: 0, recorded: 0, jobs: 0, alreadyLoaded: 6 });
      expect(third.failedBefore).toBe(bad ? 1 : 0);
    },
  );

  it("says how many files it loaded and how many were already loaded after a kill mid-sweep", async () => {
    await landFiles(lake.store, { count: 10 });
    // Dies after its second batch is recorded: 8 files are in, 2 are not.
    const dying = crashAt("after-ledger-write", lake.store, warehouse, { nth: 2 });
    await sweepRawLoads(
      loaderDeps(lake, dying.warehouse, { store: dying.store }),
      MANUAL_ALL,
      TEST_SWEEP,
    ).catch(() => undefined);
    expect(dying.crashed()).toBe(true);
    const rerun = swept(
      await sweepRawLoads(
        loaderDeps(lake, warehouse, { holderGone: () => true }),
        MANUAL_ALL,
        TEST_SWEEP,
      ),
    );
    expect(rerun).toMatchObject({ status: "complete", loaded: 2, alreadyLoaded: 8, recorded: 0 });
    expect((await warehouseState(warehouse)).raw.shopify_orders).toEqual({ rows: 20, records: 20 });
  });
});
