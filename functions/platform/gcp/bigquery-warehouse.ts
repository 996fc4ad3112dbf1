import {
  type BigQuery,
  BigQueryDate,
  BigQueryDatetime,
  BigQueryTime,
  BigQueryTimestamp,
  type Job,
  type JobMetadata,
} from "@google-cloud/bigquery";
import {
  LoadJobFailedError,
  type LoadRequest,
  type LoadResult,
  MAX_LOAD_URIS,
  type Row,
  type SqlParams,
  type SqlValue,
  type TableSpec,
  type Warehouse,
} from "../ports.js";

/**
 * BigQuery adapter. Loads are load jobs from GCS (many URIs per job) with the caller's
 * deterministic job id: BigQuery refuses a second job with the same id (409), and the adapter then
 * answers that job's outcome, so a retried batch never loads twice.
 */
export function createBigQueryWarehouse(options: {
  bigquery: BigQuery;
  location?: string;
}): Warehouse {
  const bq = options.bigquery;
  const location = options.location ?? "EU";
  const schemaOf = (spec: TableSpec) => ({
    fields: spec.columns.map((c) => ({
      name: c.name,
      type: c.type,
      mode: c.mode ?? "NULLABLE",
      ...(c.description ? { description: c.description } : {}),
    })),
  });

  const ensureTable = async (spec: TableSpec): Promise<void> => {
    const dataset = bq.dataset(spec.dataset);
    const [datasetExists] = await dataset.exists();
    if (!datasetExists)
      await bq.createDataset(spec.dataset, { location }).catch(ignoreAlreadyExists);
    const table = dataset.table(spec.table);
    const [exists] = await table.exists();
    if (exists) return;
    await dataset
      .createTable(spec.table, {
        schema: schemaOf(spec),
        ...(spec.description ? { description: spec.description } : {}),
        ...(spec.partitionBy ? { timePartitioning: { type: "DAY", field: spec.partitionBy } } : {}),
        ...(spec.clusterBy ? { clustering: { fields: [...spec.clusterBy] } } : {}),
      })
      .catch(ignoreAlreadyExists);
  };

  return {
    dialect: "bigquery",
    location: `bigquery://${bq.projectId}`,

    async query<T extends Row = Row>(sql: string, params: SqlParams = {}): Promise<T[]> {
      const types: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(params)) {
        if (Array.isArray(value)) types[name] = ["STRING"];
        else if (value === null) types[name] = "STRING";
      }
      const [rows] = await bq.query({ query: sql, params: { ...params }, types, location });
      return (rows as Row[]).map((row) => plainRow(row) as T);
    },

    ensureTable,

    async load(request: LoadRequest): Promise<LoadResult> {
      assertLoadable(request);
      await ensureTable(request.table);
      let job: Job;
      let status: LoadResult["status"] = "loaded";
      try {
        [job] = await bq.createJob({
          jobId: request.jobId,
          location,
          configuration: {
            load: {
              sourceUris: [...request.sourceUris],
              sourceFormat: "NEWLINE_DELIMITED_JSON",
              destinationTable: {
                projectId: bq.projectId,
                datasetId: request.table.dataset,
                tableId: request.table.table,
              },
              schema: schemaOf(request.table),
              writeDisposition: "WRITE_APPEND",
              // A NULLABLE column added to a spec later (raw _connection, _business_unit) is
              // added to a table created before it, instead of failing the load.
              schemaUpdateOptions: ["ALLOW_FIELD_ADDITION"],
              createDisposition: "CREATE_NEVER",
            },
          },
        });
      } catch (error) {
        // 409: the id is taken (a retry after a crash, or the client's own retry of a flaky
        // insert): read that job's outcome instead of loading again. A job resource in the
        // error means the job exists and already reported errors.
        if (statusOf(error) === 409) status = "duplicate";
        else if (!hasJobResource(error)) throw error;
        job = bq.job(request.jobId, { location });
      }
      const metadata = await settled(job);
      const failure = metadata.status?.errorResult;
      if (failure) {
        const errors = [failure, ...(metadata.status?.errors ?? [])].map((e) => ({
          reason: String(e.reason ?? "unknown"),
          message: String(e.message ?? ""),
          ...(e.location ? { location: String(e.location) } : {}),
        }));
        throw new LoadJobFailedError(request.jobId, errors);
      }
      const rowsLoaded = Number(metadata.statistics?.load?.outputRows ?? 0);
      return { jobId: request.jobId, status, rowsLoaded };
    },

    /**
     * A DML INSERT of an ARRAY<STRUCT> parameter, not the streaming API: rows written through the
     * streaming buffer cannot be updated or deleted for up to 90 minutes, and the activation
     * ledger deletes members it removed. DML has no per-table daily quota like load jobs.
     */
    async insertRows(table: TableSpec, rows: readonly Row[]): Promise<void> {
      if (rows.length === 0) return;
      await ensureTable(table);
      const structType: Record<string, string> = {};
      for (const col of table.columns)
        structType[col.name] = col.type === "JSON" ? "STRING" : col.type;
      const names = table.columns.map((c) => quoteName(c.name)).join(", ");
      const select = table.columns
        .map((c) =>
          c.type === "JSON"
            ? `PARSE_JSON(r.${quoteName(c.name)}) AS ${quoteName(c.name)}`
            : `r.${quoteName(c.name)}`,
        )
        .join(", ");
      const target = quoteName(`${bq.projectId}.${table.dataset}.${table.table}`);
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        const chunk = rows.slice(i, i + INSERT_CHUNK).map((row) => {
          const out: Record<string, unknown> = {};
          for (const col of table.columns) out[col.name] = encodeValue(row[col.name], col.type);
          return out;
        });
        await bq.query({
          query: `INSERT INTO ${target} (${names}) SELECT ${select} FROM UNNEST(@rows) AS r`,
          params: { rows: chunk },
          types: { rows: [structType] },
          location,
        });
      }
    },

    async close(): Promise<void> {},
  };
}

/** Rows per INSERT statement: keeps each request well under BigQuery's request size limit. */
const INSERT_CHUNK = 2_000;

function quoteName(name: string): string {
  return `\`${name.replaceAll("`", "")}\``;
}

function encodeValue(value: unknown, type: TableSpec["columns"][number]["type"]): unknown {
  if (value === undefined || value === null) return null;
  if (type === "JSON") return typeof value === "string" ? value : JSON.stringify(value);
  if (type === "TIMESTAMP" && value instanceof Date) return value.toISOString();
  return value as SqlValue;
}

function assertLoadable(request: LoadRequest): void {
  const n = request.sourceUris.length;
  if (n === 0 || n > MAX_LOAD_URIS) {
    throw new Error(`a load job takes 1 to ${MAX_LOAD_URIS} source URIs, got ${n}`);
  }
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "number" ? code : undefined;
}

function hasJobResource(error: unknown): boolean {
  const response = (error as { response?: { jobReference?: unknown } } | undefined)?.response;
  return typeof response === "object" && response !== null && "jobReference" in response;
}

/** Polls the job until it is DONE (1 s, doubling to 8 s): a load job of a batch takes seconds. */
async function settled(job: Job): Promise<JobMetadata> {
  for (let delay = 1_000; ; delay = Math.min(delay * 2, 8_000)) {
    const [metadata] = await job.getMetadata();
    if (metadata.status?.state === "DONE") return metadata;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/**
 * Rows in the shapes the DuckDB adapter answers, so callers see one shape on both: the client's
 * TIMESTAMP and DATE wrappers become `Date`s, NUMERIC (a Big) a number, DATETIME and TIME their
 * text. INT64 already comes as a number (the client throws beyond 2^53).
 */
function plainRow(row: Row): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) out[key] = plainValue(value);
  return out;
}

function plainValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainValue);
  if (value instanceof BigQueryTimestamp) return new Date(value.value);
  if (value instanceof BigQueryDate) return new Date(`${value.value}T00:00:00.000Z`);
  if (value instanceof BigQueryDatetime || value instanceof BigQueryTime) return value.value;
  if (isBig(value)) return Number(String(value));
  if (
    value !== null &&
    typeof value === "object" &&
    !(value instanceof Date) &&
    !Buffer.isBuffer(value)
  )
    return plainRow(value as Row);
  return value;
}

/** NUMERIC values are big.js instances (the client's dependency, not ours). */
function isBig(value: unknown): boolean {
  return (value as { constructor?: { name?: string } } | null)?.constructor?.name === "Big";
}

function ignoreAlreadyExists(error: unknown): void {
  if (statusOf(error) !== 409) throw error;
}
