import { writeFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
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
  /**
   * Dataset this test's tables go in (default `contract_raw`); a harness that shares one
   * warehouse between tests gives each its own. Job ids are prefixed with it too.
   */
  readonly dataset?: string;
  cleanup(): Promise<void>;
}

const COLUMNS: TableSpec["columns"] = [
  { name: "id", type: "STRING", mode: "REQUIRED" },
  { name: "n", type: "INT64" },
  { name: "ok", type: "BOOL" },
  { name: "seen_at", type: "TIMESTAMP" },
  { name: "payload", type: "JSON" },
];

/** The behaviour every Warehouse adapter must have (BigQuery and DuckDB alike). */
export interface WarehouseContractOptions {
  /**
   * Known gaps of an emulator: test title → what it does differently from the service. Such a
   * test still runs and must fail (`it.fails`), so the day the emulator behaves, it says so.
   */
  readonly gaps?: Readonly<Record<string, string>>;
}

export function describeWarehouseContract(
  name: string,
  create: () => Promise<WarehouseHarness | string>,
  options: WarehouseContractOptions = {},
): void {
  describe(`Warehouse contract: ${name}`, () => {
    const it = (title: string, fn: () => Promise<void>) => {
      const gap = options.gaps?.[title];
      if (gap) test.fails(`${title} [known emulator gap: ${gap}]`, fn);
      else test(title, fn);
    };
    let h: WarehouseHarness;
    let skipped: string | undefined;
    let EVENTS: TableSpec;
    /** `dataset.events` of this test, for SQL. */
    let events: string;
    /** This test's job id for `name`. */
    let job: (name: string) => string;
    beforeEach(async (ctx) => {
      const made = await create();
      if (typeof made === "string") {
        skipped = made;
        ctx.skip(made);
        return;
      }
      h = made;
      const dataset = h.dataset ?? "contract_raw";
      EVENTS = { dataset, table: "events", columns: COLUMNS };
      events = `${dataset}.events`;
      job = (name) => (h.dataset ? `${h.dataset}-${name}` : name);
    });
    afterEach(async () => {
      if (!skipped) await h.cleanup();
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
      const [row] = await h.warehouse.query<{ c: number }>(`SELECT COUNT(*) AS c FROM ${events}`);
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
      const result = await h.warehouse.load({
        table: EVENTS,
        sourceUris: [uri],
        jobId: job("job-one"),
      });
      expect(result).toEqual({ jobId: job("job-one"), status: "loaded", rowsLoaded: 2 });
      const rows = await h.warehouse.query<{ id: string; n: number; ok: boolean; seen_at: Date }>(
        `SELECT id, n, ok, seen_at FROM ${events} ORDER BY id`,
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
      const result = await h.warehouse.load({
        table: EVENTS,
        sourceUris: uris,
        jobId: job("job-3"),
      });
      expect(result).toEqual({ jobId: job("job-3"), status: "loaded", rowsLoaded: 4 });
      const rows = await h.warehouse.query<{ id: string }>(`SELECT id FROM ${events} ORDER BY id`);
      expect(rows.map((r) => r.id)).toEqual(["a", "b", "c", "d"]);
    });

    it("loads nothing the second time a job id is submitted and answers what the first run loaded", async () => {
      const uri = await h.stage("twice.ndjson", `${lines}\n`);
      await h.warehouse.load({ table: EVENTS, sourceUris: [uri], jobId: job("job-twice") });
      const again = await h.warehouse.load({
        table: EVENTS,
        sourceUris: [uri],
        jobId: job("job-twice"),
      });
      expect(again).toEqual({ jobId: job("job-twice"), status: "duplicate", rowsLoaded: 2 });
      expect(await count()).toBe(2);
    });

    it("binds named parameters instead of splicing values into SQL", async () => {
      const uri = await h.stage("params.ndjson", `${lines}\n`);
      await h.warehouse.load({ table: EVENTS, sourceUris: [uri], jobId: job("job-params") });
      const hostile = "a' OR '1'='1";
      const none = await h.warehouse.query(`SELECT id FROM ${events} WHERE id = @id`, {
        id: hostile,
      });
      expect(none).toEqual([]);
      const after = await h.warehouse.query<{ id: string }>(
        `SELECT id FROM ${events} WHERE seen_at > @since AND ${
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
        h.warehouse.load({ table: EVENTS, sourceUris: [good, bad], jobId: job("job-bad") }),
      );
      expect(failure.jobId).toBe(job("job-bad"));
      expect(failure.errors[0]?.reason).toBe("invalid");
      await h.warehouse.ensureTable(EVENTS);
      expect(await count()).toBe(0);
    });

    it("answers the same failure when a failed job id is submitted again, even with fixed files, and loads them under a new id", async () => {
      const bad = await h.stage("spent.ndjson", "{broken\n");
      await failureOf(
        h.warehouse.load({ table: EVENTS, sourceUris: [bad], jobId: job("job-spent") }),
      );
      const fixed = await h.stage("spent-fixed.ndjson", `${lines}\n`);
      const again = await failureOf(
        h.warehouse.load({ table: EVENTS, sourceUris: [fixed], jobId: job("job-spent") }),
      );
      expect(again.errors[0]?.reason).toBe("invalid");
      expect(await count()).toBe(0);
      const next = await h.warehouse.load({
        table: EVENTS,
        sourceUris: [fixed],
        jobId: job("job-spent-2"),
      });
      expect(next).toEqual({ jobId: job("job-spent-2"), status: "loaded", rowsLoaded: 2 });
    });

    it("fails a job whose file does not exist as 'notFound'", async () => {
      const good = await h.stage("present.ndjson", `${lines}\n`);
      const missing = good.replace("present.ndjson", "absent.ndjson");
      const failure = await failureOf(
        h.warehouse.load({ table: EVENTS, sourceUris: [good, missing], jobId: job("job-missing") }),
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
          h.warehouse.load({ table: EVENTS, sourceUris: [uri], jobId: job(`job-many-${i}`) }),
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
        h.warehouse.load({ table: EVENTS, sourceUris: [uri], jobId: job("job-race") }),
        h.warehouse.load({ table: EVENTS, sourceUris: [uri], jobId: job("job-race") }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(["duplicate", "loaded"]);
      expect(results.map((r) => r.rowsLoaded)).toEqual([2, 2]);
      expect(await count()).toBe(2);
    });

    it("refuses a job without source URIs", async () => {
      await expect(
        h.warehouse.load({ table: EVENTS, sourceUris: [], jobId: job("job-empty") }),
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
        `SELECT id, n FROM ${events} ORDER BY id`,
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
