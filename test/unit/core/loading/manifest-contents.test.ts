import { describe, expect, it } from "vitest";
import {
  fileId,
  type LakeFile,
  type Manifest,
  ManifestSchema,
  manifestKey,
  planManifests,
  splitManifest,
} from "../../../../functions/core/loading/manifest.js";
import { at, file, limits } from "./manifest-fixtures.js";

const later = new Date("2026-12-02T08:30:00Z");
const table = (source: string, stream: string, files: LakeFile[]) => ({ source, stream, files });

function only(manifests: readonly Manifest[]): Manifest {
  expect(manifests).toHaveLength(1);
  return manifests[0] as Manifest;
}

describe("a planned manifest", () => {
  it("holds exactly what the load job and the ledger need: table, files (key, generation, size, dt), time, depth 0, attempt 0", () => {
    const listed = { ...file(0, 42), etag: "abc", contentType: "application/x-ndjson" };
    const m = only(planManifests([table("shopify", "orders", [listed])], limits, "lease-7", at));
    expect(m).toEqual({
      version: 1,
      id: expect.stringMatching(/^m[0-9a-f]{32}$/),
      source: "shopify",
      stream: "orders",
      files: [{ key: file(0).key, generation: "1000", size: 42, dt: "2026-12-01" }],
      createdAt: "2026-12-01T10:00:00.000Z",
      depth: 0,
      attempt: 0,
    });
    expect(ManifestSchema.parse(m)).toEqual(m);
  });

  it("is stored under loads/manifests/<source>_<stream>/<id>.json, and a file version is named key#generation", () => {
    const m = only(planManifests([table("sendgrid", "events", [file(1)])], limits, "s", at));
    expect(manifestKey(m)).toBe(`loads/manifests/sendgrid_events/${m.id}.json`);
    expect(fileId(file(1))).toBe(`${file(1).key}#1001`);
  });

  it("gets an id of its own per table even when the table names run together, and per file version", () => {
    const files = [file(0)];
    const ids = [
      only(planManifests([table("ab", "c", files)], limits, "s", at)).id,
      only(planManifests([table("a", "bc", files)], limits, "s", at)).id,
      only(planManifests([table("a", "bc", [{ ...file(0), generation: "2000" }])], limits, "s", at))
        .id,
      only(planManifests([table("a", "bc", files)], limits, "s2", at)).id,
    ];
    expect(new Set(ids).size).toBe(4);
  });

  it("fills a batch up to exactly maxBytes, and starts the next one past it", () => {
    const plan = planManifests(
      [table("shopify", "orders", [file(0, 400), file(1, 600), file(2, 1)])],
      limits,
      "s",
      at,
    );
    expect(plan.map((m) => m.files.map((f) => f.size))).toEqual([[400, 600], [1]]);
  });

  it("bounds the batches of each table on its own: one table's backlog does not starve another", () => {
    const many = Array.from({ length: 9 }, (_, i) => file(i));
    const plan = planManifests(
      [table("shopify", "orders", many), table("sendgrid", "events", many.slice(0, 6))],
      { ...limits, maxManifestsPerTable: 1 },
      "s",
      at,
    );
    expect(plan.map((m) => [m.source, m.files.length])).toEqual([
      ["shopify", 3],
      ["sendgrid", 3],
    ]);
  });

  it("plans nothing for a table without pending files", () => {
    expect(planManifests([table("shopify", "orders", [])], limits, "s", at)).toEqual([]);
  });
});

describe("the halves of a failed batch", () => {
  it("carry the parent's table, half its files each, depth + 1, a fresh attempt and the time of the split", () => {
    const parent = {
      ...only(planManifests([table("shopify", "orders", [file(0), file(1)])], limits, "s", at)),
      attempt: 3,
      depth: 2,
    };
    const [left, right] = splitManifest(parent, later);
    for (const [half, files] of [
      [left, [file(0)]],
      [right, [file(1)]],
    ] as const) {
      expect(half).toEqual({
        version: 1,
        id: expect.stringMatching(/^m[0-9a-f]{32}$/),
        source: "shopify",
        stream: "orders",
        files,
        createdAt: "2026-12-02T08:30:00.000Z",
        depth: 3,
        parent: parent.id,
        attempt: 0,
      });
      expect(ManifestSchema.parse(half)).toEqual(half);
    }
    expect(new Set([parent.id, left.id, right.id]).size).toBe(3);
  });
});

describe("a manifest read back from the lake", () => {
  const good = () =>
    only(planManifests([table("shopify", "orders", [file(0)])], limits, "s", at)) as Record<
      string,
      unknown
    > &
      Manifest;
  const withFile = (patch: Partial<Record<keyof LakeFile, unknown>>) => ({
    ...good(),
    files: [{ ...file(0), ...patch }],
  });

  it("is accepted as written, with or without a parent", () => {
    expect(ManifestSchema.safeParse(good()).success).toBe(true);
    expect(ManifestSchema.safeParse({ ...good(), parent: "m1" }).success).toBe(true);
  });

  it.each([
    ["another version", { version: 2 }],
    ["an id of another shape", { id: "M0123" }],
    ["an id with text before it", { id: `x${"m".padEnd(33, "a")}` }],
    ["an id with text after it", { id: `${"m".padEnd(33, "a")}x` }],
    ["an id of 31 hex digits", { id: "m".padEnd(32, "a") }],
    ["an id of 33 hex digits", { id: "m".padEnd(34, "a") }],
    ["an empty source", { source: "" }],
    ["an empty stream", { stream: "" }],
    ["no files", { files: [] }],
    ["a negative depth", { depth: -1 }],
    ["a fractional depth", { depth: 0.5 }],
    ["a negative attempt", { attempt: -1 }],
    ["a fractional attempt", { attempt: 1.5 }],
    ["a createdAt that is not text", { createdAt: 0 }],
    ["a parent that is not text", { parent: 1 }],
  ])("is refused with %s", (_, patch) => {
    expect(ManifestSchema.safeParse({ ...good(), ...patch }).success).toBe(false);
  });

  it.each([
    ["an empty key", { key: "" }],
    ["an empty generation", { generation: "" }],
    ["a negative size", { size: -1 }],
    ["a fractional size", { size: 1.5 }],
    ["a dt that is not a day", { dt: "2026-12" }],
    ["a dt with text before it", { dt: "x2026-12-01" }],
    ["a dt with text after it", { dt: "2026-12-01x" }],
  ])("is refused when a file has %s", (_, patch) => {
    expect(ManifestSchema.safeParse(withFile(patch)).success).toBe(false);
  });

  it("accepts an empty file (size 0)", () => {
    expect(ManifestSchema.safeParse(withFile({ size: 0 })).success).toBe(true);
  });
});
