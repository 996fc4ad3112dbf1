import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingestWebhook } from "../../../../functions/core/ingest/ingest-webhook.js";
import { hubspotSignatureV3 } from "../../../../functions/sources/hubspot/verify.js";
import { vectorFile } from "../../../vectors-dir.js";
import {
  capturingLogger,
  createLake,
  fixedClock,
  ingestDeps,
  type Lake,
  ndjsonLines,
} from "../../handlers/harness.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const SECRET = "hubspot-client-secret";
const documented = (
  JSON.parse(readFileSync(vectorFile("hubspot-webhook.json"), "utf8")) as {
    payload_example: { body_raw: string };
  }
).payload_example.body_raw;

let lake: Lake;
beforeEach(async () => {
  lake = await createLake();
});
afterEach(() => lake.cleanup());

interface HubspotRequest {
  source: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  rawBody: Uint8Array;
}

function request(
  body: string,
  options: { at?: Date; secret?: string; url?: string } = {},
): HubspotRequest {
  const timestamp = String((options.at ?? NOW).getTime());
  const url = options.url ?? "/webhooks/hubspot";
  const signature = hubspotSignatureV3(options.secret ?? SECRET, {
    method: "POST",
    uri: `https://hooks.example.com${url}`,
    body,
    timestamp,
  });
  return {
    source: "hubspot",
    method: "POST",
    url,
    headers: {
      host: "hooks.example.com",
      "content-type": "application/json",
      "x-hubspot-signature-v3": signature,
      "x-hubspot-request-timestamp": timestamp,
    },
    rawBody: new TextEncoder().encode(body),
  };
}

const send = (req: HubspotRequest, maxBodyBytes?: number) =>
  ingestWebhook(
    ingestDeps(lake, {
      env: { HUBSPOT_CLIENT_SECRET: SECRET },
      clock: fixedClock(NOW),
      logger: capturingLogger().logger,
      ...(maxBodyBytes ? { maxBodyBytes } : {}),
    }),
    req,
  );

const event = (over: Record<string, unknown> = {}) => ({
  eventId: 100,
  subscriptionId: 12345,
  portalId: 62515,
  appId: 54321,
  occurredAt: NOW.getTime() - 1000,
  subscriptionType: "contact.propertyChange",
  attemptNumber: 0,
  objectId: 123,
  changeSource: "CRM",
  propertyName: "lifecyclestage",
  propertyValue: "customer",
  ...over,
});

async function rawLines(): Promise<Record<string, unknown>[]> {
  const keys = await lake.keys("raw/hubspot/events/");
  return (await Promise.all(keys.map((k) => lake.read(k)))).flatMap(ndjsonLines);
}

describe("HubSpot webhooks", () => {
  it("lands HubSpot's documented contact.creation body as one event, with its exact text", async () => {
    const response = await send(request(documented));
    expect(response).toEqual({ status: 200, body: { accepted: 1, quarantined: 0, duplicate: 0 } });
    const [line] = await rawLines();
    expect(line).toMatchObject({
      _record_id: "62515:12345:1:123:1564113600000",
      _source: "hubspot",
      _stream: "events",
      payload: JSON.parse(documented)[0],
    });
  });

  it("lands a delivery redelivered three times once, even with a new attemptNumber and signature", async () => {
    const body = JSON.stringify([event(), event({ eventId: 101, objectId: 124 })]);
    expect((await send(request(body))).body).toMatchObject({ accepted: 2 });
    for (const attempt of [1, 2, 3]) {
      const retried = JSON.stringify([
        event({ attemptNumber: attempt }),
        event({ eventId: 101, objectId: 124, attemptNumber: attempt }),
      ]);
      const later = new Date(NOW.getTime() + attempt * 60_000);
      const response = await ingestWebhook(
        ingestDeps(lake, {
          env: { HUBSPOT_CLIENT_SECRET: SECRET },
          clock: fixedClock(later),
          logger: capturingLogger().logger,
        }),
        request(retried, { at: later }),
      );
      expect(response).toEqual({
        status: 200,
        body: { accepted: 0, quarantined: 0, duplicate: 2 },
      });
    }
    expect(await rawLines()).toHaveLength(2);
  });

  describe("bad input", () => {
    const valid = JSON.stringify([event()]);
    it.each([
      [
        "tampered body",
        () => ({
          ...request(valid),
          rawBody: new TextEncoder().encode(valid.replace("customer", "lead")),
        }),
        401,
        "invalid_signature",
      ],
      [
        "replayed 10 minutes later",
        () => request(valid, { at: new Date(NOW.getTime() - 600_000) }),
        401,
        "timestamp_outside_replay_window",
      ],
      [
        "signed with another secret",
        () => request(valid, { secret: "other" }),
        401,
        "invalid_signature",
      ],
      [
        "unsigned",
        () => ({
          ...request(valid),
          headers: { host: "hooks.example.com" } as Record<string, string>,
        }),
        401,
        "missing_signature",
      ],
    ])("refuses a %s and stores nothing", async (_name, make, status, reason) => {
      const response = await send(make());
      expect(response).toEqual({ status, body: { error: reason } });
      expect(await lake.keys("")).toEqual([]);
    });

    it("keeps a truncated body byte for byte in quarantine and answers 400", async () => {
      const truncated = valid.slice(0, -7);
      const response = await send(request(truncated));
      expect(response.status).toBe(400);
      const [key] = await lake.keys("quarantine/hubspot/unparsed/");
      const [line] = ndjsonLines(await lake.read(key ?? ""));
      expect(Buffer.from(String(line?.raw_body_base64), "base64").toString()).toBe(truncated);
    });

    it("refuses an oversized body with 413 before verifying it", async () => {
      const big = JSON.stringify(Array.from({ length: 2000 }, (_, i) => event({ eventId: i })));
      expect((await send(request(big), 64 * 1024)).status).toBe(413);
      expect(await lake.keys("")).toEqual([]);
    });

    it("quarantines events of the wrong types with the field named, and lands the valid one beside them", async () => {
      const body = JSON.stringify([
        event(),
        event({ eventId: "102", objectId: 125 }),
        event({ eventId: 103, occurredAt: "yesterday" }),
        event({ eventId: 104, subscriptionType: 7 }),
      ]);
      const response = await send(request(body));
      expect(response.body).toEqual({ accepted: 1, quarantined: 3, duplicate: 0 });
      const [key] = await lake.keys("quarantine/hubspot/events/");
      const reasons = ndjsonLines(await lake.read(key ?? "")).map(
        (l) => (l.reasons as string[])[0],
      );
      expect(reasons).toEqual([
        expect.stringMatching(/^eventId: /),
        expect.stringMatching(/^occurredAt: /),
        expect.stringMatching(/^subscriptionType: /),
      ]);
      expect(JSON.stringify(reasons)).not.toContain("yesterday");
    });

    it("keeps an event about an object with no stream (ticket.creation) as unrouted, never dropped", async () => {
      const body = JSON.stringify([event({ subscriptionType: "ticket.creation" })]);
      expect((await send(request(body))).body).toEqual({
        accepted: 0,
        quarantined: 1,
        duplicate: 0,
      });
      const [key] = await lake.keys("quarantine/hubspot/unrouted/");
      const [line] = ndjsonLines(await lake.read(key ?? ""));
      expect(line?.reasons).toEqual(["subscriptionType names an object with no stream"]);
    });

    it("quarantines a body that is an object instead of HubSpot's array", async () => {
      expect((await send(request(JSON.stringify(event())))).body).toMatchObject({
        accepted: 0,
        quarantined: 1,
      });
    });
  });
});
