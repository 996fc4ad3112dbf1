import { writeFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  LoadJobFailedError,
  type TableSpec,
  type Warehouse,
} from "../../functions/platform/ports.js";

export interface WarehouseHarness {
  readonly warehouse: Warehouse;
  /**
   * Writes NDJSON where the warehouse can load it from and returns its URI (`gs://…` for
   * BigQuery, a path locally).
   */
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

    const count = async (): Promise<number | undefined> => {
      const [row] = await h.warehouse.query<{ c: number }>(
        "SELECT COUNT(*) AS c FROM contract_raw.events",
      );
      return row?.c;
    };
    const failureOf = async (load: Promise<unknown>): Promise<LoadJobFailedError> => {
      const error = await load.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(LoadJobFailedError);
      return error as LoadJobFailedError;
    };

    it("loads an NDJSON file into a table, keeping JSON values queryable", async () => {
      const uri = await h.stage("one.ndjson", `${lines}\n`);
      const result = await h.warehouse.load({ table: EVENTS, sourceUris: [uri], jobId: "job-one" });
      expect(result).toEqual({ jobId: "job-one", status: "loaded", rowsLoaded: 2 });
      const rows = await h.warehouse.query<{ id: string; n: number; ok: boolean; seen_at: Date }>(
        "SELECT id, n, ok, seen_at FROM contract_raw.events ORDER BY id",
      );
      expect(rows).toEqual([
        { id: "a", n: 1, ok: true, seen_at: new Date("2026-01-01T10:00:00.000Z") },
        { id: "b", n: 2, ok: false, seen_at: new Date("2026-01-02T10:00:00.000Z") },
      ]);
    });

    it("loads several files in one job and answers the rows of all of them", async () => {
      const uris = [
        await h.stage("several-1.ndjson", `${lines}\n`),
        await h.stage("several-2.ndjson", `${JSON.stringify({ id: "c", n: 3 })}\n`),
        await h.stage("several-3.ndjson", `${JSON.stringify({ id: "d", n: 4 })}`),
      ];
      const result = await h.warehouse.load({ table: EVENTS, sourceUris: uris, jobId: "job-3" });
      expect(result).toEqual({ jobId: "job-3", status: "loaded", rowsLoaded: 4 });
      const rows = await h.warehouse.query<{ id: string }>(
        "SELECT id FROM contract_raw.events ORDER BY id",
      );
      expect(rows.map((r) => r.id)).toEqual(["a", "b", "c", "d"]);
    });

    it("loads nothing the second time a job id is submitted and answers what the first run loaded", async () => {
      const uri = await h.stage("twice.ndjson", `${lines}\n`);
      await h.warehouse.load({ table: EVENTS, sourceUris: [uri], jobId: "job-twice" });
      const again = await h.warehouse.load({
        table: EVENTS,
        sourceUris: [uri],
        jobId: "job-twice",
      });
      expect(again).toEqual({ jobId: "job-twice", status: "duplicate", rowsLoaded: 2 });
      expect(await count()).toBe(2);
    });

    it("binds named parameters instead of splicing values into SQL", async () => {
      const uri = await h.stage("params.ndjson", `${lines}\n`);
      await h.warehouse.load({ table: EVENTS, sourceUris: [uri], jobId: "job-params" });
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

    it("fails a job with one malformed file among good ones as 'invalid' and loads none of its files", async () => {
      const good = await h.stage("good.ndjson", `${lines}\n`);
      const bad = await h.stage("bad.ndjson", `${JSON.stringify({ id: "c" })}\n{not json\n`);
      const failure = await failureOf(
        h.warehouse.load({ table: EVENTS, sourceUris: [good, bad], jobId: "job-bad" }),
      );
      expect(failure.jobId).toBe("job-bad");
      expect(failure.errors[0]?.reason).toBe("invalid");
      await h.warehouse.ensureTable(EVENTS);
      expect(await count()).toBe(0);
    });

    it("answers the same failure when a failed job id is submitted again, even with fixed files, and loads them under a new id", async () => {
      const bad = await h.stage("spent.ndjson", "{broken\n");
      await failureOf(h.warehouse.load({ table: EVENTS, sourceUris: [bad], jobId: "job-spent" }));
      const fixed = await h.stage("spent-fixed.ndjson", `${lines}\n`);
      const again = await failureOf(
        h.warehouse.load({ table: EVENTS, sourceUris: [fixed], jobId: "job-spent" }),
      );
      expect(again.errors[0]?.reason).toBe("invalid");
      expect(await count()).toBe(0);
      const next = await h.warehouse.load({
        table: EVENTS,
        sourceUris: [fixed],
        jobId: "job-spent-2",
      });
      expect(next).toEqual({ jobId: "job-spent-2", status: "loaded", rowsLoaded: 2 });
    });

    it("fails a job whose file does not exist as 'notFound'", async () => {
      const good = await h.stage("present.ndjson", `${lines}\n`);
      const missing = good.replace("present.ndjson", "absent.ndjson");
      const failure = await failureOf(
        h.warehouse.load({ table: EVENTS, sourceUris: [good, missing], jobId: "job-missing" }),
      );
      expect(failure.errors[0]?.reason).toBe("notFound");
      expect(await count()).toBe(0);
    });

    it("runs concurrent jobs of different ids independently: a malformed one fails alone", async () => {
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
          h.warehouse.load({ table: EVENTS, sourceUris: [uri], jobId: `job-many-${i}` }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(
        Array.from({ length: 12 }, (_, i) => (i === 7 ? "rejected" : "fulfilled")),
      );
      expect(await count()).toBe(11);
    });

    it("loads once when the same job id is submitted twice at the same moment", async () => {
      const uri = await h.stage("race.ndjson", `${lines}\n`);
      const results = await Promise.all([
        h.warehouse.load({ table: EVENTS, sourceUris: [uri], jobId: "job-race" }),
        h.warehouse.load({ table: EVENTS, sourceUris: [uri], jobId: "job-race" }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(["duplicate", "loaded"]);
      expect(results.map((r) => r.rowsLoaded)).toEqual([2, 2]);
      expect(await count()).toBe(2);
    });

    it("refuses a job without source URIs", async () => {
      await expect(
        h.warehouse.load({ table: EVENTS, sourceUris: [], jobId: "job-empty" }),
      ).rejects.toThrow(/1 to 10000 source URIs/);
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
