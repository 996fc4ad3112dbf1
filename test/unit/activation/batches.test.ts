import { describe, expect, it } from "vitest";
import {
  ActivationBatchSchema,
  ActivationPointerSchema,
  batchObjectKey,
  chunk,
  planBatches,
  pointerTo,
  uploadSessionId,
} from "../../../functions/core/activation/batches.js";
import type { MembershipDiff } from "../../../functions/core/activation/diff.js";
import { parseSyncConfig } from "../../../functions/core/activation/sync-config.js";
import { sha256Hex } from "../../../functions/destinations/meta/normalize.js";

const sync = parseSyncConfig({
  id: "meta_recent_purchasers",
  segment: { dataset: "marts", table: "seg_recent_purchasers" },
  destination: "meta",
  audienceId: "23850000000000042",
  requiredConsent: ["ad_user_data"],
  batchSize: 2,
});
const plannedAt = new Date("2026-05-01T10:00:00Z");
const context = { sync, runId: "run-7", plannedAt, schema: "EMAIL_SHA256" };
const item = (n: number, contactIds = [`c${n}`]) => ({
  identifierHash: sha256Hex(`person${n}@example.com`),
  contactIds,
});

function diff(adds: number, removes: number): MembershipDiff {
  return {
    adds: Array.from({ length: adds }, (_, i) => item(i + 1)),
    updates: [],
    removes: Array.from({ length: removes }, (_, i) => item(100 + i)),
    relinks: [],
    eligibleContacts: adds,
    targetIdentifiers: adds,
    unchanged: 0,
    skipped: { noConsent: 0, noEmail: 0, invalid: [], forgotten: 0, suppressed: 0 },
  };
}

describe("planBatches", () => {
  it("plans removes first, then adds, each op numbered 1..n of n with its own total", () => {
    const batches = planBatches(diff(3, 2), context);
    expect(batches.map((b) => [b.op, b.batch, b.batches, b.totalRows, b.rows.length])).toEqual([
      ["remove", 1, 1, 2, 2],
      ["add", 1, 2, 3, 2],
      ["add", 2, 2, 3, 1],
    ]);
  });

  it("writes the sync, run, audience and plan time into every batch, and each row's contacts", () => {
    const [first] = planBatches(diff(1, 0), context);
    expect(first).toEqual({
      version: 2,
      syncId: "meta_recent_purchasers",
      runId: "run-7",
      destination: "meta",
      target: "23850000000000042",
      op: "add",
      batch: 1,
      batches: 1,
      totalRows: 1,
      schema: "EMAIL_SHA256",
      plannedAt: "2026-05-01T10:00:00.000Z",
      rows: [{ hash: item(1).identifierHash, contactIds: ["c1"] }],
    });
    expect(ActivationBatchSchema.parse(first)).toEqual(first);
  });

  it("plans nothing for an empty diff", () => {
    expect(planBatches(diff(0, 0), context)).toEqual([]);
  });
});

describe("a member whose email several contacts share", () => {
  it("is one row listing every contact, and the stored batch accepts it", () => {
    const shared = { ...diff(0, 0), adds: [item(1, ["c1", "c2", "c3"])] };
    const [batch] = planBatches(shared, context);
    expect(batch?.rows).toEqual([{ hash: item(1).identifierHash, contactIds: ["c1", "c2", "c3"] }]);
    expect(ActivationBatchSchema.safeParse(batch).success).toBe(true);
  });
});

describe("the stored batch and the bus pointer refuse what activate-meta must not send", () => {
  // Planned inside each test, not while the file is collected: a mutant that breaks planning
  // must fail a test, not the loading of this file (docs/testing.md).
  const plan = () => {
    const [batch] = planBatches(diff(1, 0), context);
    if (!batch) throw new Error("no batch planned");
    return batch;
  };

  it.each([
    ["an upper-case hash", { rows: [{ hash: "A".repeat(64), contactIds: ["c1"] }] }],
    ["a 63-character hash", { rows: [{ hash: "a".repeat(63), contactIds: ["c1"] }] }],
    ["a hash with a prefix", { rows: [{ hash: `x${"a".repeat(64)}`, contactIds: ["c1"] }] }],
    ["a hash with a suffix", { rows: [{ hash: `${"a".repeat(64)}x`, contactIds: ["c1"] }] }],
    ["a row without contacts", { rows: [{ hash: "a".repeat(64), contactIds: [] }] }],
    ["an empty contact id", { rows: [{ hash: "a".repeat(64), contactIds: [""] }] }],
    ["no rows", { rows: [] }],
    ["a non-numeric audience", { target: "act_42" }],
    ["an audience id with a suffix", { target: "42x" }],
    ["a Google target for Meta", { target: "1234567890/55" }],
    ["a run id with a slash", { runId: "run/7" }],
    ["a run id with a prefix", { runId: "../run-7" }],
    ["a run id longer than 80", { runId: "r".repeat(81) }],
    ["an empty run id", { runId: "" }],
    ["batch 0", { batch: 0 }],
    ["no batches", { batches: 0 }],
    ["no rows in total", { totalRows: 0 }],
    ["another version", { version: 3 }],
    ["no schema", { schema: "" }],
    ["an empty sync id", { syncId: "" }],
    ["a plan time that is not ISO", { plannedAt: "yesterday" }],
  ])("refuses a batch with %s", (_name, change) => {
    expect(ActivationBatchSchema.safeParse({ ...plan(), ...change }).success).toBe(false);
  });

  it("accepts 10,000 rows in one batch and refuses 10,001", () => {
    const row = { hash: "a".repeat(64), contactIds: ["c1"] };
    const rows = (n: number) => Array.from({ length: n }, () => row);
    expect(ActivationBatchSchema.safeParse({ ...plan(), rows: rows(10_000) }).success).toBe(true);
    expect(ActivationBatchSchema.safeParse({ ...plan(), rows: rows(10_001) }).success).toBe(false);
  });

  it("accepts a run id of 80 letters, digits, _ and -", () => {
    const runId = `${"Ab9_-".repeat(16)}`;
    expect(ActivationBatchSchema.safeParse({ ...plan(), runId }).success).toBe(true);
  });

  it("says what is wrong with a hash, never showing it", () => {
    const bad = { ...plan(), rows: [{ hash: "A".repeat(64), contactIds: ["c1"] }] };
    const issues = ActivationBatchSchema.safeParse(bad).error?.issues ?? [];
    expect(issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["rows.0.hash", "a lower-case SHA-256 hex value"],
    ]);
  });

  it("points at the batch without carrying its hashes", () => {
    const valid = plan();
    const key = batchObjectKey(valid.syncId, valid.runId, valid.op, valid.batch);
    const pointer = pointerTo(valid, key);
    expect(pointer).toEqual({
      version: 2,
      syncId: "meta_recent_purchasers",
      runId: "run-7",
      destination: "meta",
      target: "23850000000000042",
      op: "add",
      batch: 1,
      batches: 1,
      totalRows: 1,
      rows: 1,
      key: "activation/meta_recent_purchasers/run-7/add-1.json",
    });
    expect(JSON.stringify(pointer)).not.toContain(valid.rows[0]?.hash);
    expect(ActivationPointerSchema.parse(pointer)).toEqual(pointer);
    expect(ActivationPointerSchema.safeParse({ ...pointer, rows: 10_001 }).success).toBe(false);
    expect(ActivationPointerSchema.safeParse({ ...pointer, rows: 0 }).success).toBe(false);
    expect(ActivationPointerSchema.safeParse({ ...pointer, key: "" }).success).toBe(false);
  });
});

describe("chunk", () => {
  it("cuts a list into pieces of the size, the last one shorter", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([1, 2], 2)).toEqual([[1, 2]]);
    expect(chunk([], 2)).toEqual([]);
  });
});

describe("uploadSessionId (Meta's session_id for one op of one run)", () => {
  it("is the same for the same run and op, so a redelivered batch joins its session", () => {
    expect(uploadSessionId("run-7", "add")).toBe(uploadSessionId("run-7", "add"));
  });

  it("differs between the adds and the removes of one run", () => {
    expect(uploadSessionId("run-7", "add")).not.toBe(uploadSessionId("run-7", "remove"));
  });

  it("differs between runs", () => {
    const ids = new Set(
      ["run-1", "run-2", "run-7", "run-70"].map((r) => uploadSessionId(r, "add")),
    );
    expect(ids.size).toBe(4);
  });

  it("is a positive integer below 2^52 for every run", () => {
    for (const runId of ["", "run-7", "x".repeat(80), "2026-05-01T10-00-00Z"]) {
      for (const op of ["add", "remove"] as const) {
        const id = uploadSessionId(runId, op);
        expect(Number.isSafeInteger(id)).toBe(true);
        expect(id).toBeGreaterThan(0);
        expect(id).toBeLessThanOrEqual(2 ** 52);
      }
    }
  });

  it("is FNV-1a of `run:op`, so ids agree across versions for batches still in flight", () => {
    // FNV-1a 64 of "run-7:add", low 52 bits, + 1 (computed independently below).
    let hash = 0xcbf29ce484222325n;
    for (const byte of Buffer.from("run-7:add")) {
      hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) % 2n ** 64n;
    }
    expect(uploadSessionId("run-7", "add")).toBe(Number(hash % 2n ** 52n) + 1);
  });
});
