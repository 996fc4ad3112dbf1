import { writeFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TableSpec, Warehouse } from "../../functions/platform/ports.js";

export interface WarehouseHarness {
  readonly warehouse: Warehouse;
  /** Writes NDJSON where the warehouse can load it from and returns its URI. */
  stage(name: string, ndjson: string): Promise<string>;
  cleanup(): Promise<void>;
}

const EVENTS: TableSpec = {
  dataset: "contract_raw",
  table: "events",
  columns: [
    { name: "id", type: "STRING", mode: "REQUIRED" },
    { name: "n", type: "INT64" },
    { name: "ok", type: "BOOL" },
    { name: "seen_at", type: "TIMESTAMP" },
    { name: "payload", type: "JSON" },
  ],
};

/** The behaviour every Warehouse adapter must have (BigQuery and DuckDB alike). */
export function describeWarehouseContract(
  name: string,
  create: () => Promise<WarehouseHarness>,
): void {
  describe(`Warehouse contract: ${name}`, () => {
    let h: WarehouseHarness;
    beforeEach(async () => {
      h = await create();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    const lines = [
      {
        id: "a",
        n: 1,
        ok: true,
        seen_at: "2026-01-01T10:00:00.000Z",
        payload: { id: 820982911946154508n.toString(), x: [1, 2] },
      },
      {
        id: "b",
        n: 2,
        ok: false,
        seen_at: "2026-01-02T10:00:00.000Z",
        payload: { nested: { y: "z" } },
      },
    ]
      .map((l) => JSON.stringify(l))
      .join("\n");

    it("loads an NDJSON file into a table, keeping JSON values queryable", async () => {
      const uri = await h.stage("one.ndjson", `${lines}\n`);
      const result = await h.warehouse.load({ table: EVENTS, sourceUri: uri, jobId: "job-one" });
      expect(result).toEqual({ jobId: "job-one", status: "loaded", rowsLoaded: 2 });
      const rows = await h.warehouse.query<{ id: string; n: number; ok: boolean; seen_at: Date }>(
        "SELECT id, n, ok, seen_at FROM contract_raw.events ORDER BY id",
      );
      expect(rows).toEqual([
        { id: "a", n: 1, ok: true, seen_at: new Date("2026-01-01T10:00:00.000Z") },
        { id: "b", n: 2, ok: false, seen_at: new Date("2026-01-02T10:00:00.000Z") },
      ]);
    });

    it("loads a file once even when the same job id is submitted again", async () => {
      const uri = await h.stage("twice.ndjson", `${lines}\n`);
      await h.warehouse.load({ table: EVENTS, sourceUri: uri, jobId: "job-twice" });
      const again = await h.warehouse.load({ table: EVENTS, sourceUri: uri, jobId: "job-twice" });
      expect(again.status).toBe("duplicate");
      const [count] = await h.warehouse.query<{ c: number }>(
        "SELECT COUNT(*) AS c FROM contract_raw.events",
      );
      expect(count?.c).toBe(2);
    });

    it("binds named parameters instead of splicing values into SQL", async () => {
      const uri = await h.stage("params.ndjson", `${lines}\n`);
      await h.warehouse.load({ table: EVENTS, sourceUri: uri, jobId: "job-params" });
      const hostile = "a' OR '1'='1";
      const none = await h.warehouse.query("SELECT id FROM contract_raw.events WHERE id = @id", {
        id: hostile,
      });
      expect(none).toEqual([]);
      const after = await h.warehouse.query<{ id: string }>(
        `SELECT id FROM contract_raw.events WHERE seen_at > @since AND ${
          h.warehouse.dialect === "bigquery" ? "id IN UNNEST(@ids)" : "list_contains(@ids, id)"
        } ORDER BY id`,
        { since: new Date("2026-01-01T12:00:00Z"), ids: ["a", "b"] },
      );
      expect(after.map((r) => r.id)).toEqual(["b"]);
    });

    it("fails a load of a malformed file and loads nothing from it", async () => {
      const uri = await h.stage("bad.ndjson", `${lines}\n{not json\n`);
      await expect(
        h.warehouse.load({ table: EVENTS, sourceUri: uri, jobId: "job-bad" }),
      ).rejects.toThrow();
      await h.warehouse.ensureTable(EVENTS);
      const [count] = await h.warehouse.query<{ c: number }>(
        "SELECT COUNT(*) AS c FROM contract_raw.events",
      );
      expect(count?.c).toBe(0);
      const retry = await h.stage("bad-fixed.ndjson", `${lines}\n`);
      expect(
        (await h.warehouse.load({ table: EVENTS, sourceUri: retry, jobId: "job-bad" })).status,
      ).toBe("loaded");
    });

    it("loads many files submitted at once, and one malformed file fails alone", async () => {
      const uris = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          h.stage(
            `many-${i}.ndjson`,
            i === 7 ? "{broken\n" : `${JSON.stringify({ id: `m${i}`, n: i })}\n`,
          ),
        ),
      );
      const results = await Promise.allSettled(
        uris.map((uri, i) =>
          h.warehouse.load({ table: EVENTS, sourceUri: uri, jobId: `job-many-${i}` }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(
        Array.from({ length: 12 }, (_, i) => (i === 7 ? "rejected" : "fulfilled")),
      );
      const [count] = await h.warehouse.query<{ c: number }>(
        "SELECT COUNT(*) AS c FROM contract_raw.events",
      );
      expect(count?.c).toBe(11);
      const again = await Promise.all(
        uris.map((uri, i) =>
          i === 7
            ? undefined
            : h.warehouse.load({ table: EVENTS, sourceUri: uri, jobId: `job-many-${i}` }),
        ),
      );
      expect(again.filter((r) => r?.status === "duplicate")).toHaveLength(11);
    });

    it("loads once when the same job id is submitted twice at the same moment", async () => {
      const uri = await h.stage("race.ndjson", `${lines}\n`);
      const results = await Promise.all([
        h.warehouse.load({ table: EVENTS, sourceUri: uri, jobId: "job-race" }),
        h.warehouse.load({ table: EVENTS, sourceUri: uri, jobId: "job-race" }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(["duplicate", "loaded"]);
      const [count] = await h.warehouse.query<{ c: number }>(
        "SELECT COUNT(*) AS c FROM contract_raw.events",
      );
      expect(count?.c).toBe(2);
    });

    it("appends rows with insertRows, creating the table when missing", async () => {
      await h.warehouse.insertRows(EVENTS, [
        {
          id: "r1",
          n: 5,
          ok: true,
          seen_at: new Date("2026-02-01T00:00:00Z"),
          payload: { k: "v" },
        },
        { id: "r2", n: null, ok: null, seen_at: null, payload: null },
      ]);
      const rows = await h.warehouse.query<{ id: string; n: number | null }>(
        "SELECT id, n FROM contract_raw.events ORDER BY id",
      );
      expect(rows).toEqual([
        { id: "r1", n: 5 },
        { id: "r2", n: null },
      ]);
    });
  });
}

export async function stageToFile(path: string, ndjson: string): Promise<string> {
  await writeFile(path, ndjson);
  return path;
}
