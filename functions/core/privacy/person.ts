import type { Logger } from "../../platform/logger.js";
import type { Warehouse } from "../../platform/ports.js";
import type { PersonalTable } from "./declarations.js";
import { checkedName, chunks, columnKeySql, type Dialect, sqlIn, tableSql } from "./sql.js";
import { tableKind } from "./warehouse-catalog.js";

/** Who an erasure or access request is about: salted identifier keys and contact ids. */
export interface Person {
  readonly keys: ReadonlySet<string>;
  readonly contactIds: ReadonlySet<string>;
}

const MAX_ROUNDS = 4;

/**
 * Everything that belongs to the person: starting from the keys and contact ids given, the
 * declared `resolves` tables are read in both directions (an email → its contact id → the
 * contact's other emails, phones, customer ids, order ids…) until nothing new turns up. Keys
 * come back salted from the warehouse itself, so no identifier leaves it in clear.
 */
export async function resolvePerson(
  deps: { readonly warehouse: Warehouse; readonly logger: Logger },
  input: { salt: string; tables: readonly PersonalTable[]; start: Person },
): Promise<Person> {
  const { warehouse } = deps;
  const dialect = warehouse.dialect as Dialect;
  const keys = new Set(input.start.keys);
  const contactIds = new Set(input.start.contactIds);
  const readable: PersonalTable[] = [];
  for (const table of input.tables.filter((t) => t.resolves)) {
    if (await tableKind(warehouse, table)) readable.push(table);
  }
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const before = keys.size + contactIds.size;
    for (const table of readable) {
      const contactCols = table.identifiers.filter((c) => c.kind === "contact_id");
      const keyCols = table.identifiers.filter((c) => c.kind !== "contact_id");
      const predicate = (keyList: string, contactList: string) =>
        [
          ...keyCols.map((c) => `${columnKeySql(dialect, c)} IN ${keyList}`),
          ...contactCols.map((c) => `${checkedName(c.column)} IN ${contactList}`),
        ].join(" OR ");
      const selects = [
        ...contactCols.map(
          (c) =>
            `SELECT DISTINCT 'c' AS t, CAST(${checkedName(c.column)} AS ${text(dialect)}) AS v`,
        ),
        ...keyCols.map((c) => `SELECT DISTINCT 'k' AS t, ${columnKeySql(dialect, c)} AS v`),
      ];
      for (const part of batchesOf([...keys], [...contactIds])) {
        const k = sqlIn("k", part.keys.length > 0 ? part.keys : [""]);
        const c = sqlIn("c", part.contacts.length > 0 ? part.contacts : [""]);
        const where = predicate(k.sql, c.sql);
        const sql = selects
          .map((s) => `${s} FROM ${tableSql(table)} WHERE ${where}`)
          .join(" UNION ALL ");
        const rows = await warehouse.query(sql, { salt: input.salt, ...k.params, ...c.params });
        for (const row of rows) {
          if (row.v === null || row.v === undefined) continue;
          (row.t === "c" ? contactIds : keys).add(String(row.v));
        }
      }
    }
    if (keys.size + contactIds.size === before) break;
  }
  deps.logger.info(
    { keys: keys.size, contacts: contactIds.size, tables: readable.length },
    "person resolved",
  );
  return { keys, contactIds };
}

function text(dialect: Dialect): string {
  return dialect === "duckdb" ? "VARCHAR" : "STRING";
}

/** The lists in chunks BigQuery's and DuckDB's parameter limits take. */
function batchesOf(
  keys: readonly string[],
  contacts: readonly string[],
): Array<{ keys: string[]; contacts: string[] }> {
  const keyChunks = chunks(keys, 400);
  const contactChunks = chunks(contacts, 400);
  const n = Math.max(keyChunks.length, contactChunks.length, 1);
  return Array.from({ length: n }, (_, i) => ({
    keys: keyChunks[i] ?? [],
    contacts: contactChunks[i] ?? [],
  }));
}
