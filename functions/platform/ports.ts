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

export interface PutResult {
  readonly created: boolean;
  readonly object: StoredObject;
}

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

export interface LoadRequest {
  readonly table: TableSpec;
  /** The object to load: newline-delimited JSON whose keys are the table's columns. */
  readonly sourceUri: string;
  /**
   * Deterministic id (e.g. hash of URI + generation). Loading the same id twice loads once:
   * BigQuery refuses a duplicate job id, the local adapter keeps a ledger.
   */
  readonly jobId: string;
}

export interface LoadResult {
  readonly jobId: string;
  /** `duplicate` when this job id was already loaded: nothing was added. */
  readonly status: "loaded" | "duplicate";
  readonly rowsLoaded: number;
}

/** Warehouse port: BigQuery in the cloud, a DuckDB file locally. */
export interface Warehouse {
  /** `bigquery` or `duckdb`: which SQL dialect `query` speaks. */
  readonly dialect: "bigquery" | "duckdb";
  readonly location: string;
  query<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]>;
  /** Creates the dataset and table when missing (never alters an existing one). */
  ensureTable(spec: TableSpec): Promise<void>;
  /** Idempotent per `jobId`. */
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
