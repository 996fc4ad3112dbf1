import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingestWebhook } from "../../../functions/core/ingest/ingest-webhook.js";
import {
  isTransientWarehouseError,
  LOAD_FAILURES_TABLE,
  type LoadRawDeps,
  loadRawObject,
} from "../../../functions/handlers/load-raw.js";
import type { CloudEvent } from "../../../functions/platform/cloudevents.js";
import { vectorOrders } from "../sources/vectors.js";
import {
  env,
  keys,
  NOW,
  STAMP,
  sendgridEvent,
  sendgridRequest,
  shopifyRequest,
} from "./deliveries.js";
import { capturingLogger, createLake, fixedClock, ingestDeps, type Lake } from "./harness.js";

let lake: Lake;
let logs: ReturnType<typeof capturingLogger>;

beforeEach(async () => {
  lake = await createLake();
  logs = capturingLogger();
});
afterEach(() => lake.cleanup());

async function loadDeps(): Promise<LoadRawDeps> {
  return {
    warehouse: await lake.warehouse(),
    logger: logs.logger,
    objectUri: (_bucket, name) => lake.store.uriOf(name),
    clock: fixedClock(NOW),
  };
}

async function ingest(request: Parameters<typeof ingestWebhook>[1]) {
  return ingestWebhook(
    ingestDeps(lake, { env, clock: fixedClock(NOW), logger: logs.logger }),
    request,
  );
}

describe("loadRawObject", () => {
  it("loads an order with an id above 2^53 so that payload->>'$.id' is exactly that id", async () => {
    const body = JSON.stringify(vectorOrders.order450789469).replace(
      '"id":450789469',
      '"id":820982911946154508',
    );
    await ingest(shopifyRequest(body));
    const [object] = lake.finalized;
    const outcome = await loadRawObject(
      await loadDeps(),
      lake.eventFor(object as NonNullable<typeof object>),
    );
    expect(outcome).toMatchObject({ action: "loaded", table: "raw.shopify_orders", rowsLoaded: 1 });
    const rows = await (await lake.warehouse()).query(
      "SELECT _record_id, payload->>'$.id' AS id, payload->>'$.total_price' AS total FROM raw.shopify_orders",
    );
    expect(rows).toEqual([
      {
        _record_id: "820982911946154508:2008-01-10T16:00:00Z",
        id: "820982911946154508",
        total: "598.94",
      },
    ]);
  });

  it("loads a storage event delivered twice once", async () => {
    await ingest(
      sendgridRequest(
        keys.privateKeyPem,
        STAMP,
        JSON.stringify([1, 2, 3].map((n) => sendgridEvent(n))),
      ),
    );
    const event = lake.eventFor(lake.finalized[0] as NonNullable<(typeof lake.finalized)[0]>);
    const deps = await loadDeps();
    expect(await loadRawObject(deps, event)).toMatchObject({ action: "loaded", rowsLoaded: 3 });
    expect(await loadRawObject(deps, event)).toMatchObject({ action: "duplicate", rowsLoaded: 3 });
    const rows = await deps.warehouse.query("SELECT count(*) AS n FROM raw.sendgrid_events");
    expect(rows).toEqual([{ n: 3 }]);
  });

  it("lands the same delivery posted twice as one row per record after loading", async () => {
    const body = JSON.stringify([1, 2, 3].map((n) => sendgridEvent(n)));
    await ingest(sendgridRequest(keys.privateKeyPem, STAMP, body));
    await ingest(sendgridRequest(keys.privateKeyPem, STAMP + 5, body));
    const deps = await loadDeps();
    for (const object of lake.finalized) await loadRawObject(deps, lake.eventFor(object));
    const rows = await deps.warehouse.query(
      "SELECT _record_id, count(*) AS n FROM raw.sendgrid_events GROUP BY 1 ORDER BY 1",
    );
    expect(rows).toEqual([
      { _record_id: "evt-1", n: 1 },
      { _record_id: "evt-2", n: 1 },
      { _record_id: "evt-3", n: 1 },
    ]);
  });

  it("ignores objects that are not raw files, such as quarantine", async () => {
    await ingest(shopifyRequest("{not json"));
    const [object] = lake.finalized;
    expect(object?.key).toMatch(/^quarantine\//);
    const outcome = await loadRawObject(
      await loadDeps(),
      lake.eventFor(object as NonNullable<typeof object>),
    );
    expect(outcome).toEqual({ action: "ignored", reason: "not a raw object", key: object?.key });
    const tables = await (await lake.warehouse()).query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'",
    );
    expect(tables).toEqual([]);
  });

  it("ignores an event that is not a storage finalized event", async () => {
    const event = {
      ...lake.eventFor({
        key: "raw/a/b/dt=2026-01-01/x.ndjson",
        size: 1,
        generation: "1",
        contentType: "",
      }),
      type: "google.cloud.storage.object.v1.deleted",
    };
    expect(await loadRawObject(await loadDeps(), event)).toMatchObject({ action: "ignored" });
  });

  it("records an event without object data as a permanent failure instead of throwing", async () => {
    const event: CloudEvent<unknown> = {
      ...lake.eventFor({ key: "k", size: 1, generation: "1", contentType: "" }),
      data: undefined,
    };
    const deps = await loadDeps();
    expect(await loadRawObject(deps, event)).toMatchObject({ action: "failed" });
    const failures = await deps.warehouse.query(
      `SELECT event_id FROM ops.${LOAD_FAILURES_TABLE.table}`,
    );
    expect(failures).toEqual([{ event_id: event.id }]);
  });

  it("records a raw file that cannot be parsed as a permanent failure and does not throw", async () => {
    const put = await lake.store.put("raw/shopify/orders/dt=2026-03-01/broken.ndjson", "{oops\n");
    if (!put.created) throw new Error("the broken file should be a new object");
    const { object } = put;
    const deps = await loadDeps();
    const outcome = await loadRawObject(deps, lake.eventFor(object));
    expect(outcome).toMatchObject({ action: "failed", key: object.key });
    const failures = await deps.warehouse.query(
      `SELECT object FROM ops.${LOAD_FAILURES_TABLE.table}`,
    );
    expect(failures).toEqual([{ object: object.key }]);
  });

  it("throws on a transient warehouse error so the platform redelivers the event", async () => {
    await ingest(shopifyRequest(JSON.stringify(vectorOrders.order450789469)));
    const event = lake.eventFor(lake.finalized[0] as NonNullable<(typeof lake.finalized)[0]>);
    const deps = await loadDeps();
    const unavailable = Object.assign(new Error("Backend error"), { code: 503 });
    const flaky = {
      ...deps,
      warehouse: { ...deps.warehouse, load: () => Promise.reject(unavailable) },
    };
    await expect(loadRawObject(flaky, event)).rejects.toThrow("Backend error");
    expect(await loadRawObject(deps, event)).toMatchObject({ action: "loaded", rowsLoaded: 1 });
  });
});

describe("isTransientWarehouseError", () => {
  it.each([
    [
      "BigQuery rate limit (403 rateLimitExceeded)",
      { code: 403, errors: [{ reason: "rateLimitExceeded" }] },
      true,
    ],
    ["BigQuery backend error", { code: 500, errors: [{ reason: "backendError" }] }, true],
    ["BigQuery invalid file", { code: 400, errors: [{ reason: "invalid" }] }, false],
    ["BigQuery missing table", { code: 404, errors: [{ reason: "notFound" }] }, false],
    [
      "a reset connection",
      Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
      true,
    ],
    [
      "DuckDB lock held by another process",
      new Error('IO Error: Could not set lock on file "w.duckdb"'),
      true,
    ],
    ["DuckDB malformed NDJSON", new Error("Invalid Input Error: Malformed JSON in file"), false],
    ["an unknown error", new Error("something odd"), true],
  ])("%s → transient: %s", (_name, error, transient) => {
    expect(isTransientWarehouseError(error)).toBe(transient);
  });
});
