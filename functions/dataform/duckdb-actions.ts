import { rewriteBigQueryNames } from "../platform/local/duckdb-sql.js";
import type { Row } from "../platform/ports.js";
import type { Action, Target } from "./compiled-graph.js";
import {
  countRows,
  createOrReplace,
  createSchema,
  dropRelation,
  insertInto,
  mergeInto,
  requoteAssertionLabels,
  tableColumns,
  tableExists,
  tableName,
  tableType,
} from "./duckdb-statements.js";
import { type ActionOutcome, AssertionFailedError, type ExecuteOptions } from "./graph-runner.js";

export type { ActionOutcome, ExecuteOptions } from "./graph-runner.js";
export { AssertionFailedError } from "./graph-runner.js";

/** What the runner needs of a DuckDB connection; `DuckDbWarehouse` fits as is. */
export interface SqlSession {
  /** Runs one or more statements. */
  run(sql: string): Promise<void>;
  query(sql: string): Promise<Row[]>;
}

async function count(session: SqlSession, sql: string): Promise<number> {
  const [row] = await session.query(sql);
  const value = row ? Object.values(row)[0] : 0;
  return Number(value ?? 0);
}

async function runAll(session: SqlSession, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await session.run(rewriteBigQueryNames(statement));
}

type Relation = "TABLE" | "VIEW";

async function relationKind(session: SqlSession, target: Target): Promise<Relation | null> {
  const [row] = await session.query(tableType(target));
  if (!row) return null;
  return row.table_type === "VIEW" ? "VIEW" : "TABLE";
}

/**
 * CREATE OR REPLACE, first dropping a relation of the other kind under the same name (a model
 * whose type changed since the last run), as Dataform does on BigQuery: DuckDB refuses to
 * replace a view with a table or a table with a view.
 */
async function replaceRelation(
  session: SqlSession,
  kind: Relation,
  target: Target,
  query: string,
): Promise<void> {
  const existing = await relationKind(session, target);
  if (existing !== null && existing !== kind) await session.run(dropRelation(existing, target));
  await session.run(createOrReplace(kind, target, query));
}

function queryOf(action: Action): string {
  if (action.query === undefined) throw new Error(`${action.name} has no query`);
  return action.query;
}

/** Executes one compiled action on DuckDB; throws when it fails. */
export async function executeAction(
  session: SqlSession,
  action: Action,
  options: ExecuteOptions = {},
): Promise<ActionOutcome> {
  const target = action.target;
  switch (action.type) {
    case "declaration": {
      if ((await count(session, tableExists(target))) === 0) {
        throw new Error(
          `${action.name} is declared in ${action.fileName} but is not in the database: ` +
            "load its raw data (or create the empty raw table) before running the graph.",
        );
      }
      return {};
    }
    case "view": {
      await session.run(createSchema(target));
      await runAll(session, action.preOps);
      await replaceRelation(session, "VIEW", target, queryOf(action));
      await runAll(session, action.postOps);
      return {};
    }
    case "table": {
      await session.run(createSchema(target));
      await runAll(session, action.preOps);
      await replaceRelation(session, "TABLE", target, queryOf(action));
      await runAll(session, action.postOps);
      return { rows: await count(session, countRows(target)) };
    }
    case "incremental":
      return executeIncremental(session, action, options);
    case "assertion": {
      await session.run(createSchema(target));
      await replaceRelation(session, "VIEW", target, requoteAssertionLabels(queryOf(action)));
      const failingRows = await count(
        session,
        `SELECT COUNT(*) AS failing FROM ${tableName(target)}`,
      );
      if (failingRows > 0) throw new AssertionFailedError(action, failingRows, tableName(target));
      return { failingRows };
    }
    case "operations": {
      await session.run(rewriteBigQueryNames(queryOf(action)));
      return {};
    }
  }
}

async function executeIncremental(
  session: SqlSession,
  action: Action,
  options: ExecuteOptions,
): Promise<ActionOutcome> {
  const target = action.target;
  await session.run(createSchema(target));
  const exists = (await relationKind(session, target)) === "TABLE";
  if (!exists || (options.fullRefresh && !action.protected)) {
    await runAll(session, action.preOps);
    await replaceRelation(session, "TABLE", target, queryOf(action));
    await runAll(session, action.postOps);
    return { rows: await count(session, countRows(target)) };
  }
  const rows = await session.query(tableColumns(target));
  const columns = rows.map((row) => String(row.column_name));
  const incrementalQuery = action.incrementalQuery ?? queryOf(action);
  await runAll(session, action.incrementalPreOps);
  await session.run(
    action.uniqueKey.length > 0
      ? mergeInto(target, incrementalQuery, action.uniqueKey, columns)
      : insertInto(target, incrementalQuery, columns),
  );
  await runAll(session, action.incrementalPostOps);
  return { rows: await count(session, countRows(target)) };
}
