import { LOAD_FAILURES_TABLE, RAW_LOADS_TABLE } from "../../../functions/core/loading/ledger.js";
import type { SweepReport } from "../../../functions/core/loading/sweep.js";
import { LOCAL_SWEEP, type SweepConfig } from "../../../functions/core/loading/sweep-config.js";
import { rawObjectKey } from "../../../functions/core/raw-table.js";
import type { LoadRawDeps } from "../../../functions/handlers/load-raw.js";
import type {
  Clock,
  ObjectStore,
  StoredObject,
  TableSpec,
  Warehouse,
} from "../../../functions/platform/ports.js";
import { BUCKET, capturingLogger, fixedClock, type Lake } from "./harness.js";

export const NOW = new Date("2026-12-01T10:00:00Z");

/** The local settings with small batches (so a few files make several jobs) and no waiting. */
export const TEST_SWEEP: SweepConfig = {
  ...LOCAL_SWEEP,
  limits: { ...LOCAL_SWEEP.limits, maxFiles: 4 },
  retry: { sameIdRetries: 2, nextAttempts: 2, minDelayMs: 0, maxDelayMs: 0 },
};

export const STREAMS = [
  { source: "shopify", stream: "orders" },
  { source: "sendgrid", stream: "events" },
];

/** One raw NDJSON line as ingest lands it. */
export function rawLine(source: string, stream: string, id: string): string {
  return JSON.stringify({
    _record_id: id,
    _source: source,
    _stream: stream,
    _received_at: "2026-12-01T09:00:00.000Z",
    _batch_id: `batch-${id}`,
    _object: `raw/${source}/${stream}/x.ndjson`,
    payload: { id, email: `${id}@example.com` },
  });
}

/** Writes an object and answers it (the test expects a write, not a create-if-absent no-op). */
export async function putObject(
  store: ObjectStore,
  key: string,
  body: string,
): Promise<StoredObject> {
  const result = await store.put(key, body);
  if (!result.created) throw new Error(`${key} was not written`);
  return result.object;
}

/** Lands `count` raw files of `lines` records each; answers the stored objects. */
export async function landFiles(
  store: ObjectStore,
  input: {
    count: number;
    lines?: number;
    source?: string;
    stream?: string;
    dt?: string;
    tag?: string;
  },
): Promise<StoredObject[]> {
  const { source = "shopify", stream = "orders", dt = "2026-12-01", tag = "f", lines = 2 } = input;
  const objects: StoredObject[] = [];
  for (let i = 0; i < input.count; i++) {
    const body = Array.from({ length: lines }, (_, j) =>
      rawLine(source, stream, `${tag}${i}-${j}`),
    );
    objects.push(
      await putObject(
        store,
        rawObjectKey(source, stream, dt, `${tag}${i}`),
        `${body.join("\n")}\n`,
      ),
    );
  }
  return objects;
}

/** A raw file with a lone surrogate: valid enough to land, and no warehouse loads it. */
export async function landPoisonedFile(
  store: ObjectStore,
  name = "poisoned",
): Promise<StoredObject> {
  const line = rawLine("shopify", "orders", name).replace(
    '"payload":{',
    '"payload":{"bad":"\\ud800",',
  );
  return putObject(store, rawObjectKey("shopify", "orders", "2026-12-01", name), `${line}\n`);
}

export function loaderDeps(
  lake: Lake,
  warehouse: Warehouse,
  overrides: Partial<LoadRawDeps> & { clock?: Clock } = {},
): LoadRawDeps & { lines: () => string[] } {
  const logs = capturingLogger();
  return {
    store: lake.store,
    warehouse,
    logger: logs.logger,
    clock: fixedClock(NOW),
    bucket: BUCKET,
    uriOf: (key) => lake.store.uriOf(key),
    streams: STREAMS,
    holder: { holder: "test-sweeper" },
    config: TEST_SWEEP,
    sleep: async () => undefined,
    lines: logs.lines,
    ...overrides,
  };
}

export const MANUAL_ALL = { trigger: "manual", scope: { kind: "all" }, debounce: false } as const;

export type Swept = Exclude<SweepReport, { status: "skipped" }>;

export function swept(report: SweepReport): Swept {
  if (report.status === "skipped") throw new Error(`sweep skipped: ${report.reason}`);
  return report;
}

/** What a user checks after loading: raw rows per record, ledger and failure rows. */
export async function warehouseState(warehouse: Warehouse) {
  await warehouse.ensureTable(RAW_LOADS_TABLE);
  await warehouse.ensureTable(LOAD_FAILURES_TABLE);
  const tables = await warehouse.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'",
  );
  const raw: Record<string, { rows: number; records: number }> = {};
  for (const { table_name } of tables) {
    const [row] = await warehouse.query<{ rows: number; records: number }>(
      `SELECT count(*) AS rows, count(DISTINCT _record_id) AS records FROM raw.${table_name}`,
    );
    raw[table_name] = row ?? { rows: 0, records: 0 };
  }
  const ledger = await warehouse.query<{ object: string; generation: string; n: number }>(
    "SELECT object, generation, count(*) AS n FROM ops_load.raw_loads GROUP BY 1, 2 ORDER BY 1",
  );
  const failures = await warehouse.query<Record<string, unknown>>(
    "SELECT bucket, object, generation, destination, job_id, manifest_id, reason, error FROM ops_load.raw_load_failures ORDER BY object",
  );
  return { raw, ledger, failures };
}

export function tableOf(spec: TableSpec): string {
  return `${spec.dataset}.${spec.table}`;
}

/** The first element, for tests that landed at least one thing. */
export function first<T>(items: readonly (T | undefined)[]): T {
  const [item] = items;
  if (item === undefined) throw new Error("expected at least one item");
  return item;
}
