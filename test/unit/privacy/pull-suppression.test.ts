import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRecordMatcher } from "../../../functions/core/privacy/record-matcher.js";
import { saltedKey } from "../../../functions/core/privacy/salted-key.js";
import {
  type SuppressionSource,
  SuppressionUnavailableError,
} from "../../../functions/core/privacy/suppression-source.js";
import { PullIncompleteError } from "../../../functions/core/pull/errors.js";
import { type PullDeps, runPull } from "../../../functions/core/pull/run-pull.js";
import { createEnvSecrets } from "../../../functions/platform/env-secrets.js";
import { type FakeVendor, fakeSource, startFakeVendor } from "../core/pull/fake-vendor.js";
import {
  capturingLogger,
  createLake,
  fixedClock,
  type Lake,
  ndjsonLines,
} from "../handlers/harness.js";

const salt = "a".repeat(64);
const connection = {
  id: "eu",
  businessUnit: "europe",
  settings: {},
  secrets: createEnvSecrets({}),
};
const erased: SuppressionSource = {
  current: async () =>
    createRecordMatcher({
      salt,
      keys: new Set([saltedKey(salt, "email:kim@example.com")]),
      identifiersOf: () => undefined,
    }),
};

let lake: Lake;
let vendor: FakeVendor;
beforeEach(async () => {
  lake = await createLake();
  vendor = await startFakeVendor(2);
  vendor.items = [1, 2, 3, 4, 5].map((id) => ({
    id,
    updated_at: `2026-03-01T10:0${id}:00.000Z`,
    name: id === 2 || id === 5 ? " Kim@Example.com" : `person${id}@example.com`,
  }));
});
afterEach(async () => {
  await vendor.close();
  await lake.cleanup();
});

const deps = (suppression: SuppressionSource): PullDeps => ({
  store: lake.store,
  clock: fixedClock(new Date("2026-03-01T12:00:00Z")),
  logger: capturingLogger().logger,
  fetch: globalThis.fetch,
  sleep: async () => {},
  suppression,
});

async function landed(prefix: string): Promise<string> {
  let text = "";
  for (const key of await lake.keys(prefix)) text += await lake.read(key);
  return text;
}

describe("a pull consults the suppression list of erased people", () => {
  it("lands everyone else's records and none of an erased person's, in raw or the journal", async () => {
    const outcome = await runPull(deps(erased), {
      source: fakeSource(() => vendor.url),
      connection,
      stream: "items",
    });
    expect(outcome).toMatchObject({ status: "done", records: 3 });
    const ids = ndjsonLines(await landed("raw/acme/items/")).map((l) => l._record_id);
    expect(ids.sort()).toEqual([
      "1:2026-03-01T10:01:00.000Z",
      "3:2026-03-01T10:03:00.000Z",
      "4:2026-03-01T10:04:00.000Z",
    ]);
    expect((await landed("pull/")).toLowerCase()).not.toContain("kim@example.com");
    expect((await landed("")).toLowerCase()).not.toContain("kim@example.com");
  });

  it("stops without landing anything while the list cannot be read", async () => {
    const unreadable: SuppressionSource = {
      current: async () => {
        throw new SuppressionUnavailableError("the suppression list cannot be read: test");
      },
    };
    await expect(
      runPull(deps(unreadable), {
        source: fakeSource(() => vendor.url),
        connection,
        stream: "items",
      }),
    ).rejects.toBeInstanceOf(PullIncompleteError);
    expect(await lake.keys("raw/")).toEqual([]);
  });
});
