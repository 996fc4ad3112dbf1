import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { signSendgridDelivery } from "../../../functions/cli/demo/synthetic/sign-sendgrid.js";
import { signShopifyDelivery } from "../../../functions/cli/demo/synthetic/sign-shopify.js";
import { ingestWebhook } from "../../../functions/core/ingest/ingest-webhook.js";
import {
  env,
  keys,
  NOW,
  SHOPIFY_SECRET,
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

/**
 * The lake keeps what the vendor sent, byte for byte: a signed body that is not UTF-8 is never
 * repaired with replacement characters and landed as if it had been sent that way.
 */

let lake: Lake;
let deps: ReturnType<typeof ingestDeps>;

beforeEach(async () => {
  lake = await createLake();
  deps = ingestDeps(lake, { env, clock: fixedClock(NOW), logger: capturingLogger().logger });
});
afterEach(() => lake.cleanup());

/** `text` with `MARK` replaced by raw bytes. */
function withBytes(text: string, bytes: number[]): Buffer {
  const [before, after] = text.split("MARK") as [string, string];
  return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
}

describe("a signed body that is not valid UTF-8", () => {
  it("is quarantined byte for byte with a 400, and nothing reaches raw", async () => {
    const text = JSON.stringify([sendgridEvent(1, { reason: "MARK" })]);
    const body = withBytes(text, [0xff, 0xfe, 0x41]);
    const request = sendgridRequest(keys.privateKeyPem, STAMP, text);
    const headers = {
      ...request.headers,
      ...signSendgridDelivery(keys.privateKeyPem, STAMP, body),
    };
    const response = await ingestWebhook(deps, { ...request, headers, rawBody: body });
    expect(response).toEqual({ status: 400, body: { error: "body is not valid UTF-8 JSON" } });
    expect(await lake.keys("raw/")).toEqual([]);
    const [key, ...others] = await lake.keys("quarantine/");
    expect(others).toEqual([]);
    const [line] = ndjsonLines(await lake.read(key as string));
    expect(Buffer.from(String(line?.raw_body_base64), "base64").equals(body)).toBe(true);
  });

  it("is quarantined when the bad byte is a lone UTF-8 continuation byte", async () => {
    const order = '{"id":1,"note":"MARK"}';
    const body = withBytes(order, [0x80]);
    const request = shopifyRequest(order);
    const headers = { ...request.headers, ...signShopifyDelivery(SHOPIFY_SECRET, body) };
    const response = await ingestWebhook(deps, { ...request, headers, rawBody: body });
    expect(response.status).toBe(400);
    expect(await lake.keys("raw/")).toEqual([]);
    expect(await lake.keys("quarantine/shopify/unparsed/")).toHaveLength(1);
  });
});

describe("a signed body in valid UTF-8", () => {
  it("lands accents, non-Latin scripts and emoji exactly as sent", async () => {
    const event = sendgridEvent(2, { reason: "Zustellung an Jörg fehlgeschlagen — 配達失敗 📭" });
    const text = JSON.stringify([event]);
    const response = await ingestWebhook(deps, sendgridRequest(keys.privateKeyPem, STAMP, text));
    expect(response).toEqual({ status: 200, body: { accepted: 1, quarantined: 0, duplicate: 0 } });
    const [key] = await lake.keys("raw/");
    expect(await lake.read(key as string)).toContain(
      '"reason":"Zustellung an Jörg fehlgeschlagen — 配達失敗 📭"',
    );
  });
});
