import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingestWebhook } from "../../../functions/core/ingest/ingest-webhook.js";
import { JSON_DEFECTS } from "../../../functions/core/ingest/json-defects.js";
import { rawTableSpec } from "../../../functions/core/raw-table.js";
import { LoadJobFailedError } from "../../../functions/platform/ports.js";
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
import {
  capturingLogger,
  createLake,
  fixedClock,
  ingestDeps,
  type Lake,
  ndjsonLines,
} from "./harness.js";

let lake: Lake;
let deps: ReturnType<typeof ingestDeps>;

beforeEach(async () => {
  lake = await createLake();
  deps = ingestDeps(lake, { env, clock: fixedClock(NOW), logger: capturingLogger().logger });
});
afterEach(() => lake.cleanup());

/** Loads every raw object of a table into the DuckDB warehouse, as the loader would. */
async function loadRaw(source: string, stream: string): Promise<Record<string, unknown>[]> {
  const warehouse = await lake.warehouse();
  const keys = await lake.keys(`raw/${source}/${stream}/`);
  await warehouse.load({
    table: rawTableSpec(source, stream),
    sourceUris: keys.map((key) => lake.store.uriOf(key)),
    jobId: `test_${source}_${stream}`,
  });
  return warehouse.query(
    `SELECT _record_id, payload::VARCHAR AS payload FROM raw.${source}_${stream}`,
  );
}

/** A SendGrid batch of 50 events whose 17th carries `fragment` spliced into its JSON text. */
function batchWith(fragment: string): string {
  const texts = Array.from({ length: 50 }, (_, i) => JSON.stringify(sendgridEvent(i + 1)));
  texts[16] = (texts[16] as string).replace('"event":', `${fragment},"event":`);
  return `[${texts.join(",")}]`;
}

describe("a record the warehouse cannot load: a lone surrogate escape", () => {
  it("quarantines that one event with the reason and lands the other 49, which then load", async () => {
    const body = batchWith('"useragent":"Mozilla \\ud800"');
    const response = await ingestWebhook(deps, sendgridRequest(keys.privateKeyPem, STAMP, body));
    expect(response).toEqual({ status: 200, body: { accepted: 49, quarantined: 1, duplicate: 0 } });
    const [quarantineKey] = await lake.keys("quarantine/sendgrid/events/");
    const [line] = ndjsonLines(await lake.read(quarantineKey as string));
    expect(line).toMatchObject({ _record_id: "evt-17", reasons: [JSON_DEFECTS.loneSurrogate] });
    expect(await lake.read(quarantineKey as string)).toContain('"useragent":"Mozilla \\ud800"');
    const rows = await loadRaw("sendgrid", "events");
    expect(rows).toHaveLength(49);
    expect(rows.map((r) => r._record_id)).not.toContain("evt-17");
  });

  it("is what the warehouse refuses: a raw file holding it fails to load as a whole", async () => {
    const line = `{"_record_id":"r","_source":"sendgrid","_stream":"events","_received_at":"${NOW.toISOString()}","_batch_id":"b","_object":"o","payload":{"ip":"\\ud800"}}\n`;
    const key = "raw/sendgrid/events/dt=2026-03-01/bad.ndjson";
    await lake.store.put(key, line);
    const warehouse = await lake.warehouse();
    await expect(
      warehouse.load({
        table: rawTableSpec("sendgrid", "events"),
        sourceUris: [lake.store.uriOf(key)],
        jobId: "test_bad_surrogate",
      }),
    ).rejects.toBeInstanceOf(LoadJobFailedError);
  });
});

describe("a record whose readers would disagree: duplicate JSON keys", () => {
  it("quarantines a Shopify order whose total appears twice, though its last value passes the contract", async () => {
    // JSON.parse (and so the contract) sees the last total; DuckDB and BigQuery read the first.
    const body = JSON.stringify(vectorOrders.order450789469).replace(
      '"total_price":"598.94"',
      '"total_price":"-5.00","total_price":"598.94"',
    );
    expect(body).toContain('"total_price":"-5.00","total_price":"598.94"');
    const response = await ingestWebhook(deps, shopifyRequest(body));
    expect(response).toEqual({ status: 200, body: { accepted: 0, quarantined: 1, duplicate: 0 } });
    const [key] = await lake.keys("quarantine/shopify/orders/");
    expect(ndjsonLines(await lake.read(key as string))[0]).toMatchObject({
      _record_id: "450789469:2008-01-10T16:00:00Z",
      reasons: [JSON_DEFECTS.duplicateKey],
      headers: expect.objectContaining({ "X-Shopify-Topic": "orders/create" }),
    });
    expect(await lake.keys("raw/")).toEqual([]);
  });

  it("quarantines a SendGrid event with a nested duplicate key and lands the rest of the batch", async () => {
    const body = batchWith('"meta":{"email":"a@example.com","email":"b@example.com"}');
    const response = await ingestWebhook(deps, sendgridRequest(keys.privateKeyPem, STAMP, body));
    expect(response.body).toEqual({ accepted: 49, quarantined: 1, duplicate: 0 });
    expect(await loadRaw("sendgrid", "events")).toHaveLength(49);
  });

  it("keeps an event whose NUL escape (\\u0000) the warehouse loads as it is", async () => {
    const body = batchWith('"reason":"a\\u0000b"');
    const response = await ingestWebhook(deps, sendgridRequest(keys.privateKeyPem, STAMP, body));
    expect(response.body).toEqual({ accepted: 50, quarantined: 0, duplicate: 0 });
    const rows = await loadRaw("sendgrid", "events");
    expect(rows.find((r) => r._record_id === "evt-17")?.payload).toContain('"reason":"a\\u0000b"');
  });
});
