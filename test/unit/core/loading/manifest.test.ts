import { describe, expect, it } from "vitest";
import {
  type LakeFile,
  loadJobId,
  ManifestSchema,
  planManifests,
  splitManifest,
} from "../../../../functions/core/loading/manifest.js";
import { at, file, limits } from "./manifest-fixtures.js";

const orders = (files: LakeFile[]) => [{ source: "shopify", stream: "orders", files }];

describe("planning batches", () => {
  it("cuts a table's files in key order into batches of at most maxFiles", () => {
    const plan = planManifests(
      orders([file(4), file(1), file(3), file(0), file(2)]),
      limits,
      "s",
      at,
    );
    expect(plan.map((m) => m.files.map((f) => f.generation))).toEqual([
      ["1000", "1001", "1002"],
      ["1003", "1004"],
    ]);
    for (const m of plan) expect(ManifestSchema.parse(m)).toEqual(m);
  });

  it("closes a batch before it would pass maxBytes, but never leaves a big file out", () => {
    const plan = planManifests(
      orders([file(0, 600), file(1, 600), file(2, 5_000)]),
      limits,
      "s",
      at,
    );
    expect(plan.map((m) => m.files.length)).toEqual([1, 1, 1]);
  });

  it("plans at most maxManifestsPerTable batches per table; the rest waits", () => {
    const files = Array.from({ length: 10 }, (_, i) => file(i));
    const plan = planManifests(orders(files), { ...limits, maxManifestsPerTable: 2 }, "s", at);
    expect(plan.flatMap((m) => m.files).length).toBe(6);
  });

  it("gives the same files the same id within a lease and a new id in another", () => {
    const files = [file(0), file(1)];
    const [a] = planManifests(orders(files), limits, "lease-1", at);
    const [b] = planManifests(orders([...files].reverse()), limits, "lease-1", at);
    const [c] = planManifests(orders(files), limits, "lease-2", at);
    expect(a?.id).toBe(b?.id);
    expect(a?.id).not.toBe(c?.id);
    expect(loadJobId({ id: a?.id ?? "", attempt: 2 })).toBe(`unistack_load_${a?.id}_2`);
  });
});

describe("splitting a failed batch", () => {
  it("halves it into children whose ids derive from the parent, the same every time", () => {
    const [parent] = planManifests(orders([file(0), file(1), file(2)]), limits, "s", at);
    if (!parent) throw new Error("no manifest");
    const [left, right] = splitManifest(parent, at);
    expect(left.files.map((f) => f.key)).toEqual([file(0).key, file(1).key]);
    expect(right.files.map((f) => f.key)).toEqual([file(2).key]);
    expect([left.depth, right.depth, left.parent]).toEqual([1, 1, parent.id]);
    expect(splitManifest(parent, new Date()).map((m) => m.id)).toEqual([left.id, right.id]);
    expect(() => splitManifest(right, at)).toThrow(/one file/);
  });
});
