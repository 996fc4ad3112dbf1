/**
 * The ports: what a use case may ask of the platform it runs on. Cloud adapters live in
 * `platform/gcp/`, the embedded local ones in `platform/local/`; every adapter passes the
 * contract suite for its port in `test/contract/`.
 */

/** Metadata of a stored object, as GCS reports it (generation = version of that name). */
export interface StoredObject {
  readonly key: string;
  readonly size: number;
  /** Monotonic version of the object under this key; part of the idempotent load job id. */
  readonly generation: string;
  readonly contentType: string;
}

export interface PutOptions {
  readonly contentType?: string;
  /**
   * Create only when no object has this key (GCS `ifGenerationMatch: 0`). When the key exists
   * the put does nothing and answers `created: false`: the way redelivered batches land once.
   */
  readonly ifAbsent?: boolean;
}

/**
 * What a put did. A create-if-absent that found the key taken answers `created: false` with the
 * key only: on GCS the 412 says the name exists, and reading the existing object would need read
 * permission on the lake, which the ingest identity does not have.
 */
export type PutResult =
  | { readonly created: true; readonly object: StoredObject }
  | { readonly created: false; readonly key: string };

/** Object store port: GCS in the cloud, a folder on disk locally. */
export interface ObjectStore {
  /** Where this store lives, for people: `gs://bucket` or an absolute folder path. */
  readonly location: string;
  /** Durable when it resolves: a webhook answers 2xx only after this. */
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<PutResult>;
  /** The object's bytes, or `undefined` when there is none. */
  get(key: string): Promise<Uint8Array | undefined>;
  stat(key: string): Promise<StoredObject | undefined>;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<StoredObject[]>;
  /** Removes the object; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** A URI the warehouse can load from (`gs://…` or an absolute file path). */
  uriOf(key: string): string;
}

/** A value bound to a named SQL parameter (`@name`). Never concatenate values into SQL. */
export type SqlValue = string | number | bigint | boolean | null | Date | readonly string[];
export type SqlParams = Readonly<Record<string, SqlValue>>;
export type Row = Record<string, unknown>;

/** A column of a warehouse table. Types are BigQuery's names; local adapters map them. */
export interface ColumnSpec {
  readonly name: string;
  readonly type:
    | "STRING"
    | "INT64"
    | "FLOAT64"
    | "NUMERIC"
    | "BOOL"
    | "TIMESTAMP"
    | "DATE"
    | "JSON";
  readonly mode?: "NULLABLE" | "REQUIRED";
  readonly description?: string;
}

export interface TableRef {
  readonly dataset: string;
  readonly table: string;
}

export interface TableSpec extends TableRef {
  readonly columns: readonly ColumnSpec[];
  readonly description?: string;
  /** Partition by this TIMESTAMP/DATE column (BigQuery); ignored locally. */
  readonly partitionBy?: string;
  readonly clusterBy?: readonly string[];
}

/** BigQuery's limit of source URIs per load job; the local adapter keeps the same one. */
export const MAX_LOAD_URIS = 10_000;

export interface LoadRequest {
  readonly table: TableSpec;
  /**
   * The objects one job loads into `table` (1 to `MAX_LOAD_URIS`): newline-delimited JSON whose
   * keys are the table's columns. All of them load, or none does.
   */
  readonly sourceUris: readonly string[];
  /**
   * Deterministic id of the job (derived from what it loads). An id runs at most once: BigQuery
   * refuses a second job with a taken id, the local adapter keeps a ledger of ids.
   */
  readonly jobId: string;
}

export interface LoadResult {
  readonly jobId: string;
  /**
   * `duplicate` when a job with this id had already loaded: nothing was added this time, and
   * `rowsLoaded` is what that earlier job loaded.
   */
  readonly status: "loaded" | "duplicate";
  readonly rowsLoaded: number;
}

/** One error of a load job, in BigQuery's `ErrorProto` shape (`reason` drives retries). */
export interface LoadJobError {
  readonly reason: string;
  readonly message: string;
  readonly location?: string;
}

/**
 * A load job that ran and failed (now, or earlier under the same id). It loaded nothing and its
 * id is spent: submitting the id again answers this failure again. Every other error thrown by
 * `load` leaves it unknown whether the job exists: submit the same id again to find out.
 */
export class LoadJobFailedError extends Error {
  override readonly name = "LoadJobFailedError";
  readonly jobId: string;
  readonly errors: readonly LoadJobError[];

  constructor(jobId: string, errors: readonly LoadJobError[]) {
    const first = errors[0];
    super(
      `load job ${jobId} failed${first ? `: ${first.reason}: ${first.message}` : ""}`.slice(
        0,
        2000,
      ),
    );
    this.jobId = jobId;
    this.errors = errors;
  }
}

/** Warehouse port: BigQuery in the cloud, a DuckDB file locally. */
export interface Warehouse {
  /** `bigquery` or `duckdb`: which SQL dialect `query` speaks. */
  readonly dialect: "bigquery" | "duckdb";
  readonly location: string;
  query<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]>;
  /** Creates the dataset and table when missing (never alters an existing one). */
  ensureTable(spec: TableSpec): Promise<void>;
  /**
   * Runs load job `jobId` at most once and waits for it. Answers `loaded`, or `duplicate` when
   * the id had already loaded (waiting for it if it is still running). Throws
   * `LoadJobFailedError` when the job failed, now or before.
   */
  load(request: LoadRequest): Promise<LoadResult>;
  /** Appends rows (small volumes: sync logs, ledgers). */
  insertRows(table: TableSpec, rows: readonly Row[]): Promise<void>;
  close(): Promise<void>;
}

/** A message as published on a topic. `data` is the JSON value carried in the message body. */
export interface BusMessage {
  readonly data: unknown;
  readonly attributes?: Readonly<Record<string, string>>;
  /** Pub/Sub ordering key. */
  readonly orderingKey?: string;
}

/** Event bus port: Pub/Sub in the cloud, an in-process bus locally. */
export interface EventBus {
  /** Resolves with the message id once the bus has the message. */
  publish(topic: string, message: BusMessage): Promise<string>;
}

/** Secrets port: Secret Manager values injected as env in the cloud; the environment locally. */
export interface Secrets {
  /** The secret's value, or `undefined` when not configured. */
  get(name: string): string | undefined;
  /** The secret's value; throws a message naming the variable to set when missing. */
  require(name: string): string;
}

/** Wall clock, passed in so tests and replays control time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
