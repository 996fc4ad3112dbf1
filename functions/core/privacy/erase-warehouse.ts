import type { Row, SqlParams, Warehouse } from "../../platform/ports.js";
import { RAW_DATASET, rawTableName } from "../raw-table.js";
import type { IdentifierPath, PersonalTable } from "./declarations.js";
import type { Person } from "./person.js";
import {
  checkedName,
  chunks,
  columnKeySql,
  type Dialect,
  pathMatchesSql,
  sqlIn,
  tableSql,
} from "./sql.js";
import { tableKind } from "./warehouse-catalog.js";

/**
 * Rows of the person in the warehouse: found by the declared identifier columns (tables) and
 * identifier paths (raw payloads), counted, then deleted. Views hold nothing and are skipped.
 */

export interface RawStreamDeclaration {
  readonly source: string;
  readonly stream: string;
  readonly identifiers: readonly IdentifierPath[];
}

interface Where {
  readonly sql: string;
  readonly params: SqlParams;
}

function dialectOf(warehouse: Warehouse): Dialect {
  return warehouse.dialect;
}

/** Rows of a raw table that name the person in the payload, or whose record was removed. */
export function rawWhere(
  dialect: Dialect,
  stream: RawStreamDeclaration,
  person: Person,
  salt: string,
  recordIds: readonly string[] = [],
): Where | undefined {
  const keys = sqlIn("k", [...person.keys]);
  const ids = sqlIn("r", recordIds);
  const parts = [
    ...(person.keys.size > 0
      ? stream.identifiers.map((p) => pathMatchesSql(dialect, "payload", p.path, p.kind, keys.sql))
      : []),
    ...(recordIds.length > 0 ? [`_record_id IN ${ids.sql}`] : []),
  ];
  if (parts.length === 0) return undefined;
  return { sql: parts.join(" OR "), params: { salt, ...keys.params, ...ids.params } };
}

/** Rows of a declared table that belong to the person. */
export function tableWhere(
  dialect: Dialect,
  table: PersonalTable,
  person: Person,
  salt: string,
): Where | undefined {
  const keys = sqlIn("k", [...person.keys]);
  const contacts = sqlIn("c", [...person.contactIds]);
  const parts = table.identifiers.flatMap((c) => {
    if (c.kind === "contact_id") {
      return person.contactIds.size > 0 ? [`${checkedName(c.column)} IN ${contacts.sql}`] : [];
    }
    return person.keys.size > 0 ? [`${columnKeySql(dialect, c)} IN ${keys.sql}`] : [];
  });
  if (parts.length === 0) return undefined;
  return { sql: parts.join(" OR "), params: { salt, ...keys.params, ...contacts.params } };
}

async function count(warehouse: Warehouse, from: string, where: Where): Promise<number> {
  const [row] = await warehouse.query(
    `SELECT COUNT(*) AS n FROM ${from} WHERE ${where.sql}`,
    where.params,
  );
  return Number(row?.n ?? 0);
}

/** Counts and deletes the rows; answers how many there were. */
export async function deleteWhere(
  warehouse: Warehouse,
  table: { dataset: string; table: string },
  where: Where,
): Promise<number> {
  const from = tableSql(table);
  const n = await count(warehouse, from, where);
  if (n > 0) await warehouse.query(`DELETE FROM ${from} WHERE ${where.sql}`, where.params);
  return n;
}

/** The raw table of a stream, when it exists. */
export async function rawTableOf(
  warehouse: Warehouse,
  stream: RawStreamDeclaration,
): Promise<{ dataset: string; table: string } | undefined> {
  const ref = { dataset: RAW_DATASET, table: rawTableName(stream.source, stream.stream) };
  return (await tableKind(warehouse, ref)) === "table" ? ref : undefined;
}

/** Lake objects whose loaded rows name the person: what the lake step must rewrite. */
export async function rawObjectsNaming(
  warehouse: Warehouse,
  stream: RawStreamDeclaration,
  person: Person,
  salt: string,
): Promise<string[]> {
  const table = await rawTableOf(warehouse, stream);
  const where = rawWhere(dialectOf(warehouse), stream, person, salt);
  if (!table || !where) return [];
  const rows: Row[] = await warehouse.query(
    `SELECT DISTINCT _object FROM ${tableSql(table)} WHERE ${where.sql}`,
    where.params,
  );
  return rows.map((r) => String(r._object));
}

/**
 * Deletes every row of these objects from the stream's raw table: an object rewritten without
 * the person is a new version the loader loads again, so its old rows must go first.
 */
export async function deleteObjectRows(
  warehouse: Warehouse,
  stream: RawStreamDeclaration,
  objects: readonly string[],
): Promise<number> {
  const table = await rawTableOf(warehouse, stream);
  if (!table) return 0;
  let n = 0;
  for (const part of chunks(objects, 400)) {
    const list = sqlIn("o", part);
    n += await deleteWhere(warehouse, table, {
      sql: `_object IN ${list.sql}`,
      params: list.params,
    });
  }
  return n;
}

/** Rows of one raw object that name the person (counted before the object's rows are deleted). */
export async function personRowsOfObject(
  warehouse: Warehouse,
  stream: RawStreamDeclaration,
  person: Person,
  salt: string,
  object: string,
): Promise<number> {
  const table = await rawTableOf(warehouse, stream);
  const where = rawWhere(dialectOf(warehouse), stream, person, salt);
  if (!table || !where) return 0;
  return count(warehouse, tableSql(table), {
    sql: `_object = @object AND (${where.sql})`,
    params: { ...where.params, object },
  });
}

/** Deletes the person's raw rows left anywhere in the stream's table (objects gone, restored rows). */
export async function deleteRawRows(
  warehouse: Warehouse,
  stream: RawStreamDeclaration,
  person: Person,
  salt: string,
  recordIds: readonly string[],
): Promise<number> {
  const table = await rawTableOf(warehouse, stream);
  if (!table) return 0;
  let n = 0;
  for (const ids of recordIds.length > 0 ? chunks(recordIds, 400) : [[]]) {
    const where = rawWhere(dialectOf(warehouse), stream, person, salt, ids);
    if (where) n += await deleteWhere(warehouse, table, where);
  }
  return n;
}

/** Deletes the person's rows from a declared table (skipped when it is a view or missing). */
export async function deleteTableRows(
  warehouse: Warehouse,
  table: PersonalTable,
  person: Person,
  salt: string,
): Promise<number | undefined> {
  if ((await tableKind(warehouse, table)) !== "table") return undefined;
  const where = tableWhere(dialectOf(warehouse), table, person, salt);
  if (!where) return 0;
  return deleteWhere(warehouse, table, where);
}

/** Rows of the person a declared table still holds (views included: they show what's stored). */
export async function countTableRows(
  warehouse: Warehouse,
  table: PersonalTable,
  person: Person,
  salt: string,
): Promise<number> {
  if (!(await tableKind(warehouse, table))) return 0;
  const where = tableWhere(dialectOf(warehouse), table, person, salt);
  return where ? count(warehouse, tableSql(table), where) : 0;
}
