import type { BigQuery } from "@google-cloud/bigquery";
import type {
  LoadRequest,
  LoadResult,
  Row,
  SqlParams,
  SqlValue,
  TableSpec,
  Warehouse,
} from "../ports.js";

/**
 * BigQuery adapter. Loads are load jobs from GCS with the caller's deterministic job id: BigQuery
 * refuses a second job with the same id (409), which makes a redelivered "object finalized" event
 * load its file once.
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
      return rows as T[];
    },

    ensureTable,

    async load(request: LoadRequest): Promise<LoadResult> {
      await ensureTable(request.table);
      try {
        const [job] = await bq.createJob({
          jobId: request.jobId,
          location,
          configuration: {
            load: {
              sourceUris: [request.sourceUri],
              sourceFormat: "NEWLINE_DELIMITED_JSON",
              destinationTable: {
                projectId: bq.projectId,
                datasetId: request.table.dataset,
                tableId: request.table.table,
              },
              schema: schemaOf(request.table),
              writeDisposition: "WRITE_APPEND",
              createDisposition: "CREATE_NEVER",
            },
          },
        });
        const [metadata] = await job.promise().then(() => job.getMetadata());
        const rowsLoaded = Number(metadata?.statistics?.load?.outputRows ?? 0);
        return { jobId: request.jobId, status: "loaded", rowsLoaded };
      } catch (error) {
        if ((error as { code?: number }).code === 409) {
          return { jobId: request.jobId, status: "duplicate", rowsLoaded: 0 };
        }
        throw error;
      }
    },

    async insertRows(table: TableSpec, rows: readonly Row[]): Promise<void> {
      if (rows.length === 0) return;
      await ensureTable(table);
      const encoded = rows.map((row) => {
        const out: Record<string, unknown> = {};
        for (const col of table.columns) out[col.name] = encodeValue(row[col.name], col.type);
        return out;
      });
      await bq.dataset(table.dataset).table(table.table).insert(encoded);
    },

    async close(): Promise<void> {},
  };
}

function encodeValue(value: unknown, type: TableSpec["columns"][number]["type"]): unknown {
  if (value === undefined || value === null) return null;
  if (type === "JSON") return typeof value === "string" ? value : JSON.stringify(value);
  if (type === "TIMESTAMP" && value instanceof Date) return value.toISOString();
  return value as SqlValue;
}

function ignoreAlreadyExists(error: unknown): void {
  if ((error as { code?: number }).code !== 409) throw error;
}
