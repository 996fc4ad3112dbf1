import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type IngestServer, startIngestServer } from "../../../functions/handlers/ingest-server.js";
import { createEnvSecrets } from "../../../functions/platform/env-secrets.js";
import { loadConnections } from "../../../functions/sources/connections.js";
import { SOURCE_NAMES } from "../../../functions/sources/source-names.js";
import { rawHttp } from "../../support/raw-http.js";
import { vectorOrders } from "../sources/vectors.js";
import { shopifyRequest } from "./deliveries.js";
import { capturingLogger, createLake, fixedClock, type Lake, ndjsonLines } from "./harness.js";

const body = JSON.stringify(vectorOrders.order450789469);
const signedWith = (secret: string) =>
  shopifyRequest(body, { secret }).headers as Record<string, string>;

const EU_SECRET = "shpss_europe_shop";
const US_SECRET = "shpss_us_shop";

/** Two shops of one company, each with its business unit and its own webhook secret. */
const CONNECTIONS = JSON.stringify([
  {
    source: "shopify",
    id: "eu-shop",
    businessUnit: "Europe",
    secrets: { SHOPIFY_WEBHOOK_SECRET: "SHOPIFY_WEBHOOK_SECRET_EU" },
  },
  {
    source: "shopify",
    id: "us-shop",
    businessUnit: "Americas",
    secrets: { SHOPIFY_WEBHOOK_SECRET: "SHOPIFY_WEBHOOK_SECRET_US" },
  },
]);

let lake: Lake;
let server: IngestServer | undefined;
beforeEach(async () => {
  lake = await createLake();
});
afterEach(async () => {
  await server?.close({ graceMs: 0 });
  server = undefined;
  await lake.cleanup();
});

async function serve(): Promise<string> {
  server = await startIngestServer({
    deps: {
      store: lake.store,
      secrets: createEnvSecrets({
        SHOPIFY_WEBHOOK_SECRET_EU: EU_SECRET,
        SHOPIFY_WEBHOOK_SECRET_US: US_SECRET,
      }),
      clock: fixedClock(new Date("2026-03-01T12:00:00Z")),
      logger: capturingLogger().logger,
      connections: loadConnections({ UNISTACK_CONNECTIONS: CONNECTIONS }, SOURCE_NAMES),
    },
  });
  return server.url;
}

async function rawLines(): Promise<Record<string, unknown>[]> {
  const keys = await lake.keys("raw/shopify/orders/");
  return (await Promise.all(keys.map((k) => lake.read(k)))).flatMap(ndjsonLines);
}

describe("webhooks of several connections of one source", () => {
  it("lands each shop's delivery with its connection and business unit, the same order twice when both shops send it", async () => {
    const url = await serve();
    for (const [path, secret] of [
      ["/webhooks/shopify/eu-shop", EU_SECRET],
      ["/webhooks/shopify/us-shop", US_SECRET],
    ] as const) {
      const response = await rawHttp(url, { path, headers: signedWith(secret), body });
      expect([path, response.status, JSON.parse(response.body)]).toEqual([
        path,
        200,
        { accepted: 1, quarantined: 0, duplicate: 0 },
      ]);
    }
    const lines = await rawLines();
    expect(lines.map((l) => [l._connection, l._business_unit]).sort()).toEqual([
      ["eu-shop", "Europe"],
      ["us-shop", "Americas"],
    ]);
    // A redelivery to one shop lands nothing new.
    const again = await rawHttp(url, {
      path: "/webhooks/shopify/eu-shop",
      headers: signedWith(EU_SECRET),
      body,
    });
    expect(JSON.parse(again.body)).toMatchObject({ accepted: 0, duplicate: 1 });
  });

  it("verifies a delivery with its own connection's secret: one shop cannot sign for another", async () => {
    const url = await serve();
    const forged = await rawHttp(url, {
      path: "/webhooks/shopify/eu-shop",
      headers: signedWith(US_SECRET),
      body,
    });
    expect([forged.status, JSON.parse(forged.body)]).toEqual([401, { error: "invalid_hmac" }]);
    expect(await rawLines()).toEqual([]);
  });

  it("answers 404 for a connection that is not configured, and for the unnamed path once a source has named connections", async () => {
    const url = await serve();
    for (const path of ["/webhooks/shopify/other-shop", "/webhooks/shopify"]) {
      const response = await rawHttp(url, { path, headers: signedWith(EU_SECRET), body });
      expect([path, response.status]).toEqual([path, 404]);
    }
    expect(await rawLines()).toEqual([]);
  });

  it("keeps the unnamed path as connection 'default' when a source has no connection configured", async () => {
    server = await startIngestServer({
      deps: {
        store: lake.store,
        secrets: createEnvSecrets({ SHOPIFY_WEBHOOK_SECRET: EU_SECRET }),
        clock: fixedClock(new Date("2026-03-01T12:00:00Z")),
        logger: capturingLogger().logger,
        connections: loadConnections({}, SOURCE_NAMES),
      },
    });
    const response = await rawHttp(server.url, {
      path: "/webhooks/shopify",
      headers: signedWith(EU_SECRET),
      body,
    });
    expect(response.status).toBe(200);
    expect((await rawLines()).map((l) => [l._connection, l._business_unit])).toEqual([
      ["default", "default"],
    ]);
  });
});
