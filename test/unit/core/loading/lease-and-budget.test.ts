import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createJobBudget } from "../../../../functions/core/loading/job-budget.js";
import { acquireLease, holdLease, releaseLease } from "../../../../functions/core/loading/lease.js";
import { createFsObjectStore } from "../../../../functions/platform/local/fs-object-store.js";
import type { ObjectStore } from "../../../../functions/platform/ports.js";

let dir: string;
let store: ObjectStore;
let now: Date;
const T0 = new Date("2026-12-01T10:00:00Z");
const later = (ms: number) => new Date(T0.getTime() + ms);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "unistack-lease-"));
  store = createFsObjectStore({ root: dir });
  now = T0;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const options = (holder: string, extra: object = {}) => ({
  store,
  now: () => now,
  ttlMs: 60_000,
  holder: { holder },
  ...extra,
});

describe("the sweep lease", () => {
  it("goes to exactly one of many contenders at the same moment", async () => {
    const attempts = await Promise.all(
      Array.from({ length: 8 }, (_, i) => acquireLease(options(`s${i}`))),
    );
    expect(attempts.filter((a) => a.ok)).toHaveLength(1);
    expect(attempts.filter((a) => !a.ok).every((a) => !a.ok && a.reason === "busy")).toBe(true);
  });

  it("is free again once released, and once expired", async () => {
    const first = await acquireLease(options("a"));
    if (!first.ok) throw new Error("not acquired");
    expect((await acquireLease(options("b"))).ok).toBe(false);
    await releaseLease(store, first.lease);
    const second = await acquireLease(options("b"));
    expect(second.ok).toBe(true);
    now = later(60_001);
    expect((await acquireLease(options("c"))).ok).toBe(true);
  });

  it("is free at once when its holder is known to be gone (a killed local process)", async () => {
    await acquireLease(options("dead"));
    expect((await acquireLease(options("b", { holderGone: () => true }))).ok).toBe(true);
  });

  it("refuses within the debounce interval of the last sweep, even a released one", async () => {
    const first = await acquireLease(options("a"));
    if (!first.ok) throw new Error("not acquired");
    await releaseLease(store, first.lease);
    now = later(30_000);
    expect(await acquireLease(options("b", { minIntervalMs: 120_000 }))).toMatchObject({
      ok: false,
      reason: "recent",
    });
    now = later(120_001);
    expect((await acquireLease(options("b", { minIntervalMs: 120_000 }))).ok).toBe(true);
  });

  it("tells a holder that stalled past its lease that it lost it, and renews a live one", async () => {
    const a = await acquireLease(options("a"));
    if (!a.ok) throw new Error("not acquired");
    now = later(35_000);
    const renewed = await holdLease(options("a"), a.lease, 5_000);
    expect(renewed && Date.parse(renewed.body.expiresAt)).toBe(later(95_000).getTime());
    now = later(96_000);
    const b = await acquireLease(options("b"));
    expect(b.ok).toBe(true);
    now = later(20_000);
    expect(await holdLease(options("a"), renewed ?? a.lease, 5_000)).toBeUndefined();
  });

  it("keeps only the last few lease objects", async () => {
    for (let i = 0; i < 12; i++) {
      const lease = await acquireLease(options(`s${i}`));
      if (lease.ok) await releaseLease(store, lease.lease);
    }
    expect((await store.list("loads/lease/")).length).toBeLessThanOrEqual(5);
  });
});

describe("the daily load-job budget", () => {
  it("counts jobs per table over a rolling 24 hours, across sweeps, each job id once", async () => {
    const budget = () => createJobBudget({ store, now: () => now, perTablePerDay: 3 });
    const first = budget();
    expect([await first.take("raw.a", "j1"), await first.take("raw.a", "j2")]).toEqual([
      true,
      true,
    ]);
    now = later(5 * 3_600_000);
    const second = budget();
    expect(await second.take("raw.a", "j1")).toBe(true);
    expect([await second.take("raw.a", "j3"), await second.take("raw.a", "j4")]).toEqual([
      true,
      false,
    ]);
    expect(await second.take("raw.b", "j4")).toBe(true);
    now = later(25 * 3_600_000);
    expect(await budget().take("raw.a", "j5")).toBe(true);
    expect((await store.list("loads/job-budget/raw.a/")).map((o) => o.key)).toEqual([
      expect.stringContaining("/j3"),
      expect.stringContaining("/j5"),
    ]);
  });
});
