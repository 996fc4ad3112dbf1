import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingestWebhook } from "../../../functions/core/ingest/ingest-webhook.js";
import { sendgridVectors, shopifyVectors, vectorOrders } from "../sources/vectors.js";
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

const orderBody = JSON.stringify(vectorOrders.order450789469, null, 2);

let lake: Lake;
let logs: ReturnType<typeof capturingLogger>;
let clock: ReturnType<typeof fixedClock>;
let deps: ReturnType<typeof ingestDeps>;

beforeEach(async () => {
  lake = await createLake();
  logs = capturingLogger();
  clock = fixedClock(NOW);
  deps = ingestDeps(lake, { env, clock, logger: logs.logger });
});
afterEach(() => lake.cleanup());

describe("ingestWebhook: Shopify", () => {
  it("lands Shopify's vector order in raw, dated by its updated_at, and answers with counts", async () => {
    const response = await ingestWebhook(deps, shopifyRequest(orderBody));
    expect(response).toEqual({ status: 200, body: { accepted: 1, quarantined: 0, duplicate: 0 } });
    const [key, ...others] = await lake.keys("");
    expect(others).toEqual([]);
    expect(key).toMatch(/^raw\/shopify\/orders\/dt=2008-01-10\/[0-9a-f]{32}\.ndjson$/);
    const [line] = ndjsonLines(await lake.read(key as string));
    expect(line).toMatchObject({
      _record_id: "450789469:2008-01-10T16:00:00Z",
      _source: "shopify",
      _stream: "orders",
      _received_at: NOW.toISOString(),
      _object: key,
      payload: vectorOrders.order450789469,
    });
  });

  it("rejects a Shopify webhook whose body was changed after signing", async () => {
    const request = shopifyRequest(orderBody);
    const tampered = { ...request, rawBody: Buffer.from(orderBody.replace("598.94", "1.00")) };
    expect(await ingestWebhook(deps, tampered)).toEqual({
      status: 401,
      body: { error: "invalid_hmac" },
    });
    expect(await lake.keys("")).toEqual([]);
  });

  it("rejects a Shopify webhook without a signature", async () => {
    const request = shopifyRequest(orderBody, { headers: { "X-Shopify-Hmac-Sha256": "" } });
    expect(await ingestWebhook(deps, request)).toEqual({
      status: 401,
      body: { error: "missing_headers: X-Shopify-Hmac-Sha256" },
    });
  });

  it("accepts a delivery signed with the previous secret during a rotation", async () => {
    const rotated = ingestDeps(lake, {
      env: { SHOPIFY_WEBHOOK_SECRET: "brand-new", SHOPIFY_WEBHOOK_SECRET_PREVIOUS: SHOPIFY_SECRET },
      clock,
      logger: logs.logger,
    });
    expect((await ingestWebhook(rotated, shopifyRequest(orderBody))).status).toBe(200);
  });

  it("answers 503 when the secret is not configured, so Shopify retries later", async () => {
    const unconfigured = ingestDeps(lake, { env: {}, clock, logger: logs.logger });
    expect(await ingestWebhook(unconfigured, shopifyRequest(orderBody))).toEqual({
      status: 503,
      body: { error: "SHOPIFY_WEBHOOK_SECRET is not set" },
    });
  });

  it("lands an order with an id above 2^53 with exactly that id in the NDJSON", async () => {
    const body = orderBody.replace('"id": 450789469', '"id": 820982911946154508');
    expect((await ingestWebhook(deps, shopifyRequest(body))).status).toBe(200);
    const [key] = await lake.keys("raw/");
    const text = await lake.read(key as string);
    expect(text).toContain('"payload":{"id":820982911946154508,');
    expect(text).toContain('"_record_id":"820982911946154508:2008-01-10T16:00:00Z"');
  });

  it("quarantines an order of an unknown topic with the reason, instead of dropping it", async () => {
    const response = await ingestWebhook(
      deps,
      shopifyRequest(orderBody, { topic: "orders/teleported" }),
    );
    expect(response).toEqual({ status: 200, body: { accepted: 0, quarantined: 1, duplicate: 0 } });
    const [key] = await lake.keys("");
    expect(key).toMatch(/^quarantine\/shopify\/unrouted\/dt=2026-03-01\//);
    const [line] = ndjsonLines(await lake.read(key as string));
    expect(line).toMatchObject({
      reasons: ["unknown X-Shopify-Topic: no stream is mapped to it"],
      headers: { "X-Shopify-Topic": "orders/teleported" },
      payload: vectorOrders.order450789469,
    });
  });

  it("quarantines an order without id, with the reason and the payload", async () => {
    const { id: _id, ...withoutId } = vectorOrders.order450789469;
    const response = await ingestWebhook(deps, shopifyRequest(JSON.stringify(withoutId)));
    expect(response.body).toEqual({ accepted: 0, quarantined: 1, duplicate: 0 });
    const [key] = await lake.keys("quarantine/shopify/orders/");
    const [line] = ndjsonLines(await lake.read(key as string));
    expect(line?.reasons).toEqual(["id: Invalid input"]);
    expect(line?.payload).toEqual(withoutId);
    expect(line).not.toHaveProperty("_record_id");
  });

  it("lands a redelivered webhook once, even when the retry comes after midnight", async () => {
    const request = shopifyRequest(orderBody);
    expect((await ingestWebhook(deps, request)).body).toEqual({
      accepted: 1,
      quarantined: 0,
      duplicate: 0,
    });
    clock.set(new Date("2026-03-02T00:05:00Z"));
    expect(await ingestWebhook(deps, request)).toEqual({
      status: 200,
      body: { accepted: 0, quarantined: 0, duplicate: 1 },
    });
    expect(await lake.keys("")).toHaveLength(1);
    expect(lake.finalized).toHaveLength(1);
  });

  it("answers 503 when the object store cannot take the batch, so Shopify retries", async () => {
    const failing = {
      ...deps,
      store: {
        ...lake.store,
        put: () => Promise.reject(new Error("disk full")),
      },
    };
    expect(await ingestWebhook(failing, shopifyRequest(orderBody))).toEqual({
      status: 503,
      body: { error: "could not store the delivery; retry later" },
    });
    expect((await ingestWebhook(deps, shopifyRequest(orderBody))).body).toMatchObject({
      accepted: 1,
    });
  });
});

describe("ingestWebhook: requests that are not deliveries", () => {
  it("answers 400 to malformed JSON and keeps the exact bytes in quarantine", async () => {
    const body = '{"id": 1, "email": "broken@example.com",';
    const response = await ingestWebhook(deps, shopifyRequest(body));
    expect(response).toEqual({ status: 400, body: { error: "body is not valid UTF-8 JSON" } });
    const [key] = await lake.keys("");
    expect(key).toMatch(/^quarantine\/shopify\/unparsed\/dt=2026-03-01\/[0-9a-f]{32}\.ndjson$/);
    const [line] = ndjsonLines(await lake.read(key as string));
    expect(Buffer.from(String(line?.raw_body_base64), "base64").toString()).toBe(body);
    expect(line).toMatchObject({
      reasons: ["body is not valid UTF-8 JSON"],
      headers: { "X-Shopify-Topic": "orders/create" },
    });
  });

  it("answers 413 to a body above the limit without storing anything", async () => {
    const small = ingestDeps(lake, { env, clock, logger: logs.logger, maxBodyBytes: 1024 });
    expect(await ingestWebhook(small, shopifyRequest(orderBody))).toEqual({
      status: 413,
      body: { error: "body larger than 1024 bytes" },
    });
    expect(await lake.keys("")).toEqual([]);
  });

  it("answers 404 for a source that is not registered and 405 for a GET", async () => {
    const request = shopifyRequest(orderBody);
    expect((await ingestWebhook(deps, { ...request, source: "myspace" })).status).toBe(404);
    expect((await ingestWebhook(deps, { ...request, method: "GET" })).status).toBe(405);
  });
});

describe("ingestWebhook: SendGrid", () => {
  const events = [1, 2, 3].map((n) => sendgridEvent(n));

  it("lands a batch with one bad event: the rest land, quarantine holds the bad one with its reason", async () => {
    const bad = sendgridEvent(4, { event: "teleported" });
    const body = JSON.stringify([...events, bad]);
    const response = await ingestWebhook(deps, sendgridRequest(keys.privateKeyPem, STAMP, body));
    expect(response).toEqual({ status: 200, body: { accepted: 3, quarantined: 1, duplicate: 0 } });
    const [rawKey] = await lake.keys("raw/sendgrid/events/dt=2026-03-01/");
    const [quarantineKey] = await lake.keys("quarantine/sendgrid/events/dt=2026-03-01/");
    expect(rawKey?.split("/").pop()).toBe(quarantineKey?.split("/").pop());
    const raw = ndjsonLines(await lake.read(rawKey as string));
    expect(raw.map((l) => l._record_id)).toEqual(["evt-1", "evt-2", "evt-3"]);
    expect(raw.map((l) => l.payload)).toEqual(events);
    expect(ndjsonLines(await lake.read(quarantineKey as string))).toEqual([
      {
        _record_id: "evt-4",
        reasons: [expect.stringMatching(/^event: Invalid option: expected one of "processed"/)],
        _received_at: NOW.toISOString(),
        payload: bad,
      },
    ]);
  });

  it("lands an event repeated inside one batch once", async () => {
    const body = JSON.stringify([events[0], events[1], events[0]]);
    const response = await ingestWebhook(deps, sendgridRequest(keys.privateKeyPem, STAMP, body));
    expect(response.body).toEqual({ accepted: 2, quarantined: 0, duplicate: 1 });
  });

  it("lands the same events re-sent in a newly signed request once", async () => {
    const body = JSON.stringify(events);
    await ingestWebhook(deps, sendgridRequest(keys.privateKeyPem, STAMP, body));
    clock.set(new Date(NOW.getTime() + 120_000));
    const again = await ingestWebhook(deps, sendgridRequest(keys.privateKeyPem, STAMP + 120, body));
    expect(again.body).toEqual({ accepted: 0, quarantined: 0, duplicate: 3 });
    expect(await lake.keys("")).toHaveLength(1);
  });

  it("rejects a SendGrid delivery whose timestamp is older than 300 seconds", async () => {
    const body = JSON.stringify(events);
    const response = await ingestWebhook(
      deps,
      sendgridRequest(keys.privateKeyPem, STAMP - 301, body),
    );
    expect(response).toEqual({ status: 401, body: { error: "timestamp_outside_replay_window" } });
  });

  it("logs batch keys and reasons, never an email, a payload, a record id or a header value", async () => {
    const body = JSON.stringify([...events, sendgridEvent(9, { timestamp: "yesterday" })]);
    await ingestWebhook(deps, sendgridRequest(keys.privateKeyPem, STAMP, body));
    await ingestWebhook(deps, sendgridRequest(keys.privateKeyPem, STAMP, body));
    await ingestWebhook(deps, shopifyRequest(orderBody, { webhookId: "webhook-id-secret-7" }));
    await ingestWebhook(deps, shopifyRequest(orderBody, { topic: "orders/teleported-x" }));
    await ingestWebhook(deps, shopifyRequest('{"email":"x@example.com"'));
    const text = logs.lines().join("\n");
    const [quarantined] = await lake.keys("quarantine/sendgrid/events/");
    expect(text).toContain(quarantined);
    expect(text).toContain("timestamp: Invalid input: expected number, received string");
    for (const secret of [
      "evt-9",
      "evt-1",
      "450789469",
      "webhook-id-secret-7",
      "teleported-x",
      "demo-shop.myshopify.com",
      "yesterday",
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/);
    expect(logs.lines().map((l) => JSON.parse(l).severity)).toContain("WARNING");
  });
});

describe("ingestWebhook on the vendors' own vectors", () => {
  it.each(sendgridVectors.signature_verification.vectors.map((v) => [v.name, v] as const))(
    "SendGrid %s",
    async (_name, v) => {
      const signedAt = new Date(Number(v.timestamp) * 1000 + 10_000);
      const vectorDeps = ingestDeps(lake, {
        env: { SENDGRID_WEBHOOK_PUBLIC_KEY: v.public_key },
        clock: fixedClock(Number.isNaN(signedAt.getTime()) ? NOW : signedAt),
        logger: logs.logger,
      });
      const response = await ingestWebhook(vectorDeps, {
        source: "sendgrid",
        method: "POST",
        url: "/webhooks/sendgrid",
        headers: {
          "X-Twilio-Email-Event-Webhook-Signature": v.signature,
          "X-Twilio-Email-Event-Webhook-Timestamp": v.timestamp,
        },
        rawBody: Buffer.from(v.payload),
      });
      if (v.expected_valid) {
        const events = JSON.parse(v.payload) as unknown[];
        expect(response).toEqual({
          status: 200,
          body: { accepted: events.length, quarantined: 0, duplicate: 0 },
        });
        const [key] = await lake.keys("raw/sendgrid/events/");
        const lines = ndjsonLines(await lake.read(key as string));
        expect(lines.map((l) => l.payload)).toEqual(events);
      } else {
        expect(response.status).toBe(401);
        expect(await lake.keys("")).toEqual([]);
      }
    },
  );

  it("keeps Shopify's valid HMAC vector (a products/create delivery whose body is no product) in quarantine with the product contract's reasons", async () => {
    const vector = shopifyVectors.hmac_vectors.vectors.find((v) => v.name === "valid");
    const vectorDeps = ingestDeps(lake, {
      env: { SHOPIFY_WEBHOOK_SECRET: vector?.secret ?? "" },
      clock,
      logger: logs.logger,
    });
    const response = await ingestWebhook(vectorDeps, {
      source: "shopify",
      method: "POST",
      url: "/webhooks/shopify",
      headers: { ...vector?.headers, "X-Shopify-Hmac-Sha256": vector?.expected_hmac_sha256_base64 },
      rawBody: Buffer.from(vector?.raw_body ?? ""),
    });
    expect(response).toEqual({ status: 200, body: { accepted: 0, quarantined: 1, duplicate: 0 } });
    const [key] = await lake.keys("quarantine/shopify/products/");
    expect(ndjsonLines(await lake.read(key as string))).toEqual([
      {
        reasons: expect.arrayContaining([
          expect.stringMatching(/^id: /),
          expect.stringMatching(/^title: /),
        ]),
        _received_at: NOW.toISOString(),
        headers: expect.objectContaining({ "X-Shopify-Topic": "products/create" }),
        payload: { foo: "bar" },
      },
    ]);
  });

  it("lands Shopify's second vector order, whose email is empty and customer null", async () => {
    const response = await ingestWebhook(
      deps,
      shopifyRequest(JSON.stringify(vectorOrders.order1073459975)),
    );
    expect(response.body).toEqual({ accepted: 1, quarantined: 0, duplicate: 0 });
  });
});
