import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingestWebhook } from "../../../../functions/core/ingest/ingest-webhook.js";
import { env, NOW, shopifyRequest } from "../../handlers/deliveries.js";
import {
  capturingLogger,
  createLake,
  fixedClock,
  ingestDeps,
  type Lake,
  ndjsonLines,
} from "../../handlers/harness.js";
import { customer, dataRequest, product, redact, refund, shopRedact } from "./resource-payloads.js";

let lake: Lake;
beforeEach(async () => {
  lake = await createLake();
});
afterEach(() => lake.cleanup());

const deps = () =>
  ingestDeps(lake, { env, clock: fixedClock(NOW), logger: capturingLogger().logger });
const send = (topic: string, body: unknown) =>
  ingestWebhook(deps(), shopifyRequest(JSON.stringify(body), { topic }));

async function landed(stream: string): Promise<Record<string, unknown>[]> {
  const keys = await lake.keys(`raw/shopify/${stream}/`);
  return (await Promise.all(keys.map((k) => lake.read(k)))).flatMap(ndjsonLines);
}

describe("Shopify customers, products, refunds and privacy webhooks", () => {
  it.each([
    ["customers/create", "customers", customer, "706405506930370000:2022-01-01T00:00:00Z"],
    ["customers/update", "customers", customer, "706405506930370000:2022-01-01T00:00:00Z"],
    ["products/update", "products", product, "788032119674292900:2022-01-01T00:00:00Z"],
    ["refunds/create", "refunds", refund, "509562969"],
    [
      "customers/delete",
      "customer_deletions",
      { id: 706405506930370000, phone: null, addresses: [] },
      "706405506930370000:deleted",
    ],
    [
      "customers/redact",
      "customers_redact",
      redact,
      expect.stringMatching(/^customers_redact:954889:191167:[0-9a-f]{16}$/),
    ],
    ["customers/data_request", "customers_data_request", dataRequest, "data_request:9999"],
    ["shop/redact", "shop_redact", shopRedact, "shop_redact:954889"],
  ])(
    "lands a %s webhook in stream %s with its record id",
    async (topic, stream, body, recordId) => {
      const response = await send(topic, body);
      expect(response).toEqual({
        status: 200,
        body: { accepted: 1, quarantined: 0, duplicate: 0 },
      });
      const [line] = await landed(stream);
      expect(line).toMatchObject({ _record_id: recordId, _source: "shopify", _stream: stream });
    },
  );

  it("keeps ids above 2^53 digit for digit in raw", async () => {
    const text = JSON.stringify(customer).replace("706405506930370000", "706405506930370084");
    await ingestWebhook(deps(), shopifyRequest(text, { topic: "customers/create" }));
    const [key] = await lake.keys("raw/shopify/customers/");
    expect(await lake.read(key ?? "")).toContain('"id":706405506930370084');
  });

  it("lands a privacy request redelivered three times once, dated by its receive day", async () => {
    for (let i = 0; i < 4; i++) {
      const response = await ingestWebhook(
        deps(),
        shopifyRequest(JSON.stringify(redact), { topic: "customers/redact", webhookId: `w-${i}` }),
      );
      expect(response.body).toEqual(
        i === 0
          ? { accepted: 1, quarantined: 0, duplicate: 0 }
          : { accepted: 0, quarantined: 0, duplicate: 1 },
      );
    }
    const keys = await lake.keys("raw/shopify/customers_redact/");
    expect(keys).toEqual([
      expect.stringMatching(/^raw\/shopify\/customers_redact\/dt=2026-03-01\//),
    ]);
  });

  it("quarantines a customer with the wrong types and a refund with a negative amount, naming the fields", async () => {
    expect(
      (await send("customers/update", { ...customer, updated_at: 1640995200 })).body,
    ).toMatchObject({ quarantined: 1 });
    const bad = { ...refund, transactions: [{ ...refund.transactions[0], amount: "-199.99" }] };
    expect((await send("refunds/create", bad)).body).toMatchObject({ quarantined: 1 });
    const reasons = [];
    for (const stream of ["customers", "refunds"]) {
      const [key] = await lake.keys(`quarantine/shopify/${stream}/`);
      reasons.push(
        ...ndjsonLines(await lake.read(key ?? "")).flatMap((l) => l.reasons as string[]),
      );
    }
    expect(reasons).toEqual([
      expect.stringMatching(/^updated_at: /),
      expect.stringMatching(/^transactions\.0\.amount: /),
    ]);
  });

  it("still keeps a topic with no stream (collections/create) as unrouted", async () => {
    expect((await send("collections/create", { id: 1 })).body).toEqual({
      accepted: 0,
      quarantined: 1,
      duplicate: 0,
    });
    expect(await lake.keys("quarantine/shopify/unrouted/")).toHaveLength(1);
  });
});
