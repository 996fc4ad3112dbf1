import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ObjectStore, PutResult, StoredObject } from "../../functions/platform/ports.js";

export interface ObjectStoreHarness {
  readonly store: ObjectStore;
  /**
   * Objects the platform reported as finalized so far (the local store's callback; on GCS the
   * notifications it publishes), once every write made before the call has been reported.
   */
  finalized(): Promise<StoredObject[]>;
  cleanup(): Promise<void>;
}

export interface ObjectStoreContractOptions {
  /** Runs once after the whole suite (stops emulators shared by its tests). */
  readonly teardown?: () => Promise<void>;
}

/**
 * The behaviour every ObjectStore adapter must have (GCS and the local folder alike). `create`
 * answers a fresh, empty store per test, or a reason to skip (an emulator that is not installed).
 */
export function describeObjectStoreContract(
  name: string,
  create: () => Promise<ObjectStoreHarness | string>,
  options: ObjectStoreContractOptions = {},
): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let h: ObjectStoreHarness;
    let skipped: string | undefined;
    beforeEach(async (ctx) => {
      const made = await create();
      if (typeof made === "string") {
        skipped = made;
        ctx.skip(made);
      } else h = made;
    });
    afterEach(async () => {
      if (!skipped) await h.cleanup();
    });
    afterAll(async () => {
      await options.teardown?.();
    });

    it("returns exactly the bytes that were put", async () => {
      const bytes = new Uint8Array([0, 1, 2, 250, 255]);
      await h.store.put("raw/a/b/dt=2026-01-01/x.ndjson", bytes);
      const got = await h.store.get("raw/a/b/dt=2026-01-01/x.ndjson");
      expect(got && [...got]).toEqual([...bytes]);
    });

    it("answers undefined for a missing object instead of throwing", async () => {
      expect(await h.store.get("raw/nothing/here.ndjson")).toBeUndefined();
      expect(await h.store.stat("raw/nothing/here.ndjson")).toBeUndefined();
    });

    it("does not replace an existing object when asked to create it only if absent", async () => {
      const first = await h.store.put("ledger/event-1", "first", { ifAbsent: true });
      const second = await h.store.put("ledger/event-1", "second", { ifAbsent: true });
      expect(first).toMatchObject({ created: true, object: { key: "ledger/event-1", size: 5 } });
      // The key only: reading the object that won would need read permission on the lake.
      expect(second).toEqual({ created: false, key: "ledger/event-1" });
      expect(new TextDecoder().decode(await h.store.get("ledger/event-1"))).toBe("first");
    });

    it("lets exactly one of many concurrent create-if-absent writers win", async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          h.store.put("race/key", `writer-${i}`, { ifAbsent: true }),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
    });

    it("overwrites without ifAbsent and gives the new version a different generation", async () => {
      const a = created(await h.store.put("state/cursor.json", '{"v":1}'));
      await new Promise((r) => setTimeout(r, 5));
      const b = created(await h.store.put("state/cursor.json", '{"v":2}'));
      expect(new TextDecoder().decode(await h.store.get("state/cursor.json"))).toBe('{"v":2}');
      expect(b.generation).not.toBe(a.generation);
      expect(await h.store.stat("state/cursor.json")).toEqual(b);
    });

    it("lists objects under a prefix in key order with their sizes", async () => {
      await h.store.put("raw/s/orders/dt=2026-01-02/b.ndjson", "bb");
      await h.store.put("raw/s/orders/dt=2026-01-01/a.ndjson", "a");
      await h.store.put("raw/s/events/dt=2026-01-01/c.ndjson", "ccc");
      const listed = await h.store.list("raw/s/orders/");
      expect(listed.map((o) => [o.key, o.size])).toEqual([
        ["raw/s/orders/dt=2026-01-01/a.ndjson", 1],
        ["raw/s/orders/dt=2026-01-02/b.ndjson", 2],
      ]);
      expect((await h.store.list("raw/s/")).length).toBe(3);
      expect(await h.store.list("nothing/")).toEqual([]);
    });

    it("reports each newly written object as finalized, but not a skipped create-if-absent", async () => {
      await h.store.put("raw/s/t/dt=2026-01-01/one.ndjson", "1", { ifAbsent: true });
      await h.store.put("raw/s/t/dt=2026-01-01/one.ndjson", "1", { ifAbsent: true });
      expect((await h.finalized()).map((o) => o.key)).toEqual(["raw/s/t/dt=2026-01-01/one.ndjson"]);
    });

    it("deletes objects, and deleting a missing one is not an error", async () => {
      await h.store.put("tmp/x", "x");
      await h.store.delete("tmp/x");
      await h.store.delete("tmp/x");
      expect(await h.store.get("tmp/x")).toBeUndefined();
    });

    it("rejects keys that would escape the bucket", async () => {
      await expect(h.store.put("../outside", "x")).rejects.toThrow(/invalid object key/);
      await expect(h.store.put("/abs", "x")).rejects.toThrow(/invalid object key/);
    });
  });
}

function created(result: PutResult): StoredObject {
  if (!result.created) throw new Error(`expected ${result.key} to be written`);
  return result.object;
}
