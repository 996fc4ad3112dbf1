import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sweepRawLoads } from "../../../functions/core/loading/sweep.js";
import {
  createLoadRawHandler,
  handleLoadRawEvent,
  loadSweepConfig,
  rawStreamsOf,
  SweepIncompleteError,
} from "../../../functions/handlers/load-raw.js";
import { type CloudEvent, pubsubCloudEvent } from "../../../functions/platform/cloudevents.js";
import type { DuckDbWarehouse } from "../../../functions/platform/local/duckdb-warehouse.js";
import { WEBHOOK_SOURCES } from "../../../functions/sources/registry.js";
import { createLake, fixedClock, type Lake } from "./harness.js";
import {
  first,
  landFiles,
  loaderDeps,
  MANUAL_ALL,
  NOW,
  putObject,
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

const sweepMessage = (sweep: unknown, id = "m-1"): CloudEvent<unknown> =>
  pubsubCloudEvent({
    project: "p",
    topic: "load-raw-sweep",
    messageId: id,
    data: { sweep },
    publishTime: NOW,
  }) as CloudEvent<unknown>;

describe("the raw sweep", () => {
  it("loads every landed file once, in batches, and a second sweep only reports them as already loaded", async () => {
    await landFiles(lake.store, { count: 10, lines: 3 });
    await landFiles(lake.store, { count: 3, source: "sendgrid", stream: "events", tag: "s" });
    const deps = loaderDeps(lake, warehouse);
    const once = swept(await sweepRawLoads(deps, MANUAL_ALL, TEST_SWEEP));
    expect(once).toMatchObject({ status: "complete", loaded: 13, rows: 36, alreadyLoaded: 0 });
    // 10 files in batches of at most 4 → 3 jobs; 3 files → 1 job.
    expect(once.jobs).toBe(4);
    const second = swept(await sweepRawLoads(deps, MANUAL_ALL, TEST_SWEEP));
    expect(second).toMatchObject({ status: "complete", loaded: 0, alreadyLoaded: 13, jobs: 0 });
    const state = await warehouseState(warehouse);
    expect(state.raw).toEqual({
      shopify_orders: { rows: 30, records: 30 },
      sendgrid_events: { rows: 6, records: 6 },
    });
    expect(state.ledger).toHaveLength(13);
    expect(state.ledger.every((r) => r.n === 1)).toBe(true);
    expect(await lake.keys("loads/manifests/")).toEqual([]);
  });

  it("loads a rewritten object (a new generation) as new work and keeps both versions in the ledger", async () => {
    const v1 = first(await landFiles(lake.store, { count: 1, lines: 1 }));
    const deps = loaderDeps(lake, warehouse);
    await sweepRawLoads(deps, MANUAL_ALL, TEST_SWEEP);
    const object = await putObject(lake.store, v1.key, `${rawLine("shopify", "orders", "v2")}\n`);
    expect(object.generation).not.toBe(v1.generation);
    expect(swept(await sweepRawLoads(deps, MANUAL_ALL, TEST_SWEEP)).loaded).toBe(1);
    const state = await warehouseState(warehouse);
    expect(state.raw.shopify_orders).toEqual({ rows: 2, records: 2 });
    expect(state.ledger.map((r) => r.generation).sort()).toEqual(
      [v1.generation, object.generation].sort(),
    );
  });

  it("lets one of several sweeps started at once run; the others skip and nothing loads twice", async () => {
    await landFiles(lake.store, { count: 12 });
    const reports = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        sweepRawLoads(
          loaderDeps(lake, warehouse, { holder: { holder: `sweeper-${i}` } }),
          MANUAL_ALL,
          TEST_SWEEP,
        ),
      ),
    );
    expect(reports.filter((r) => r.status === "complete")).toHaveLength(1);
    expect(reports.filter((r) => r.status === "skipped")).toHaveLength(4);
    const state = await warehouseState(warehouse);
    expect(state.raw.shopify_orders).toEqual({ rows: 24, records: 24 });
    expect(state.ledger).toHaveLength(12);
  });

  it("takes over a lease whose holder died once it has expired, and finishes the work", async () => {
    await landFiles(lake.store, { count: 3 });
    await lake.store.put(
      "loads/lease/000000000007.json",
      JSON.stringify({
        holder: "dead",
        acquiredAt: NOW.toISOString(),
        expiresAt: new Date(NOW.getTime() + 60_000).toISOString(),
      }),
    );
    const clock = fixedClock(NOW);
    const deps = loaderDeps(lake, warehouse, { clock });
    expect(await sweepRawLoads(deps, MANUAL_ALL, TEST_SWEEP)).toMatchObject({
      status: "skipped",
      reason: "busy",
    });
    clock.set(new Date(NOW.getTime() + 60_001));
    expect(swept(await sweepRawLoads(deps, MANUAL_ALL, TEST_SWEEP)).loaded).toBe(3);
  });

  it("lists only the recent dt= partitions of known streams; a deep sweep loads the rest", async () => {
    await landFiles(lake.store, { count: 2, dt: "2026-12-01", tag: "new" });
    await landFiles(lake.store, { count: 2, dt: "2024-01-05", tag: "old" });
    await landFiles(lake.store, { count: 1, source: "zoom", stream: "registrants", tag: "z" });
    const deps = loaderDeps(lake, warehouse);
    const recent = {
      trigger: "schedule",
      scope: { kind: "recent", lookbackDays: 2 },
      debounce: false,
    } as const;
    expect(swept(await sweepRawLoads(deps, recent, TEST_SWEEP)).loaded).toBe(2);
    expect(swept(await sweepRawLoads(deps, MANUAL_ALL, TEST_SWEEP))).toMatchObject({
      loaded: 3,
      alreadyLoaded: 2,
    });
    const state = await warehouseState(warehouse);
    expect(state.raw).toEqual({
      shopify_orders: { rows: 8, records: 8 },
      zoom_registrants: { rows: 2, records: 2 },
    });
  });
});

describe("the load-raw function (object finalized and scheduled sweeps)", () => {
  it("sweeps when a raw object is finalized and loads it", async () => {
    const object = first(await landFiles(lake.store, { count: 1 }));
    const outcome = await handleLoadRawEvent(loaderDeps(lake, warehouse), lake.eventFor(object));
    expect(outcome).toMatchObject({ action: "swept", report: { status: "complete", loaded: 1 } });
    expect((await warehouseState(warehouse)).raw.shopify_orders).toEqual({ rows: 2, records: 2 });
  });

  it("loads an object once when its finalized event is delivered twice, also at the same moment", async () => {
    const objects = await landFiles(lake.store, { count: 4 });
    const deps = loaderDeps(lake, warehouse, { config: { ...TEST_SWEEP, minIntervalMs: 0 } });
    const events = [...objects, ...objects].map((o) => lake.eventFor(o));
    await Promise.all(events.map((e) => handleLoadRawEvent(deps, e)));
    for (const e of events) await handleLoadRawEvent(deps, e);
    const state = await warehouseState(warehouse);
    expect(state.raw.shopify_orders).toEqual({ rows: 8, records: 8 });
    expect(state.ledger).toHaveLength(4);
  });

  it("debounces: an event within the interval of the last sweep does not sweep, the scheduled sweep loads its object", async () => {
    const clock = fixedClock(NOW);
    const config = { ...TEST_SWEEP, minIntervalMs: 120_000 };
    const deps = loaderDeps(lake, warehouse, { clock, config });
    const a = first(await landFiles(lake.store, { count: 1, tag: "a" }));
    await handleLoadRawEvent(deps, lake.eventFor(a));
    clock.set(new Date(NOW.getTime() + 30_000));
    const b = first(await landFiles(lake.store, { count: 1, tag: "b" }));
    expect(await handleLoadRawEvent(deps, lake.eventFor(b))).toMatchObject({
      action: "swept",
      report: { status: "skipped", reason: "recent" },
    });
    clock.set(new Date(NOW.getTime() + 150_000));
    expect(await handleLoadRawEvent(deps, sweepMessage("scheduled"))).toMatchObject({
      report: { loaded: 1, alreadyLoaded: 1 },
    });
  });

  it("queues an object outside the sweep window in the inbox, loads it and clears the marker", async () => {
    const old = first(await landFiles(lake.store, { count: 1, dt: "2023-06-01", tag: "backfill" }));
    const deps = loaderDeps(lake, warehouse, { config: { ...TEST_SWEEP, minIntervalMs: 0 } });
    expect(await handleLoadRawEvent(deps, lake.eventFor(old))).toMatchObject({
      report: { status: "complete", loaded: 1 },
    });
    expect(await lake.keys("loads/inbox/")).toEqual([]);
    expect((await warehouseState(warehouse)).ledger.map((r) => r.object)).toEqual([old.key]);
  });

  it("keeps the inbox marker while its object waits, so a later sweep still loads it", async () => {
    const old = first(await landFiles(lake.store, { count: 1, dt: "2023-06-01" }));
    await lake.store.put(
      "loads/lease/000000000001.json",
      JSON.stringify({
        holder: "other",
        acquiredAt: NOW.toISOString(),
        expiresAt: new Date(NOW.getTime() + 600_000).toISOString(),
      }),
    );
    const clock = fixedClock(NOW);
    const deps = loaderDeps(lake, warehouse, { clock });
    expect(await handleLoadRawEvent(deps, lake.eventFor(old))).toMatchObject({
      report: { status: "skipped", reason: "busy" },
    });
    expect(await lake.keys("loads/inbox/")).toHaveLength(1);
    clock.set(new Date(NOW.getTime() + 600_001));
    expect(await handleLoadRawEvent(deps, sweepMessage("scheduled"))).toMatchObject({
      report: { loaded: 1 },
    });
    expect(await lake.keys("loads/inbox/")).toEqual([]);
  });

  it("queues an object on the window's oldest day, so it is loaded even when the next sweep runs after midnight", async () => {
    const evening = new Date("2026-12-01T23:59:00Z");
    const edge = first(await landFiles(lake.store, { count: 1, dt: "2026-11-29" }));
    await lake.store.put(
      "loads/lease/000000000001.json",
      JSON.stringify({
        holder: "other",
        acquiredAt: evening.toISOString(),
        expiresAt: new Date(evening.getTime() + 600_000).toISOString(),
      }),
    );
    const clock = fixedClock(evening);
    const deps = loaderDeps(lake, warehouse, { clock });
    expect(await handleLoadRawEvent(deps, lake.eventFor(edge))).toMatchObject({
      report: { status: "skipped" },
    });
    clock.set(new Date("2026-12-02T00:20:00Z"));
    expect(await handleLoadRawEvent(deps, sweepMessage("scheduled"))).toMatchObject({
      report: { status: "complete", loaded: 1 },
    });
  });

  it("ignores objects that are not raw files (quarantine, its own manifests) without sweeping", async () => {
    const object = await putObject(
      lake.store,
      "quarantine/shopify/orders/dt=2026-12-01/q.ndjson",
      "{}\n",
    );
    const deps = loaderDeps(lake, warehouse);
    expect(await handleLoadRawEvent(deps, lake.eventFor(object))).toEqual({
      action: "ignored",
      reason: "not a raw object",
    });
    expect(await lake.keys("loads/")).toEqual([]);
  });

  it("ignores an event of another bucket and an event without object data", async () => {
    const object = first(await landFiles(lake.store, { count: 1 }));
    const deps = loaderDeps(lake, warehouse);
    const event = lake.eventFor(object);
    expect(
      await handleLoadRawEvent(deps, {
        ...event,
        data: { ...first([event.data]), bucket: "elsewhere" },
      }),
    ).toMatchObject({ action: "ignored", reason: "not the lake bucket" });
    expect(await handleLoadRawEvent(deps, { ...event, data: undefined })).toMatchObject({
      action: "ignored",
    });
    expect(await warehouseState(warehouse)).toMatchObject({ raw: {}, ledger: [] });
  });

  it("runs a deep sweep on a {sweep: deep} message and asks for redelivery while another sweep runs", async () => {
    await landFiles(lake.store, { count: 1, dt: "2022-02-02" });
    const deps = loaderDeps(lake, warehouse);
    await lake.store.put(
      "loads/lease/000000000001.json",
      JSON.stringify({
        holder: "other",
        acquiredAt: NOW.toISOString(),
        expiresAt: new Date(NOW.getTime() + 1).toISOString(),
      }),
    );
    await expect(handleLoadRawEvent(deps, sweepMessage("deep"))).rejects.toThrow(
      SweepIncompleteError,
    );
    const later = loaderDeps(lake, warehouse, { clock: fixedClock(new Date(NOW.getTime() + 2)) });
    expect(await handleLoadRawEvent(later, sweepMessage("deep"))).toMatchObject({
      report: { status: "complete", loaded: 1 },
    });
  });

  it("refuses a scheduler message that is not a sweep request without sweeping", async () => {
    await landFiles(lake.store, { count: 1 });
    const deps = loaderDeps(lake, warehouse);
    expect(await handleLoadRawEvent(deps, sweepMessage("everything"))).toEqual({
      action: "ignored",
      reason: "not a sweep message",
    });
    expect(deps.lines().some((l) => l.includes('"severity":"ERROR"'))).toBe(true);
    expect((await warehouseState(warehouse)).ledger).toEqual([]);
  });

  it("is what functions/index.ts registers: the factory's handler loads on an event", async () => {
    const object = first(await landFiles(lake.store, { count: 2 }));
    const handler = createLoadRawHandler(() => loaderDeps(lake, warehouse));
    await expect(handler(lake.eventFor(object))).resolves.toBeUndefined();
    expect((await warehouseState(warehouse)).ledger).toHaveLength(2);
  });
});

describe("loader settings", () => {
  it("lists every stream of the registered sources for the recent window", () => {
    expect(rawStreamsOf(WEBHOOK_SOURCES)).toEqual(
      expect.arrayContaining([
        { source: "shopify", stream: "orders" },
        { source: "sendgrid", stream: "events" },
      ]),
    );
  });

  it("reads the deployment's overrides and refuses a job budget above BigQuery's 1,500", () => {
    expect(
      loadSweepConfig({
        UNISTACK_LOAD_MIN_INTERVAL_SECONDS: "300",
        UNISTACK_LOAD_LOOKBACK_DAYS: "3",
      }),
    ).toMatchObject({ minIntervalMs: 300_000, lookbackDays: 3, jobsPerTablePerDay: 1_400 });
    expect(() => loadSweepConfig({ UNISTACK_LOAD_JOBS_PER_TABLE_PER_DAY: "2000" })).toThrow(
      /UNISTACK_LOAD_JOBS_PER_TABLE_PER_DAY/,
    );
  });
});
