import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type IngestRequest,
  type IngestResponse,
  ingestWebhook,
} from "../../../functions/core/ingest/ingest-webhook.js";
import { type IngestServer, startIngestServer } from "../../../functions/handlers/ingest-server.js";
import { WEBHOOK_SOURCES, webhookPath } from "../../../functions/sources/registry.js";
import { SIGNED_SAMPLES, type SignedSample } from "../../fixtures/signed-samples/index.js";
import { rawHttp } from "../../support/raw-http.js";
import {
  capturingLogger,
  createLake,
  fixedClock,
  ingestDeps,
  type Lake,
} from "../handlers/harness.js";

/**
 * Every registered webhook source refuses what is not a genuine delivery, through the ingest
 * service as deployed (our HTTP server, real lake folder) and through the use case directly (which
 * sees header values exactly as given, e.g. whitespace that an HTTP parser would trim): a verifier
 * that accepts everything, or only checks that a header is there, fails here. A source added to
 * the registry without a signed sample in `test/fixtures/signed-samples/` fails the first test.
 */

const NOW = new Date("2026-03-01T12:00:00Z");

it("has a signed sample for every registered webhook source", () => {
  const missing = WEBHOOK_SOURCES.map((s) => s.name).filter((name) => !SIGNED_SAMPLES[name]);
  expect(missing, "add a signed sample in test/fixtures/signed-samples/index.ts").toEqual([]);
});

function sampleFor(source: string): SignedSample {
  const sample = SIGNED_SAMPLES[source];
  if (!sample) throw new Error(`no signed sample for "${source}" in test/fixtures/signed-samples`);
  return sample;
}

/** Header names as the server sees them (lower-case), so cases can drop or blank them. */
function lowerCased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

type Send = (request: IngestRequest) => Promise<Pick<IngestResponse, "status" | "body">>;

const TRANSPORTS = ["the ingest server", "the ingest use case"] as const;
const CASES = WEBHOOK_SOURCES.flatMap((s) => TRANSPORTS.map((t) => [s.name, t] as const));

describe.each(CASES)("the %s webhook through %s", (source, transport) => {
  let lake: Lake;
  let server: IngestServer | undefined;
  let send: Send;

  /** Serves `source` with these secrets, on a fresh lake, through the transport under test. */
  async function serve(env: Record<string, string>): Promise<void> {
    await server?.close({ graceMs: 0 });
    server = undefined;
    const deps = ingestDeps(lake, {
      env,
      clock: fixedClock(NOW),
      logger: capturingLogger().logger,
    });
    if (transport === "the ingest use case") {
      send = (request) => ingestWebhook(deps, request);
      return;
    }
    const started = await startIngestServer({ deps });
    server = started;
    send = async (request) => {
      const response = await rawHttp(started.url, {
        path: request.url,
        headers: request.headers as Record<string, string>,
        body: request.rawBody,
      });
      return { status: response.status, body: JSON.parse(response.body) };
    };
  }

  beforeEach(async () => {
    lake = await createLake();
    await serve({ ...sampleFor(source).env });
  });
  afterEach(async () => {
    await server?.close({ graceMs: 0 });
    server = undefined;
    await lake.cleanup();
  });

  function delivery(
    options: {
      body?: Uint8Array;
      signedBody?: Uint8Array;
      at?: Date;
      signer?: "configured" | "stranger";
      edit?: (headers: Record<string, string>) => void;
    } = {},
  ): IngestRequest {
    const sample = sampleFor(source);
    const body = options.body ?? Buffer.from(sample.body);
    const headers = lowerCased(
      sample.headers(options.signedBody ?? body, options.at ?? NOW, options.signer ?? "configured"),
    );
    options.edit?.(headers);
    return { source, method: "POST", url: webhookPath(source), headers, rawBody: body };
  }

  async function expectRefused(request: IngestRequest, status = 401): Promise<void> {
    const response = await send(request);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ error: expect.any(String) });
    expect(await lake.keys("")).toEqual([]);
  }

  it("lands the genuine signed delivery in raw", async () => {
    const response = await send(delivery());
    expect(response).toMatchObject({ status: 200, body: { quarantined: 0, duplicate: 0 } });
    expect((response.body as { accepted: number }).accepted).toBeGreaterThan(0);
    const keys = await lake.keys("");
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith(`raw/${source}/`))).toBe(true);
  });

  it("refuses a delivery without any signature header with 401 and lands nothing", async () => {
    const names = sampleFor(source).signatureHeaders.map((n) => n.toLowerCase());
    await expectRefused(
      delivery({
        edit: (h) => {
          for (const name of names) delete h[name];
        },
      }),
    );
  });

  it.each(sampleFor(source).signatureHeaders.map((n) => [n] as const))(
    "refuses a delivery whose %s header is missing",
    async (name) => {
      await expectRefused(
        delivery({
          edit: (h) => {
            delete h[name.toLowerCase()];
          },
        }),
      );
    },
  );

  it.each(sampleFor(source).signatureHeaders.map((n) => [n] as const))(
    "refuses a delivery whose %s header is whitespace only",
    async (name) => {
      await expectRefused(
        delivery({
          edit: (h) => {
            h[name.toLowerCase()] = " \t ";
          },
        }),
      );
    },
  );

  it("refuses a body changed after signing, even by one trailing space", async () => {
    const signed = Buffer.from(sampleFor(source).body);
    await expectRefused(
      delivery({ signedBody: signed, body: Buffer.concat([signed, Buffer.from(" ")]) }),
    );
  });

  it("refuses a body with one digit changed after signing", async () => {
    const signed = sampleFor(source).body;
    const digit = /:\s*(\d)/.exec(signed);
    if (!digit) throw new Error(`the ${source} sample needs a number to change`);
    const at = digit.index + digit[0].length - 1;
    const changed = `${signed.slice(0, at)}${digit[1] === "9" ? "8" : Number(digit[1]) + 1}${signed.slice(at + 1)}`;
    expect(JSON.parse(changed)).not.toEqual(JSON.parse(signed));
    await expectRefused(delivery({ signedBody: Buffer.from(signed), body: Buffer.from(changed) }));
  });

  it("refuses a delivery signed with a secret it was not configured with", async () => {
    await expectRefused(delivery({ signer: "stranger" }));
  });

  it("refuses a delivery whose signature belongs to another delivery", async () => {
    const other = delivery({ body: Buffer.from(`${sampleFor(source).body}\n`) });
    const names = sampleFor(source).signatureHeaders.map((n) => n.toLowerCase());
    await expectRefused(
      delivery({
        edit: (h) => {
          for (const name of names) h[name] = String(other.headers[name]);
        },
      }),
    );
  });

  it("answers 503 (retry later) and lands nothing while its secret is not configured", async () => {
    await serve({});
    await expectRefused(delivery(), 503);
  });

  it("lands a replayed genuine delivery only once", async () => {
    expect((await send(delivery())).status).toBe(200);
    const first = await lake.keys("");
    const again = await send(delivery());
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accepted: 0 });
    expect(await lake.keys("")).toEqual(first);
  });

  const window = sampleFor(source).replayWindowSeconds;
  if (window !== null) {
    it("refuses a delivery signed just outside the replay window, before or after now", async () => {
      const stale = new Date(NOW.getTime() - (window + 1) * 1000);
      const future = new Date(NOW.getTime() + (window + 1) * 1000);
      await expectRefused(delivery({ at: stale }));
      await expectRefused(delivery({ at: future }));
      const edge = new Date(NOW.getTime() - window * 1000);
      expect((await send(delivery({ at: edge }))).status).toBe(200);
    });
  }
});
