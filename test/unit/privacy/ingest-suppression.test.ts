import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingestWebhook } from "../../../functions/core/ingest/ingest-webhook.js";
import { identifierKey } from "../../../functions/core/privacy/identifiers.js";
import { saltedKey } from "../../../functions/core/privacy/salted-key.js";
import { suppress } from "../../../functions/core/privacy/suppression-list.js";
import {
  env,
  keys,
  NOW,
  STAMP,
  sendgridEvent,
  sendgridRequest,
  shopifyRequest,
} from "../handlers/deliveries.js";
import {
  capturingLogger,
  createLake,
  fixedClock,
  ingestDeps,
  type Lake,
  ndjsonLines,
} from "../handlers/harness.js";
import { vectorOrders } from "../sources/vectors.js";

const SALT = "5a".repeat(32);
let lake: Lake;
let logs: ReturnType<typeof capturingLogger>;

beforeEach(async () => {
  lake = await createLake();
  logs = capturingLogger();
});
afterEach(() => lake.cleanup());

function depsWith(extraEnv: Record<string, string> = { UNISTACK_PRIVACY_SALT: SALT }) {
  return ingestDeps(lake, {
    env: { ...env, ...extraEnv },
    clock: fixedClock(NOW),
    logger: logs.logger,
  });
}

async function erase(...identifiers: Array<[string, string]>): Promise<void> {
  const keysToAdd = identifiers.map(([kind, value]) =>
    saltedKey(SALT, identifierKey(kind, value) as string),
  );
  await suppress(
    { warehouse: await lake.warehouse(), store: lake.store },
    { salt: SALT, keys: keysToAdd, erasureId: "er_test_0001", at: NOW },
  );
}

async function rawLines(prefix: string) {
  const lines = [];
  for (const key of await lake.keys(prefix)) lines.push(...ndjsonLines(await lake.read(key)));
  return lines;
}

describe("ingest consults the suppression list of erased people", () => {
  it("drops an erased person's SendGrid events, lands everyone else's and says how many it dropped", async () => {
    await erase(["email", "person2@example.com"]);
    const body = JSON.stringify([sendgridEvent(1), sendgridEvent(2), sendgridEvent(3)]);
    const response = await ingestWebhook(
      depsWith(),
      sendgridRequest(keys.privateKeyPem, STAMP, body),
    );
    expect(response).toEqual({
      status: 200,
      body: { accepted: 2, quarantined: 0, duplicate: 0, suppressed: 1 },
    });
    const emails = (await rawLines("raw/")).map((l) => (l.payload as { email: string }).email);
    expect(emails.sort()).toEqual(["person1@example.com", "person3@example.com"]);
  });

  it("recognises the person however the vendor wrote the address, and in an invalid record too", async () => {
    await erase(["email", "person2@example.com"]);
    const body = JSON.stringify([
      sendgridEvent(2, { email: "  PERSON2 @Example.com" }),
      sendgridEvent(4, { email: "person2@example.com", timestamp: "not a number" }),
      sendgridEvent(5),
    ]);
    const response = await ingestWebhook(
      depsWith(),
      sendgridRequest(keys.privateKeyPem, STAMP, body),
    );
    expect(response.body).toEqual({ accepted: 1, quarantined: 0, duplicate: 0, suppressed: 2 });
    expect(await lake.keys("quarantine/")).toEqual([]);
  });

  it("drops a Shopify order whose customer phone is on the list, written another way", async () => {
    const vector = vectorOrders.order450789469 as Record<string, unknown>;
    const order = {
      ...vector,
      customer: {
        ...(vector.customer as Record<string, unknown>),
        phone: "+1 (613) 555-0123",
        email: "nobody-else@example.com",
      },
      email: "nobody-else@example.com",
      contact_email: null,
    };
    await erase(["phone", "0016135550123"]);
    const response = await ingestWebhook(depsWith(), shopifyRequest(JSON.stringify(order)));
    expect(response.body).toEqual({ accepted: 0, quarantined: 0, duplicate: 0, suppressed: 1 });
    expect(await lake.keys("")).not.toContain(expect.stringMatching(/^raw\//));
  });

  it("keeps the batch key of the whole delivery, so a vendor's retry of a delivery landed before the erasure lands nothing", async () => {
    const body = JSON.stringify([sendgridEvent(1), sendgridEvent(2), sendgridEvent(3)]);
    const deps = depsWith();
    await ingestWebhook(deps, sendgridRequest(keys.privateKeyPem, STAMP, body));
    const landed = await lake.keys("raw/");
    await erase(["email", "person2@example.com"]);
    const retry = await ingestWebhook(depsWith(), sendgridRequest(keys.privateKeyPem, STAMP, body));
    expect(retry.body).toEqual({ accepted: 0, quarantined: 0, duplicate: 2, suppressed: 1 });
    expect(await lake.keys("raw/")).toEqual(landed);
  });

  it("drops an unparsable body that names an erased person instead of quarantining it", async () => {
    await erase(["email", "person2@example.com"]);
    const body = `[{"email":"person2@example.com","event":"open",`;
    const response = await ingestWebhook(
      depsWith(),
      sendgridRequest(keys.privateKeyPem, STAMP, body),
    );
    expect(response.status).toBe(400);
    expect(await lake.keys("quarantine/")).toEqual([]);
  });

  it("answers 503 and lands nothing while the list exists but the salt is not configured", async () => {
    await erase(["email", "person2@example.com"]);
    const body = JSON.stringify([sendgridEvent(1)]);
    const response = await ingestWebhook(
      depsWith({}),
      sendgridRequest(keys.privateKeyPem, STAMP, body),
    );
    expect(response).toEqual({
      status: 503,
      body: { error: "could not check the delivery against erasure requests; retry later" },
    });
    expect(await lake.keys("raw/")).toEqual([]);
    expect(logs.lines().join("\n")).not.toContain("person1@example.com");
  });

  it("refuses a salt other than the one that made the list", async () => {
    await erase(["email", "person2@example.com"]);
    const body = JSON.stringify([sendgridEvent(1)]);
    const other = depsWith({ UNISTACK_PRIVACY_SALT: "7b".repeat(32) });
    const response = await ingestWebhook(other, sendgridRequest(keys.privateKeyPem, STAMP, body));
    expect(response.status).toBe(503);
  });

  it("lands everything and reads no salt while nobody was erased", async () => {
    const body = JSON.stringify([sendgridEvent(1)]);
    const response = await ingestWebhook(
      depsWith({}),
      sendgridRequest(keys.privateKeyPem, STAMP, body),
    );
    expect(response.body).toEqual({ accepted: 1, quarantined: 0, duplicate: 0 });
  });
});
