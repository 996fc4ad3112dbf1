import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createIngestHttpHandler,
  type HttpResponseLike,
  readRequestBody,
} from "../../../functions/handlers/ingest-http.js";
import { createEnvSecrets } from "../../../functions/platform/env-secrets.js";
import { vectorOrders } from "../sources/vectors.js";
import { SHOPIFY_SECRET, shopifyRequest } from "./deliveries.js";
import { capturingLogger, createLake, fixedClock, type Lake } from "./harness.js";

const body = JSON.stringify(vectorOrders.order450789469);

let lake: Lake;
let server: Server;
let base: string;

function handlerFor(maxBodyBytes?: number) {
  return createIngestHttpHandler(
    () => ({
      store: lake.store,
      secrets: createEnvSecrets({ SHOPIFY_WEBHOOK_SECRET: SHOPIFY_SECRET }),
      clock: fixedClock(new Date("2026-03-01T12:00:00Z")),
      logger: capturingLogger().logger,
      ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
    }),
    "shopify",
  );
}

async function serve(handler: ReturnType<typeof handlerFor>): Promise<void> {
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function post(
  headers: Record<string, string>,
  chunks: string[],
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/webhooks/shopify`, { method: "POST", headers }, (res) => {
      let text = "";
      res.on("data", (c) => {
        text += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

beforeEach(async () => {
  lake = await createLake();
});
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await lake.cleanup();
});

describe("createIngestHttpHandler on a node:http server", () => {
  it("reads the body from the request stream and lands the order", async () => {
    await serve(handlerFor());
    const headers = shopifyRequest(body).headers as Record<string, string>;
    const response = await post({ ...headers, "content-type": "application/json" }, [body]);
    expect(response).toEqual({ status: 200, body: { accepted: 1, quarantined: 0, duplicate: 0 } });
    expect(await lake.keys("raw/shopify/orders/")).toHaveLength(1);
  });

  it("answers 413 to a chunked body that grows past the limit", async () => {
    await serve(handlerFor(2048));
    const headers = shopifyRequest(body).headers as Record<string, string>;
    const chunks = Array.from({ length: 10 }, () => " ".repeat(1000));
    const response = await post({ ...headers, "transfer-encoding": "chunked" }, chunks);
    expect(response).toEqual({ status: 413, body: { error: "body larger than 2048 bytes" } });
    expect(await lake.keys("")).toEqual([]);
  });

  it("answers 401 with a short reason and no secret", async () => {
    await serve(handlerFor());
    const headers = shopifyRequest(body, { secret: "wrong" }).headers as Record<string, string>;
    const response = await post(headers, [body]);
    expect(response).toEqual({ status: 401, body: { error: "invalid_hmac" } });
    expect(JSON.stringify(response)).not.toContain(SHOPIFY_SECRET);
  });
});

describe("createIngestHttpHandler with the functions-framework's request", () => {
  it("uses req.rawBody as the bytes to verify and land", async () => {
    const handler = handlerFor();
    const request = shopifyRequest(body);
    const sent: { status?: number; body?: string | undefined; headers: Record<string, string> } = {
      headers: {},
    };
    const res: HttpResponseLike = {
      statusCode: 0,
      setHeader(name, value) {
        sent.headers[name] = value;
      },
      end(text) {
        sent.status = this.statusCode;
        sent.body = text;
      },
    };
    await handler(
      {
        method: "POST",
        url: "/",
        headers: request.headers as Record<string, string>,
        rawBody: Buffer.from(body),
      },
      res,
    );
    expect(sent.status).toBe(200);
    expect(sent.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(sent.body ?? "")).toEqual({ accepted: 1, quarantined: 0, duplicate: 0 });
  });
});

describe("readRequestBody", () => {
  it("refuses a declared Content-Length above the limit before reading", async () => {
    const stream = {
      headers: { "content-length": "999999" },
      async *[Symbol.asyncIterator]() {
        yield Buffer.from("x");
      },
    };
    await expect(readRequestBody(stream, 10)).rejects.toThrow("body larger than 10 bytes");
  });
});
