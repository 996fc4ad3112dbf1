import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PullIncompleteError } from "../../../../functions/core/pull/errors.js";
import { type PullDeps, runPull } from "../../../../functions/core/pull/run-pull.js";
import type { PullConnection } from "../../../../functions/core/pull/source.js";
import { createEnvSecrets } from "../../../../functions/platform/env-secrets.js";
import type { ObjectStore } from "../../../../functions/platform/ports.js";
import {
  capturingLogger,
  createLake,
  fixedClock,
  type Lake,
  ndjsonLines,
} from "../../handlers/harness.js";
import { type FakeVendor, fakeSource, type Item, startFakeVendor } from "./fake-vendor.js";

const connection: PullConnection = {
  id: "eu",
  businessUnit: "europe",
  settings: {},
  secrets: createEnvSecrets({}),
};

const item = (id: number, minute: number): Item => ({
  id,
  updated_at: `2026-03-01T10:${String(minute).padStart(2, "0")}:00.000Z`,
});

let lake: Lake;
let vendor: FakeVendor;

beforeEach(async () => {
  lake = await createLake();
  vendor = await startFakeVendor(3);
});
afterEach(async () => {
  await vendor.close();
  await lake.cleanup();
});

function deps(overrides: Partial<PullDeps> = {}): PullDeps {
  return {
    store: lake.store,
    clock: fixedClock(new Date("2026-03-01T12:00:00Z")),
    logger: capturingLogger().logger,
    fetch: globalThis.fetch,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    retry: {
      retries: 3,
      minBackoffMs: 5,
      maxBackoffMs: 20,
      maxRateLimitWaits: 5,
      maxRateLimitWaitMs: 5_000,
    },
    ...overrides,
  };
}

const source = () => fakeSource(() => vendor.url);

/** Every raw record id of the stream in the lake, as many times as it was landed. */
async function landedIds(): Promise<string[]> {
  const ids: string[] = [];
  for (const key of await lake.keys("raw/acme/items/")) {
    for (const line of ndjsonLines(await lake.read(key))) ids.push(String(line._record_id));
  }
  return ids.sort();
}

const idsOf = (items: Item[]) => items.map((i) => `${i.id}:${i.updated_at}`).sort();

describe("runPull", () => {
  it("lands every record of the window once, across pages, and the next run pulls only what changed since", async () => {
    vendor.items = Array.from({ length: 8 }, (_, i) => item(i + 1, i));
    const first = await runPull(deps(), { source: source(), connection, stream: "items" });
    expect(first).toMatchObject({ status: "done", pages: 3, records: 8, resumed: false });
    expect(await landedIds()).toEqual(idsOf(vendor.items));

    const later = fixedClock(new Date("2026-03-01T13:00:00Z"));
    vendor.items.push(item(3, 0), { id: 9, updated_at: "2026-03-01T12:30:00.000Z" });
    vendor.items[2] = { id: 3, updated_at: "2026-03-01T12:10:00.000Z" };
    const second = await runPull(deps({ clock: later }), {
      source: source(),
      connection,
      stream: "items",
    });
    expect(second).toMatchObject({ status: "done", records: 2 });
    expect(second.window?.from).toBe("2026-03-01T12:00:00.000Z");
    const ids = await landedIds();
    expect(ids).toContain("3:2026-03-01T12:10:00.000Z");
    expect(ids).toContain("9:2026-03-01T12:30:00.000Z");
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("resumes after a crash between journaling a page and writing it, with no gap and no duplicate, although the vendor's pages shifted meanwhile", async () => {
    vendor.items = Array.from({ length: 9 }, (_, i) => item(i + 1, i));
    const original = idsOf(vendor.items);
    let rawWrites = 0;
    const crashing: ObjectStore = {
      ...lake.store,
      put: async (key, body, options) => {
        if (key.startsWith("raw/") && ++rawWrites === 2) throw new Error("killed");
        return lake.store.put(key, body, options);
      },
    };
    await expect(
      runPull(deps({ store: crashing }), { source: source(), connection, stream: "items" }),
    ).rejects.toBeInstanceOf(PullIncompleteError);
    // Meanwhile item 5 (on page 2, journaled but not written) changes at the vendor and leaves
    // the window: page 2 asked again would hold items 4, 6, 7. The journal keeps what was read.
    vendor.items[4] = { id: 5, updated_at: "2026-03-01T12:30:00.000Z" };
    const resumed = await runPull(deps(), { source: source(), connection, stream: "items" });
    expect(resumed).toMatchObject({ status: "done", resumed: true });
    const ids = await landedIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(original);
  });

  it("waits exactly as long as a 429's Retry-After asks before the next request, then goes on", async () => {
    vendor.items = [item(1, 0), item(2, 1)];
    vendor.faults.push({ status: 429, headers: { "retry-after": "1" } });
    const log = capturingLogger();
    const outcome = await runPull(deps({ logger: log.logger }), {
      source: source(),
      connection,
      stream: "items",
    });
    expect(outcome).toMatchObject({ status: "done", records: 2 });
    const [limited, next] = vendor.requests;
    expect(limited?.status).toBe(429);
    expect((next?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(990);
    const waits = log
      .lines()
      .map((l) => JSON.parse(l) as { message?: string; waitMs?: number })
      .filter((l) => l.message?.startsWith("rate limited"));
    expect(waits.map((w) => w.waitMs)).toEqual([1000]);
  });

  it("retries a vendor 5xx with backoff and lands the page once", async () => {
    vendor.items = [item(1, 0)];
    vendor.faults.push({ status: 503 }, { status: 502 });
    const outcome = await runPull(deps(), { source: source(), connection, stream: "items" });
    expect(outcome).toMatchObject({ status: "done", records: 1 });
    expect(vendor.requests.map((r) => r.status)).toEqual([503, 502, 200]);
    expect(await landedIds()).toEqual(idsOf(vendor.items));
  });

  it("fails loudly when the vendor keeps failing, records where it stopped in ops, and the next run resumes there", async () => {
    vendor.items = Array.from({ length: 7 }, (_, i) => item(i + 1, i));
    const warehouse = await lake.warehouse();
    let pages = 0;
    const failing = deps({
      warehouse,
      fetch: async (input, init) => {
        if (++pages >= 2) return new Response("{}", { status: 500 });
        return globalThis.fetch(input, init);
      },
    });
    const error = await runPull(failing, { source: source(), connection, stream: "items" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PullIncompleteError);
    expect((error as Error).message).toMatch(
      /stopped in window 1 after 1 page\(s\): TransientPullError \(HTTP 500\).*run the pull again to resume from page 2/,
    );
    expect((error as Error).message).not.toContain("someone@example.com");
    const stopped = JSON.parse(await lake.read("pull/acme/eu/items/stopped.json")) as Record<
      string,
      unknown
    >;
    expect(stopped).toMatchObject({
      window: 1,
      pages: 1,
      cursor: "2026-03-01T10:02:00.000Z|000003",
    });
    const [row] = await warehouse.query(
      "SELECT status, stopped_at_page, stopped_at_cursor, error, business_unit FROM ops_pull.pull_runs",
    );
    expect(row).toMatchObject({
      status: "failed",
      stopped_at_page: 1,
      stopped_at_cursor: "2026-03-01T10:02:00.000Z|000003",
      business_unit: "europe",
    });

    const resumed = await runPull(deps({ warehouse }), {
      source: source(),
      connection,
      stream: "items",
    });
    expect(resumed).toMatchObject({ status: "done", resumed: true, pages: 2, records: 4 });
    expect(await landedIds()).toEqual(idsOf(vendor.items));
    const statuses = await warehouse.query(
      "SELECT status FROM ops_pull.pull_runs ORDER BY finished_at",
    );
    expect(statuses.map((r) => r.status)).toEqual(["failed", "done"]);
  });

  it("stops at once on a 401 and says to check the credentials", async () => {
    vendor.faults.push({ status: 401 });
    await expect(
      runPull(deps(), { source: source(), connection, stream: "items" }),
    ).rejects.toThrow(/HTTP 401.*check the connection's credentials/);
    expect(vendor.requests).toHaveLength(1);
  });

  it("lets two runs started together land each page once", async () => {
    vendor.items = Array.from({ length: 12 }, (_, i) => item(i + 1, i));
    const results = await Promise.all([
      runPull(deps(), { source: source(), connection, stream: "items" }),
      runPull(deps(), { source: source(), connection, stream: "items" }),
    ]);
    expect(results.map((r) => r.status).sort()).toContain("done");
    const ids = await landedIds();
    if (results.some((r) => r.status === "busy")) {
      await runPull(deps(), { source: source(), connection, stream: "items" });
    }
    const after = await landedIds();
    expect(new Set(after).size).toBe(after.length);
    expect(after).toEqual(idsOf(vendor.items));
    expect(ids.length).toBeLessThanOrEqual(after.length);
  });

  it("quarantines a record that breaks the contract with its reason, and lands the rest", async () => {
    vendor.items = [item(1, 0), item(2, 1), item(3, 2), { ...item(4, 3), id: -4 }];
    const outcome = await runPull(deps(), { source: source(), connection, stream: "items" });
    expect(outcome).toMatchObject({ records: 3, quarantined: 1 });
    const [key] = await lake.keys("quarantine/acme/items/");
    const [line] = ndjsonLines(await lake.read(key ?? ""));
    expect(line?.reasons).toEqual([expect.stringMatching(/^id: /)]);
  });

  it("answers up_to_date when nothing can have changed since the last window", async () => {
    vendor.items = [item(1, 0)];
    await runPull(deps(), { source: source(), connection, stream: "items" });
    const again = await runPull(deps(), { source: source(), connection, stream: "items" });
    expect(again.status).toBe("up_to_date");
  });
});
