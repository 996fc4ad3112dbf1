import type { Row, SqlParams } from "../../platform/ports.js";
import { completeExportRow } from "./export-row.js";
import { duckDbTypeConverter, type Ga4ExportColumn, ga4ExportColumns } from "./export-schema.js";

/** What the local export needs of a DuckDB connection (`DuckDbWarehouse` fits). */
export interface Ga4ExportSession {
  run(sql: string): Promise<void>;
  query(sql: string, params?: SqlParams): Promise<Row[]>;
}

/** One export row: the exact JSON shape BigQuery exports (INT64 may be JSON strings). */
export type Ga4ExportRow = Readonly<Record<string, unknown>>;

export interface Ga4ExportDay {
  /** `YYYYMMDD`: the table is `events_<day>` (or `events_intraday_<day>`). */
  readonly day: string;
  readonly intraday?: boolean;
  readonly rows: readonly Ga4ExportRow[];
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * The GA4 BigQuery export as a local DuckDB copy of the same shape: one table per export table
 * (`<dataset>.events_YYYYMMDD`, `events_intraday_YYYYMMDD`, with the export's nested columns), and
 * the wildcard tables BigQuery offers (`events_*`, `events_intraday_*`) as views over them with a
 * `_TABLE_SUFFIX` column, so the models' SQL runs unchanged. Like BigQuery, `events_*` also
 * matches the intraday tables (suffix `intraday_YYYYMMDD`).
 */
export function createLocalGa4Export(options: { projectDir: string; dataset: string }) {
  if (!/^[A-Za-z0-9_]+$/.test(options.dataset)) {
    throw new Error(`GA4 dataset "${options.dataset}" is not a dataset name`);
  }
  const columns = ga4ExportColumns(options.projectDir);
  const duckDbType = duckDbTypeConverter(options.projectDir);
  const schema = quote(options.dataset);
  const tableType = `STRUCT(${columns.map((c) => `${quote(c.name)} ${duckDbType(c.type)}`).join(", ")})`;

  async function tablesOf(session: Ga4ExportSession): Promise<string[]> {
    const rows = await session.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = @dataset AND table_type = 'BASE TABLE' ORDER BY table_name",
      { dataset: options.dataset },
    );
    return rows.map((row) => String(row.table_name)).filter((name) => /^events_/.test(name));
  }

  async function refreshWildcards(session: Ga4ExportSession): Promise<void> {
    const tables = await tablesOf(session);
    for (const [view, prefix] of [
      ["events_*", "events_"],
      ["events_intraday_*", "events_intraday_"],
    ] as const) {
      const matching = tables.filter((name) => name.startsWith(prefix));
      const body =
        matching.length === 0
          ? emptySelect(columns, duckDbType)
          : matching
              .map(
                (name) =>
                  `SELECT *, '${name.slice(prefix.length)}' AS _TABLE_SUFFIX FROM ${schema}.${quote(name)}`,
              )
              .join("\nUNION ALL\n");
      await session.run(`CREATE OR REPLACE VIEW ${schema}.${quote(view)} AS\n${body}`);
    }
  }

  return {
    dataset: options.dataset,
    columns,
    /** Creates the dataset and the (possibly empty) wildcard views; keeps existing tables. */
    async ensure(session: Ga4ExportSession): Promise<void> {
      await session.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await refreshWildcards(session);
    },
    /**
     * Writes export tables as Google does: each day's table is replaced whole (the daily export
     * rewrites a day with late events), then the wildcard views are rebuilt. A row with a field
     * the export does not have (`completeExportRow`), or a value of the wrong type (DuckDB's
     * strict cast), is refused.
     */
    async write(session: Ga4ExportSession, days: readonly Ga4ExportDay[]): Promise<void> {
      await session.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      for (const day of days) {
        if (!/^\d{8}$/.test(day.day))
          throw new Error(`GA4 export day "${day.day}" is not YYYYMMDD`);
        const table = `${schema}.${quote(`events_${day.intraday ? "intraday_" : ""}${day.day}`)}`;
        const definition = columns.map((c) => `${quote(c.name)} ${duckDbType(c.type)}`).join(", ");
        await session.run(`CREATE OR REPLACE TABLE ${table} (${definition})`);
        if (day.rows.length === 0) continue;
        const rows = day.rows.map((row) => completeExportRow(row, columns));
        await session.query(
          `INSERT INTO ${table} SELECT r.* FROM (SELECT unnest(CAST(CAST(@rows AS JSON) AS ${tableType}[])) AS r)`,
          { rows: JSON.stringify(rows) },
        );
      }
      await refreshWildcards(session);
    },
    /** Drops a streaming table, as Google does once the day's daily table is complete. */
    async dropIntraday(session: Ga4ExportSession, day: string): Promise<void> {
      if (!/^\d{8}$/.test(day)) throw new Error(`GA4 export day "${day}" is not YYYYMMDD`);
      await session.run(`DROP TABLE IF EXISTS ${schema}.${quote(`events_intraday_${day}`)}`);
      await refreshWildcards(session);
    },
  };
}

export type LocalGa4Export = ReturnType<typeof createLocalGa4Export>;

function emptySelect(
  columns: readonly Ga4ExportColumn[],
  duckDbType: (type: string) => string,
): string {
  const list = columns.map((c) => `CAST(NULL AS ${duckDbType(c.type)}) AS ${quote(c.name)}`);
  return `SELECT ${list.join(", ")}, CAST(NULL AS VARCHAR) AS _TABLE_SUFFIX LIMIT 0`;
}

/**
 * Before a local run of the graph: the GA4 export the graph declares (vars.ga4_dataset) exists,
 * empty unless the demo or a test wrote days into it. Nothing to do when no property is linked.
 */
export async function ensureLocalGa4Export(
  session: Ga4ExportSession,
  options: { projectDir: string; vars: Readonly<Record<string, string>> },
): Promise<LocalGa4Export | undefined> {
  const dataset = options.vars.ga4_dataset?.trim();
  if (!dataset) return undefined;
  const ga4 = createLocalGa4Export({ projectDir: options.projectDir, dataset });
  await ga4.ensure(session);
  return ga4;
}
