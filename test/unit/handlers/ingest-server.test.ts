import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type IngestServer, startIngestServer } from "../../../functions/handlers/ingest-server.js";
import { createEnvSecrets } from "../../../functions/platform/env-secrets.js";
import type { ObjectStore } from "../../../functions/platform/ports.js";
import { rawHttp } from "../../support/raw-http.js";
import { vectorOrders } from "../sources/vectors.js";
import { SHOPIFY_SECRET, shopifyRequest } from "./deliveries.js";
import { capturingLogger, createLake, fixedClock, type Lake } from "./harness.js";

const body = JSON.stringify(vectorOrders.order450789469);
const signed = (text: string) => shopifyRequest(text).headers as Record<string, string>;

let lake: Lake;
let server: IngestServer | undefined;
let logs: ReturnType<typeof capturingLogger>;

async function serve(options: { maxBodyBytes?: number; store?: ObjectStore } = {}) {
  server = await startIngestServer({
    deps: {
      store: options.store ?? lake.store,
      secrets: createEnvSecrets({ SHOPIFY_WEBHOOK_SECRET: SHOPIFY_SECRET }),
      clock: fixedClock(new Date("2026-03-01T12:00:00Z")),
      logger: logs.logger,
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    },
  });
  return server.url;
}

beforeEach(async () => {
  lake = await createLake();
  logs = capturingLogger();
});
afterEach(async () => {
  await server?.close({ graceMs: 0 });
  server = undefined;
  await lake.cleanup();
});

describe("the ingest server", () => {
  it("lands an order posted to /webhooks/shopify and answers with counts", async () => {
    const url = await serve();
    const response = await rawHttp(url, { path: "/webhooks/shopify", headers: signed(body), body });
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(response.body)).toEqual({ accepted: 1, quarantined: 0, duplicate: 0 });
    expect(await lake.keys("raw/shopify/orders/")).toHaveLength(1);
  });

  it("answers GET /healthz with 200 and a webhook path it does not serve with 404, echoing nothing", async () => {
    const url = await serve();
    const health = await rawHttp(url, { method: "GET", path: "/healthz" });
    expect([health.status, JSON.parse(health.body)]).toEqual([200, { status: "ok" }]);
    const unknown = await rawHttp(url, { path: "/webhooks/<script>alert(1)</script>", body: "{}" });
    expect([unknown.status, unknown.body]).toEqual([404, '{"error":"not found"}']);
    const get = await rawHttp(url, { method: "GET", path: "/webhooks/shopify" });
    expect([get.status, get.headers.allow]).toEqual([405, "POST"]);
  });

  it("refuses a declared Content-Length above the limit with 413 before reading the body", async () => {
    const url = await serve({ maxBodyBytes: 2048 });
    const chunks = (function* () {
      for (let i = 0; i < 4096; i++) yield Buffer.alloc(16 * 1024, 0x20);
    })();
    const response = await rawHttp(url, {
      path: "/webhooks/shopify",
      headers: signed(body),
      body: chunks,
      contentLength: 64 * 1024 * 1024,
    });
    expect([response.status, JSON.parse(response.body)]).toEqual([
      413,
      { error: "body larger than 2048 bytes" },
    ]);
    expect(response.headers.connection).toBe("close");
    expect(response.bytesSent).toBeLessThan(64 * 1024 * 1024);
    expect(await lake.keys("")).toEqual([]);
  });

  it("stops reading a chunked body that grows past the limit and answers 413", async () => {
    const url = await serve({ maxBodyBytes: 2048 });
    const chunks = Array.from({ length: 10 }, () => Buffer.alloc(1000, 0x20));
    const response = await rawHttp(url, {
      path: "/webhooks/shopify",
      headers: signed(body),
      body: chunks,
      chunked: true,
    });
    expect([response.status, JSON.parse(response.body)]).toEqual([
      413,
      { error: "body larger than 2048 bytes" },
    ]);
    expect(await lake.keys("")).toEqual([]);
  });

  it("answers 413 without sending 100 Continue when a client asks before sending a large body", async () => {
    const url = await serve({ maxBodyBytes: 2048 });
    const response = await rawHttp(url, {
      path: "/webhooks/shopify",
      headers: { ...signed(body), expect: "100-continue" },
      body: [],
      contentLength: 10_000,
    });
    expect(response.status).toBe(413);
  });

  it("refuses a gzip body with 415 and stores nothing", async () => {
    const url = await serve();
    const zipped = gzipSync(body);
    const response = await rawHttp(url, {
      path: "/webhooks/shopify",
      headers: { ...signed(body), "content-encoding": "gzip" },
      body: zipped,
    });
    expect([response.status, JSON.parse(response.body)]).toEqual([
      415,
      { error: "content encodings are not accepted; send the body uncompressed" },
    ]);
    expect(await lake.keys("")).toEqual([]);
  });

  it("answers 401 with a short reason and no secret", async () => {
    const url = await serve();
    const headers = shopifyRequest(body, { secret: "wrong" }).headers as Record<string, string>;
    const response = await rawHttp(url, { path: "/webhooks/shopify", headers, body });
    expect([response.status, response.body]).toEqual([401, '{"error":"invalid_hmac"}']);
  });

  it("answers malformed HTTP with a JSON 400, not HTML", async () => {
    const url = await serve();
    const response = await rawHttp(url, {
      path: "",
      raw: "POST /webhooks/shopify HTTP/1.1\r\nhost: x\r\ncontent-length: abc\r\n\r\n{}",
    });
    expect([response.status, response.body]).toEqual([400, '{"error":"malformed HTTP request"}']);
  });

  it("answers 503 with no detail, and logs no error message, when the store throws something odd", async () => {
    const exploding: ObjectStore = {
      ...lake.store,
      put: () => {
        throw new SyntaxError('Unexpected token in JSON: "person@example.com"');
      },
    };
    const url = await serve({ store: exploding });
    const response = await rawHttp(url, { path: "/webhooks/shopify", headers: signed(body), body });
    expect(response.status).toBe(503);
    expect(response.body).toBe('{"error":"could not store the delivery; retry later"}');
    expect(logs.lines().join("\n")).not.toContain("person@example.com");
  });

  it("lets a request in flight finish when the server is closed", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: ObjectStore = {
      ...lake.store,
      put: async (key, value, options) => {
        await gate;
        return lake.store.put(key, value, options);
      },
    };
    const url = await serve({ store: slow });
    const pending = rawHttp(url, { path: "/webhooks/shopify", headers: signed(body), body });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = server?.close({ graceMs: 5_000 });
    release();
    const response = await pending;
    await closed;
    server = undefined;
    expect(response.status).toBe(200);
    expect(await lake.keys("raw/")).toHaveLength(1);
  });
});
