import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDeliveries } from "../../../functions/cli/demo/synthetic/generate.js";
import {
  generateSendgridKeyPair,
  signSendgridDelivery,
} from "../../../functions/cli/demo/synthetic/sign-sendgrid.js";
import { signShopifyDelivery } from "../../../functions/cli/demo/synthetic/sign-shopify.js";
import { type IngestServer, startIngestServer } from "../../../functions/handlers/ingest-server.js";
import { createEnvSecrets } from "../../../functions/platform/env-secrets.js";
import { createLogger } from "../../../functions/platform/logger.js";
import type { ObjectStore } from "../../../functions/platform/ports.js";
import {
  type CloudLoggingLine,
  EMAIL,
  parseCloudLoggingLines,
} from "../../support/cloud-logging.js";
import { rawHttp } from "../../support/raw-http.js";
import { createLake, type Lake } from "../handlers/harness.js";

const now = new Date();
const secret = "shpss_logging_test";
const keys = generateSendgridKeyPair();
const generated = generateDeliveries({ contacts: 60, seed: 11, now });

let lake: Lake;
let server: IngestServer;
const raw: string[] = [];
let lines: CloudLoggingLine[] = [];
const traceOf = new Map<string, string>();
/** Values a sender chose: none may appear in a log line. */
const senderValues = new Set<string>();

beforeAll(async () => {
  lake = await createLake();
  const destination = new Writable({
    write(chunk, _encoding, done) {
      raw.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const logger = createLogger({
    level: "debug",
    destination,
    service: "ingest",
    version: "ingest-00042-abc",
    projectId: "unistack-test",
  });
  let failNext = false;
  const store: ObjectStore = {
    ...lake.store,
    put(key, body, options) {
      if (failNext) {
        failNext = false;
        return Promise.reject(
          Object.assign(new Error("write to person@example.com failed"), { code: 503 }),
        );
      }
      return lake.store.put(key, body, options);
    },
  };
  server = await startIngestServer({
    deps: {
      store,
      secrets: createEnvSecrets({
        SHOPIFY_WEBHOOK_SECRET: secret,
        SENDGRID_WEBHOOK_PUBLIC_KEY: keys.publicKeyBase64,
      }),
      clock: { now: () => new Date() },
      logger,
    },
  });
  const stamp = Math.floor(Date.now() / 1000);
  const post = async (
    delivery: { path: string; headers: Record<string, string>; body: string },
    trace: string,
  ) => {
    for (const [name, value] of Object.entries(delivery.headers)) {
      // SendGrid's timestamp header is the current second, which every log line's own
      // timestamp also holds; it is no one's data.
      if (!/timestamp/i.test(name)) senderValues.add(value);
    }
    await rawHttp(server.url, {
      path: delivery.path,
      headers: {
        ...delivery.headers,
        traceparent: `00-${trace}-${randomBytes(8).toString("hex")}-01`,
      },
      body: delivery.body,
    });
  };
  for (const [index, delivery] of generated.deliveries.entries()) {
    const signature =
      delivery.source === "shopify"
        ? signShopifyDelivery(secret, delivery.body)
        : signSendgridDelivery(keys.privateKeyPem, stamp, delivery.body);
    const trace = randomBytes(16).toString("hex");
    traceOf.set(`${index}`, trace);
    await post({ ...delivery, headers: { ...delivery.headers, ...signature } }, trace);
  }
  const order = generated.deliveries.find((d) => d.source === "shopify");
  if (!order) throw new Error("no Shopify delivery generated");
  // The run's unhappy paths: a forged signature, a truncated body, a storage failure.
  await post(
    { ...order, headers: { ...order.headers, "X-Shopify-Hmac-Sha256": "Zm9yZ2Vk" } },
    "a".repeat(32),
  );
  const truncated = order.body.slice(0, 40);
  await post(
    {
      ...order,
      body: truncated,
      headers: { ...order.headers, ...signShopifyDelivery(secret, truncated) },
    },
    "b".repeat(32),
  );
  failNext = true;
  await post(
    { ...order, headers: { ...order.headers, ...signShopifyDelivery(secret, order.body) } },
    "c".repeat(32),
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  lines = parseCloudLoggingLines(raw);
}, 120_000);

afterAll(async () => {
  await server?.close({ graceMs: 0 });
  await lake?.cleanup();
});

describe("the logs of a whole ingest run", () => {
  it("are all valid Cloud Logging entries, with the service for Error Reporting", () => {
    expect(lines.length).toBeGreaterThan(generated.deliveries.length);
    for (const line of lines) {
      expect(line.serviceContext).toEqual({ service: "ingest", version: "ingest-00042-abc" });
    }
    expect(new Set(lines.map((l) => l["logging.googleapis.com/insertId"])).size).toBe(lines.length);
  });

  it("group every request's lines under the trace Cloud Run's header names", () => {
    const traced = lines.filter((l) => l["logging.googleapis.com/trace"]);
    expect(traced.length).toBeGreaterThan(generated.deliveries.length);
    const known = new Set([...traceOf.values(), "a".repeat(32), "b".repeat(32), "c".repeat(32)]);
    for (const line of traced) {
      const trace = line["logging.googleapis.com/trace"]?.replace(
        "projects/unistack-test/traces/",
        "",
      );
      expect(known.has(trace as string)).toBe(true);
      expect(line["logging.googleapis.com/spanId"]).toMatch(/^[0-9a-f]{16}$/);
      expect(line["logging.googleapis.com/trace_sampled"]).toBe(true);
    }
    const forged = lines.filter((l) => l["logging.googleapis.com/trace"]?.endsWith("a".repeat(32)));
    expect(forged.map((l) => [l.severity, l.message])).toEqual([
      ["WARNING", "webhook not verified"],
    ]);
  });

  it("report a failure with a stack trace Error Reporting can group, and no message detail", () => {
    const errors = lines.filter((l) => l.severity === "ERROR");
    expect(errors.map((l) => l.message)).toEqual(["could not land batch"]);
    expect(errors[0]?.stack_trace).toMatch(/^Error: Error \(message withheld/);
    expect(errors[0]?.["logging.googleapis.com/trace"]).toMatch(/c{32}$/);
  });

  it("give each line its own fields only (nothing carried over from an earlier line)", () => {
    const ingested = lines.filter((l) => l.message === "webhook ingested");
    expect(ingested.length).toBeGreaterThan(0);
    for (const line of ingested) {
      expect(Object.keys(line)).not.toContain("key");
      expect(Object.keys(line)).not.toContain("reasons");
    }
  });

  it("contain no email, payload, header value or sender-chosen id", () => {
    const text = raw.join("\n");
    expect(text).not.toMatch(EMAIL);
    for (const value of senderValues) {
      if (value.length >= 8) expect(text, value).not.toContain(value);
    }
    const eventIds = generated.deliveries
      .filter((d) => d.source === "sendgrid")
      .flatMap((d) => (JSON.parse(d.body) as { sg_event_id?: string }[]).map((e) => e.sg_event_id));
    expect(eventIds.length).toBeGreaterThan(0);
    for (const id of eventIds) if (id) expect(text).not.toContain(id);
  });
});
