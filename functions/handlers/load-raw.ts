import { createHash } from "node:crypto";
import { parseRawObjectKey, rawTableSpec } from "../core/raw-table.js";
import {
  type CloudEvent,
  STORAGE_FINALIZED_TYPE,
  type StorageObjectData,
  StorageObjectDataSchema,
} from "../platform/cloudevents.js";
import type { Logger } from "../platform/logger.js";
import { type Clock, systemClock, type TableSpec, type Warehouse } from "../platform/ports.js";

export interface LoadRawDeps {
  readonly warehouse: Warehouse;
  readonly logger: Logger;
  /**
   * Where the warehouse reads an object from. Default `gs://<bucket>/<name>`; locally pass
   * `(_bucket, name) => store.uriOf(name)`.
   */
  readonly objectUri?: (bucket: string, name: string) => string;
  /** Dataset of the raw tables (default `raw`). */
  readonly dataset?: string;
  readonly clock?: Clock;
}

export type LoadRawOutcome =
  | { readonly action: "ignored"; readonly reason: string; readonly key?: string }
  | {
      readonly action: "loaded" | "duplicate";
      readonly key: string;
      readonly table: string;
      readonly jobId: string;
      readonly rowsLoaded: number;
    }
  /** A permanent failure: logged and recorded in `ops.raw_load_failures`, not retried. */
  | { readonly action: "failed"; readonly key?: string; readonly reason: string };

/** Where permanent load failures are recorded, for `unistack replay` and alerting. */
export const LOAD_FAILURES_TABLE: TableSpec = {
  dataset: "ops",
  table: "raw_load_failures",
  description: "Raw objects that could not be loaded and will not be retried by the platform.",
  columns: [
    { name: "failed_at", type: "TIMESTAMP", mode: "REQUIRED" },
    { name: "event_id", type: "STRING", mode: "REQUIRED" },
    { name: "bucket", type: "STRING" },
    { name: "object", type: "STRING" },
    { name: "generation", type: "STRING" },
    { name: "job_id", type: "STRING" },
    { name: "error", type: "STRING", mode: "REQUIRED" },
  ],
};

/** Job id of a load: one per object version, so a redelivered event cannot load twice. */
export function rawLoadJobId(bucket: string, name: string, generation: string): string {
  const hash = createHash("sha256").update(`${bucket}/${name}#${generation}`).digest("hex");
  return `unistack_raw_${hash.slice(0, 40)}`;
}

/**
 * The load-raw function (GCS object finalized → BigQuery load job). Loads
 * `raw/<source>/<stream>/…` into `raw.<source>_<stream>` exactly once per object version; acks
 * everything else. Throws on a transient warehouse error so the platform retries; a permanent
 * one is recorded and acked, since retrying it for a day would change nothing.
 */
export async function loadRawObject(
  deps: LoadRawDeps,
  event: CloudEvent<StorageObjectData> | CloudEvent<unknown>,
): Promise<LoadRawOutcome> {
  const log = deps.logger.child({ eventId: event.id });
  if (event.type !== STORAGE_FINALIZED_TYPE) {
    log.warn({ type: event.type }, "not a storage finalized event; ignored");
    return {
      action: "ignored",
      reason: `event type "${String(event.type)}" is not ${STORAGE_FINALIZED_TYPE}`,
    };
  }
  const parsed = StorageObjectDataSchema.safeParse(event.data);
  if (!parsed.success) {
    const reason = `storage event without object data: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`;
    await recordFailure(deps, log, { eventId: event.id, error: reason });
    return { action: "failed", reason };
  }
  const { bucket, name, generation } = parsed.data;
  const raw = parseRawObjectKey(name);
  if (!raw) {
    log.debug({ key: name }, "not a raw object; ignored");
    return { action: "ignored", reason: "not a raw object", key: name };
  }
  const table = rawTableSpec(raw.source, raw.stream, deps.dataset);
  const jobId = rawLoadJobId(bucket, name, generation);
  const sourceUri = (deps.objectUri ?? gcsUri)(bucket, name);
  const tableName = `${table.dataset}.${table.table}`;
  try {
    const result = await deps.warehouse.load({ table, sourceUris: [sourceUri], jobId });
    log.info(
      { key: name, table: tableName, jobId, status: result.status, rows: result.rowsLoaded },
      "raw object loaded",
    );
    return {
      action: result.status,
      key: name,
      table: tableName,
      jobId,
      rowsLoaded: result.rowsLoaded,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (isTransientWarehouseError(error)) {
      log.warn(
        { key: name, jobId, err: message },
        "transient load failure; the platform will retry",
      );
      throw error;
    }
    await recordFailure(deps, log, {
      eventId: event.id,
      bucket,
      object: name,
      generation,
      jobId,
      error: message,
    });
    return { action: "failed", key: name, reason: message };
  }
}

function gcsUri(bucket: string, name: string): string {
  return `gs://${bucket}/${name}`;
}

async function recordFailure(
  deps: LoadRawDeps,
  log: Logger,
  failure: {
    eventId: string;
    bucket?: string;
    object?: string;
    generation?: string;
    jobId?: string;
    error: string;
  },
): Promise<void> {
  log.error(
    { key: failure.object, jobId: failure.jobId, err: failure.error },
    "permanent load failure; recorded, not retried",
  );
  try {
    await deps.warehouse.insertRows(LOAD_FAILURES_TABLE, [
      {
        failed_at: (deps.clock ?? systemClock).now(),
        event_id: failure.eventId,
        bucket: failure.bucket ?? null,
        object: failure.object ?? null,
        generation: failure.generation ?? null,
        job_id: failure.jobId ?? null,
        error: failure.error.slice(0, 2000),
      },
    ]);
  } catch (error) {
    // The log line above is the record of last resort; throwing would retry a permanent failure.
    log.error(
      { err: error instanceof Error ? error.message : String(error) },
      "could not record the load failure",
    );
  }
}

const TRANSIENT_HTTP = new Set([408, 429, 500, 502, 503, 504]);
const TRANSIENT_NET = new Set(["ECONNRESET", "ETIMEDOUT", "ECONNREFUSED", "EAI_AGAIN", "EPIPE"]);
/** BigQuery error reasons worth a retry (cloud.google.com/bigquery/docs/error-messages). */
const TRANSIENT_REASONS = new Set([
  "backendError",
  "internalError",
  "rateLimitExceeded",
  "jobBackendError",
  "jobInternalError",
  "jobRateLimitExceeded",
  "tableUnavailable",
]);
/** DuckDB: another process holds the file, or a write conflict; both pass. */
const TRANSIENT_MESSAGE = /could not set lock|conflict|timed? ?out|temporarily|unavailable/i;

/**
 * Whether a warehouse error may pass on retry. Unknown errors count as transient: a retried
 * permanent error ends in the dead-letter topic, a dropped transient one would lose a file.
 */
export function isTransientWarehouseError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return true;
  const { code, errors, message } = error as {
    code?: unknown;
    errors?: unknown;
    message?: unknown;
  };
  if (Array.isArray(errors) && errors.length > 0) {
    // BigQuery answers 403 for rate limits: its reasons are more precise than the status.
    return errors.some((e) => TRANSIENT_REASONS.has(String((e as { reason?: unknown }).reason)));
  }
  if (typeof code === "number") return TRANSIENT_HTTP.has(code);
  if (typeof code === "string" && TRANSIENT_NET.has(code)) return true;
  const text = typeof message === "string" ? message : "";
  if (TRANSIENT_MESSAGE.test(text)) return true;
  return !/^(Invalid Input|Conversion|Binder|Parser|Catalog|Constraint|IO) Error/.test(text);
}
