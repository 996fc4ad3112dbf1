import type { Warehouse } from "../platform/ports.js";
import {
  countRows,
  createOrReplace,
  createSchema,
  dropRelation,
  insertInto,
  mergeInto,
  tableColumns,
  tableName,
  tableType,
} from "./bigquery-statements.js";
import type { Action, Target } from "./compiled-graph.js";
import { type ActionOutcome, AssertionFailedError, type ExecuteOptions } from "./graph-runner.js";

/**
 * Executes one action of a graph compiled for BigQuery through the Warehouse port, the way the
 * Dataform service runs it: the SQL inside queries is the compiled BigQuery SQL, unchanged.
 */
export async function executeBigQueryAction(
  warehouse: Warehouse,
  action: Action,
  options: ExecuteOptions = {},
): Promise<ActionOutcome> {
  const target = action.target;
  switch (action.type) {
    case "declaration": {
      if ((await relationKind(warehouse, target).catch(() => null)) === null) {
        throw new Error(
          `${action.name} is declared in ${action.fileName} but is not in the warehouse: ` +
            "load its raw data (or create the empty raw table) before running the graph.",
        );
      }
      return {};
    }
    case "view": {
      await warehouse.query(createSchema(target));
      await runAll(warehouse, action.preOps);
      await replaceRelation(warehouse, "VIEW", action, queryOf(action));
      await runAll(warehouse, action.postOps);
      return {};
    }
    case "table": {
      await warehouse.query(createSchema(target));
      await runAll(warehouse, action.preOps);
      await replaceRelation(warehouse, "TABLE", action, queryOf(action));
      await runAll(warehouse, action.postOps);
      return { rows: await count(warehouse, countRows(target)) };
    }
    case "incremental":
      return executeIncremental(warehouse, action, options);
    case "assertion": {
      await warehouse.query(createSchema(target));
      await replaceRelation(warehouse, "VIEW", action, queryOf(action));
      const failingRows = await count(warehouse, countRows(target));
      if (failingRows > 0) throw new AssertionFailedError(action, failingRows, tableName(target));
      return { failingRows };
    }
    case "operations": {
      await warehouse.query(queryOf(action));
      return {};
    }
  }
}

async function executeIncremental(
  warehouse: Warehouse,
  action: Action,
  options: ExecuteOptions,
): Promise<ActionOutcome> {
  const target = action.target;
  await warehouse.query(createSchema(target));
  const exists = (await relationKind(warehouse, target)) === "TABLE";
  if (!exists || (options.fullRefresh && !action.protected)) {
    await runAll(warehouse, action.preOps);
    await replaceRelation(warehouse, "TABLE", action, queryOf(action));
    await runAll(warehouse, action.postOps);
    return { rows: await count(warehouse, countRows(target)) };
  }
  const rows = await warehouse.query(tableColumns(target), { table_name: target.name });
  const columns = rows.map((row) => String(row.column_name));
  const incrementalQuery = action.incrementalQuery ?? queryOf(action);
  await runAll(warehouse, action.incrementalPreOps);
  await warehouse.query(
    action.uniqueKey.length > 0
      ? mergeInto(target, incrementalQuery, action.uniqueKey, columns)
      : insertInto(target, incrementalQuery, columns),
  );
  await runAll(warehouse, action.incrementalPostOps);
  return { rows: await count(warehouse, countRows(target)) };
}

type Relation = "TABLE" | "VIEW";

async function relationKind(warehouse: Warehouse, target: Target): Promise<Relation | null> {
  const [row] = await warehouse.query(tableType(target), { table_name: target.name });
  if (!row) return null;
  return row.table_type === "VIEW" ? "VIEW" : "TABLE";
}

/** BigQuery cannot replace a view with a table or the reverse: drop the other kind first. */
async function replaceRelation(
  warehouse: Warehouse,
  kind: Relation,
  action: Action,
  query: string,
): Promise<void> {
  const existing = await relationKind(warehouse, action.target);
  if (existing !== null && existing !== kind)
    await warehouse.query(dropRelation(existing, action.target));
  await warehouse.query(createOrReplace(kind, action, query));
}

async function runAll(warehouse: Warehouse, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await warehouse.query(statement);
}

async function count(warehouse: Warehouse, sql: string): Promise<number> {
  const [row] = await warehouse.query(sql);
  const value = row ? Object.values(row)[0] : 0;
  return Number(value ?? 0);
}

function queryOf(action: Action): string {
  if (action.query === undefined) throw new Error(`${action.name} has no query`);
  return action.query;
}
