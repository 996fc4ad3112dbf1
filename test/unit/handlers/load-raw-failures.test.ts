import { Storage } from "@google-cloud/storage";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RETRYABLE_REASONS } from "../../../functions/core/loading/failure-policy.js";
import { SweepAbortedError } from "../../../functions/core/loading/run-batch.js";
import { sweepRawLoads } from "../../../functions/core/loading/sweep.js";
import { handleLoadRawEvent, SweepIncompleteError } from "../../../functions/handlers/load-raw.js";
import { pubsubCloudEvent } from "../../../functions/platform/cloudevents.js";
import { createGcsObjectStore } from "../../../functions/platform/gcp/gcs-object-store.js";
import type { DuckDbWarehouse } from "../../../functions/platform/local/duckdb-warehouse.js";
import {
  LoadJobFailedError,
  type LoadRequest,
  type Warehouse,
} from "../../../functions/platform/ports.js";
import { BUCKET, createLake, fixedClock, type Lake } from "./harness.js";
import {
  landFiles,
  landPoisonedFile,
  loaderDeps,
  MANUAL_ALL,
  NOW,
  rawLine,
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

/**
 * A warehouse whose first `times` load calls fail as `fault` says, before (`request`) or after
 * (`after-run`: the job ran, the answer was lost) the real load. Every request is kept.
 */
function faulty(
  inner: Warehouse,
  fault: (request: LoadRequest) => Error,
  options: { times?: number; when?: "request" | "after-run" } = {},
): Warehouse & { requests: LoadRequest[] } {
  const requests: LoadRequest[] = [];
  let left = options.times ?? 1;
  return {
    dialect: inner.dialect,
    location: inner.location,
    query: (sql, params) => inner.query(sql, params),
    ensureTable: (spec) => inner.ensureTable(spec),
    insertRows: (table, rows) => inner.insertRows(table, rows),
    close: () => inner.close(),
    requests,
    async load(request) {
      requests.push(request);
      if (left <= 0) return inner.load(request);
      left--;
      if (options.when === "after-run") await inner.load(request);
      throw fault(request);
    },
  };
}

const jobFailure = (reason: string) => (r: LoadRequest) =>
  new LoadJobFailedError(r.jobId, [{ reason, message: `${reason} happened` }]);
const httpError = (code: number, reason?: string) => () =>
  Object.assign(new Error(`HTTP ${code}`), {
    code,
    ...(reason ? { errors: [{ reason, message: reason }] } : {}),
  });

describe("a raw file that cannot be loaded", () => {
  it("is isolated by splitting its batch: the good files load once, it is recorded with bucket, generation and job id", async () => {
    await landFiles(lake.store, { count: 7 });
    const bad = await landPoisonedFile(lake.store);
    const deps = loaderDeps(lake, warehouse);
    const report = swept(await sweepRawLoads(deps, MANUAL_ALL, TEST_SWEEP));
    expect(report).toMatchObject({ status: "complete", loaded: 7 });
    expect(report.splits).toBeGreaterThan(0);
    expect(report.failed).toEqual([
      expect.objectContaining({ key: bad.key, generation: bad.generation, reason: "invalid" }),
    ]);
    const state = await warehouseState(warehouse);
    expect(state.raw.shopify_orders).toEqual({ rows: 14, records: 14 });
    expect(state.ledger).toHaveLength(7);
    expect(state.failures).toEqual([
      {
        bucket: BUCKET,
        object: bad.key,
        generation: bad.generation,
        destination: "raw.shopify_orders",
        job_id: report.failed[0]?.jobId,
        manifest_id: expect.stringMatching(/^m[0-9a-f]{32}$/),
        reason: "invalid",
        error: expect.stringContaining("invalid"),
      },
    ]);
    expect(report.failed[0]?.jobId).toMatch(/^unistack_load_m[0-9a-f]{32}_0$/);
    // No personal data from the file in the record or the logs.
    expect(JSON.stringify(state.failures)).not.toMatch(/@example\.com/);
    expect(deps.lines().join("\n")).not.toMatch(/@example\.com/);
  });

  it("is skipped by later sweeps (no job spent on it) until it is replayed", async () => {
    await landFiles(lake.store, { count: 2 });
    await landPoisonedFile(lake.store);
    const deps = loaderDeps(lake, warehouse);
    await sweepRawLoads(deps, MANUAL_ALL, TEST_SWEEP);
    const again = swept(await sweepRawLoads(deps, MANUAL_ALL, TEST_SWEEP));
    expect(again).toMatchObject({ jobs: 0, failedBefore: 1, alreadyLoaded: 2, failed: [] });
    expect((await warehouseState(warehouse)).failures).toHaveLength(1);
  });

  it("loads once fixed: the rewritten object is a new generation and the next sweep loads it", async () => {
    const bad = await landPoisonedFile(lake.store);
    const deps = loaderDeps(lake, warehouse);
    await sweepRawLoads(deps, MANUAL_ALL, TEST_SWEEP);
    await lake.store.put(bad.key, `${rawLine("shopify", "orders", "fixed")}\n`);
    expect(swept(await sweepRawLoads(deps, MANUAL_ALL, TEST_SWEEP))).toMatchObject({ loaded: 1 });
    expect((await warehouseState(warehouse)).raw.shopify_orders).toEqual({ rows: 1, records: 1 });
  });

  it("is tried again under a new job id after its failure row is deleted (replay)", async () => {
    const bad = await landPoisonedFile(lake.store);
    const deps = loaderDeps(lake, warehouse);
    const first = swept(await sweepRawLoads(deps, MANUAL_ALL, TEST_SWEEP));
    await warehouse.query(
      "DELETE FROM ops_load.raw_load_failures WHERE object = @o AND generation = @g",
      {
        o: bad.key,
        g: bad.generation,
      },
    );
    const replay = swept(await sweepRawLoads(deps, MANUAL_ALL, TEST_SWEEP));
    expect(replay.failed).toHaveLength(1);
    expect(replay.failed[0]?.jobId).not.toBe(first.failed[0]?.jobId);
  });
});

describe("load failures a retry can fix", () => {
  it.each(RETRYABLE_REASONS)(
    "a job that failed with %s is run again under a new job id and loads once",
    async (reason) => {
      await landFiles(lake.store, { count: 3 });
      const flaky = faulty(warehouse, jobFailure(reason));
      const report = swept(await sweepRawLoads(loaderDeps(lake, flaky), MANUAL_ALL, TEST_SWEEP));
      expect(report).toMatchObject({ status: "complete", loaded: 3, failed: [] });
      const jobIds = flaky.requests.map((r) => r.jobId);
      expect(jobIds).toHaveLength(2);
      expect(jobIds[0]).toMatch(/_0$/);
      expect(jobIds[1]).toBe(jobIds[0]?.replace(/_0$/, "_1"));
      const state = await warehouseState(warehouse);
      expect(state.raw.shopify_orders).toEqual({ rows: 6, records: 6 });
      expect(state.failures).toEqual([]);
    },
  );

  it.each([
    ...RETRYABLE_REASONS.map((reason) => ({ name: reason, fault: httpError(403, reason) })),
    { name: "HTTP 503 without a reason", fault: httpError(503) },
    {
      name: "a reset connection",
      fault: () => Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
    },
  ])(
    "a request that failed with $name is resubmitted with the same job id: after a lost answer the job's own outcome counts, nothing loads twice",
    async ({ fault }) => {
      await landFiles(lake.store, { count: 3 });
      const flaky = faulty(warehouse, fault, { when: "after-run" });
      const report = swept(await sweepRawLoads(loaderDeps(lake, flaky), MANUAL_ALL, TEST_SWEEP));
      expect(report).toMatchObject({ status: "complete", loaded: 0, recorded: 3 });
      const jobIds = flaky.requests.map((r) => r.jobId);
      expect(new Set(jobIds).size).toBe(1);
      const state = await warehouseState(warehouse);
      expect(state.raw.shopify_orders).toEqual({ rows: 6, records: 6 });
      expect(state.ledger).toHaveLength(3);
    },
  );

  it("leaves the files pending (nothing marked failed) when loads keep failing, and the function throws so the platform retries", async () => {
    await landFiles(lake.store, { count: 3 });
    const down = faulty(warehouse, jobFailure("backendError"), { times: 100 });
    const deps = loaderDeps(lake, down, { config: { ...TEST_SWEEP, minIntervalMs: 0 } });
    const event = pubsubCloudEvent({
      project: "p",
      topic: "load-raw-sweep",
      messageId: "1",
      data: { sweep: "scheduled" },
      publishTime: NOW,
    });
    await expect(handleLoadRawEvent(deps, event)).rejects.toThrow(SweepIncompleteError);
    expect(await warehouseState(warehouse)).toMatchObject({ ledger: [], failures: [] });
    const healed = swept(await sweepRawLoads(loaderDeps(lake, warehouse), MANUAL_ALL, TEST_SWEEP));
    expect(healed).toMatchObject({ status: "complete", loaded: 3 });
    expect((await warehouseState(warehouse)).raw.shopify_orders).toEqual({ rows: 6, records: 6 });
  });

  it("never splits or marks files failed on a reason it does not know", async () => {
    await landFiles(lake.store, { count: 3 });
    const odd = faulty(warehouse, jobFailure("somethingNew"), { times: 100 });
    const report = swept(await sweepRawLoads(loaderDeps(lake, odd), MANUAL_ALL, TEST_SWEEP));
    expect(report).toMatchObject({ status: "incomplete", splits: 0, failed: [], pending: 3 });
  });
});

describe("quotas and configuration", () => {
  it("defers a batch that hit quotaExceeded: nothing is marked failed and a later sweep loads it", async () => {
    await landFiles(lake.store, { count: 2 });
    const quota = faulty(warehouse, jobFailure("quotaExceeded"));
    const report = swept(await sweepRawLoads(loaderDeps(lake, quota), MANUAL_ALL, TEST_SWEEP));
    expect(report).toMatchObject({ status: "deferred", pending: 2, failed: [] });
    const later = swept(await sweepRawLoads(loaderDeps(lake, quota), MANUAL_ALL, TEST_SWEEP));
    expect(later).toMatchObject({ status: "complete", loaded: 2 });
    expect(quota.requests.map((r) => r.jobId.slice(-2))).toEqual(["_0", "_1"]);
  });

  it("starts no more jobs per table than its daily budget and loads the rest the next day", async () => {
    await landFiles(lake.store, { count: 12 });
    const config = { ...TEST_SWEEP, jobsPerTablePerDay: 2 };
    const clock = fixedClock(NOW);
    const deps = loaderDeps(lake, warehouse, { clock });
    expect(swept(await sweepRawLoads(deps, MANUAL_ALL, config))).toMatchObject({
      status: "deferred",
      loaded: 8,
      jobs: 2,
      pending: 4,
    });
    clock.set(new Date(NOW.getTime() + 60 * 60_000));
    expect(swept(await sweepRawLoads(deps, MANUAL_ALL, config))).toMatchObject({
      jobs: 0,
      pending: 4,
    });
    clock.set(new Date(NOW.getTime() + 25 * 60 * 60_000));
    expect(swept(await sweepRawLoads(deps, MANUAL_ALL, config))).toMatchObject({
      status: "complete",
      loaded: 4,
    });
  });

  it("stops the sweep on a permission error, marks nothing failed, and frees the lease for the next one", async () => {
    await landFiles(lake.store, { count: 2 });
    const denied = faulty(warehouse, httpError(403, "accessDenied"));
    await expect(sweepRawLoads(loaderDeps(lake, denied), MANUAL_ALL, TEST_SWEEP)).rejects.toThrow(
      SweepAbortedError,
    );
    expect((await warehouseState(warehouse)).failures).toEqual([]);
    const fixed = swept(await sweepRawLoads(loaderDeps(lake, warehouse), MANUAL_ALL, TEST_SWEEP));
    expect(fixed).toMatchObject({ status: "complete", loaded: 2 });
  });

  it("hands the warehouse the gs:// URIs of the lake bucket that production builds, every file of a batch in one job", async () => {
    await landFiles(lake.store, { count: 5 });
    const gcs = createGcsObjectStore({ storage: new Storage({ projectId: "p" }), bucket: BUCKET });
    const sent: LoadRequest[] = [];
    const bigqueryLike: Warehouse = {
      ...warehouse,
      load: (request) => {
        sent.push(request);
        // Stand-in for BigQuery reading gs://: the same objects, from the local lake.
        const local = request.sourceUris.map((u) =>
          lake.store.uriOf(u.replace(`gs://${BUCKET}/`, "")),
        );
        return warehouse.load({ ...request, sourceUris: local });
      },
    };
    const deps = loaderDeps(lake, bigqueryLike, { uriOf: (key) => gcs.uriOf(key) });
    await sweepRawLoads(deps, MANUAL_ALL, TEST_SWEEP);
    expect(sent.map((r) => r.sourceUris.length)).toEqual([4, 1]);
    expect(sent.flatMap((r) => r.sourceUris)).toEqual(
      (await lake.keys("raw/")).map((key) => `gs://${BUCKET}/${key}`),
    );
    expect(sent.every((r) => /^unistack_load_m[0-9a-f]{32}_0$/.test(r.jobId))).toBe(true);
    expect((await warehouseState(warehouse)).raw.shopify_orders).toEqual({ rows: 10, records: 10 });
  });
});
