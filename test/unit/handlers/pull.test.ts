import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  handlePullEvent,
  PullFailedError,
  type PullHandlerDeps,
  pullBudgetMs,
} from "../../../functions/handlers/pull.js";
import { pubsubCloudEvent } from "../../../functions/platform/cloudevents.js";
import { createEnvSecrets } from "../../../functions/platform/env-secrets.js";
import { loadConnections } from "../../../functions/sources/connections.js";
import { type FakeVendor, fakeSource, startFakeVendor } from "../core/pull/fake-vendor.js";
import { capturingLogger, createLake, fixedClock, type Lake, ndjsonLines } from "./harness.js";

let lake: Lake;
let vendor: FakeVendor;
beforeEach(async () => {
  lake = await createLake();
  vendor = await startFakeVendor(5);
  vendor.items = [
    { id: 1, updated_at: "2026-03-01T10:00:00.000Z" },
    { id: 2, updated_at: "2026-03-01T10:01:00.000Z" },
  ];
});
afterEach(async () => {
  await vendor.close();
  await lake.cleanup();
});

const message = (data: unknown) =>
  pubsubCloudEvent({
    project: "p",
    topic: "pull",
    messageId: "m-1",
    data,
    publishTime: new Date("2026-03-01T12:00:00Z"),
  });

function deps(env: Record<string, string>, logger = capturingLogger().logger): PullHandlerDeps {
  const source = fakeSource(() => vendor.url);
  return {
    store: lake.store,
    clock: fixedClock(new Date("2026-03-01T12:00:00Z")),
    logger,
    fetch: globalThis.fetch,
    sleep: async () => undefined,
    retry: {
      retries: 1,
      minBackoffMs: 1,
      maxBackoffMs: 2,
      maxRateLimitWaits: 1,
      maxRateLimitWaitMs: 10,
    },
    sources: new Map([[source.name, source]]),
    connections: loadConnections(env, ["acme"]),
    secrets: createEnvSecrets(env),
    budgetMs: 60_000,
  };
}

const twoUnits = JSON.stringify([
  { source: "acme", id: "eu", businessUnit: "Europe" },
  { source: "acme", id: "us", businessUnit: "Americas" },
]);

describe("the pull function", () => {
  it("pulls the scheduled stream for every configured connection, each into its own pages", async () => {
    const outcome = await handlePullEvent(
      deps({ UNISTACK_CONNECTIONS: twoUnits }),
      message({ source: "acme", stream: "items" }),
    );
    expect(outcome).toMatchObject({
      action: "pulled",
      runs: [
        { connection: "eu", status: "done", records: 2 },
        { connection: "us", status: "done", records: 2 },
      ],
    });
    expect(await lake.keys("pull/acme/eu/items/windows/")).toHaveLength(2);
    expect(await lake.keys("pull/acme/us/items/windows/")).toHaveLength(2);
    const raw = await lake.keys("raw/acme/items/");
    expect(raw).toHaveLength(2);
    const lines = (await Promise.all(raw.map((k) => lake.read(k)))).flatMap(ndjsonLines);
    expect(lines).toHaveLength(4);
  });

  it("acknowledges a message that names no pulled stream, logging an error for the alert", async () => {
    const log = capturingLogger();
    for (const data of [{ source: "acme" }, { source: "nope", stream: "items" }, "hello"]) {
      const outcome = await handlePullEvent(deps({}, log.logger), message(data));
      expect(outcome.action).toBe("ignored");
    }
    expect(log.lines().filter((l) => l.includes('"severity":"ERROR"'))).toHaveLength(3);
    expect(vendor.requests).toHaveLength(0);
  });

  it("runs every connection, then fails when one could not finish, so Pub/Sub redelivers", async () => {
    vendor.faults.push({ status: 500 }, { status: 500 });
    const error = await handlePullEvent(
      deps({ UNISTACK_CONNECTIONS: twoUnits }),
      message({ source: "acme", stream: "items" }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PullFailedError);
    expect((error as Error).message).toMatch(/acme\/eu\/items stopped in window 1/);
    expect(await lake.keys("pull/acme/us/items/windows/")).toHaveLength(2);
  });

  it("refuses a connection list that is not valid, naming the variable and the field", () => {
    expect(() =>
      loadConnections(
        { UNISTACK_CONNECTIONS: '[{"source":"acme","id":"EU!","businessUnit":""}]' },
        ["acme"],
      ),
    ).toThrow(
      /UNISTACK_CONNECTIONS is not valid: 0\.id: .*; 0\.businessUnit: businessUnit is required/,
    );
    expect(() =>
      loadConnections({ UNISTACK_CONNECTIONS: '[{"source":"zzz","id":"a","businessUnit":"x"}]' }, [
        "acme",
      ]),
    ).toThrow(/no source "zzz"/);
    expect(() => pullBudgetMs({ UNISTACK_PULL_BUDGET_SECONDS: "9000" })).toThrow(/10 to 3300/);
  });
});
