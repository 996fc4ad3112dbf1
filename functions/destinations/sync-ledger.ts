import { z } from "zod";
import type { SnapshotMember } from "../core/activation/diff.js";
import type { SqlParams, Warehouse } from "../platform/ports.js";
import { SYNC_BATCHES, SYNC_MEMBERS, SYNC_REJECTIONS, SYNC_TABLES } from "./ops-tables.js";

/**
 * Reads and writes of the sync log (`ops.*`). SQL is kept portable (plain SELECT / DELETE with
 * named parameters) so it runs on BigQuery and DuckDB alike; membership tests use `IN (@p0, …)`
 * lists in chunks rather than dialect-specific array functions.
 */

const IN_LIST_CHUNK = 500;
export const TERMINAL_BATCH_STATUSES = ["succeeded", "partial", "failed", "superseded"] as const;
const TERMINAL_SQL = TERMINAL_BATCH_STATUSES.map((s) => `'${s}'`).join(", ");

const qualified = (t: { dataset: string; table: string }) => `${t.dataset}.${t.table}`;

const ensured = new WeakSet<Warehouse>();

/** Creates the ops tables when missing; once per warehouse client (every batch calls it). */
export async function ensureSyncTables(warehouse: Warehouse): Promise<void> {
  if (ensured.has(warehouse)) return;
  for (const table of SYNC_TABLES) await warehouse.ensureTable(table);
  ensured.add(warehouse);
}

/** `IN (@prefix0, @prefix1, …)` for values, with the matching parameters. */
function inList(prefix: string, values: readonly string[]): { sql: string; params: SqlParams } {
  const params: Record<string, string> = {};
  const names = values.map((value, i) => {
    params[`${prefix}${i}`] = value;
    return `@${prefix}${i}`;
  });
  return { sql: `(${names.join(", ")})`, params };
}

const MemberRow = z.object({ contact_id: z.string(), identifier_hash: z.string() });

/** What the destination holds for this sync according to us (duplicates collapsed). */
export async function readSnapshot(
  warehouse: Warehouse,
  syncId: string,
): Promise<SnapshotMember[]> {
  const rows = await warehouse.query(
    `SELECT DISTINCT contact_id, identifier_hash FROM ${qualified(SYNC_MEMBERS)} WHERE sync_id = @sync_id`,
    { sync_id: syncId },
  );
  return rows.map((row) => {
    const parsed = MemberRow.parse(row);
    return { contactId: parsed.contact_id, identifierHash: parsed.identifier_hash };
  });
}

/** Records accepted adds. Rows already present are not written again (redelivery). */
export async function addMembers(
  warehouse: Warehouse,
  input: {
    syncId: string;
    runId: string;
    identifierType: string;
    at: Date;
    rows: ReadonlyArray<{ contactId: string; hash: string }>;
  },
): Promise<number> {
  const present = new Set<string>();
  const hashes = [...new Set(input.rows.map((r) => r.hash))];
  for (let i = 0; i < hashes.length; i += IN_LIST_CHUNK) {
    const list = inList("h", hashes.slice(i, i + IN_LIST_CHUNK));
    const rows = await warehouse.query(
      `SELECT contact_id, identifier_hash FROM ${qualified(SYNC_MEMBERS)} WHERE sync_id = @sync_id AND identifier_hash IN ${list.sql}`,
      { sync_id: input.syncId, ...list.params },
    );
    for (const row of rows) {
      const member = MemberRow.parse(row);
      present.add(`${member.contact_id}\u0000${member.identifier_hash}`);
    }
  }
  const fresh = input.rows.filter((r) => !present.has(`${r.contactId}\u0000${r.hash}`));
  await warehouse.insertRows(
    SYNC_MEMBERS,
    fresh.map((r) => ({
      sync_id: input.syncId,
      contact_id: r.contactId,
      identifier_type: input.identifierType,
      identifier_hash: r.hash,
      added_at: input.at,
      run_id: input.runId,
    })),
  );
  return fresh.length;
}

/** Records accepted removes: every row holding one of these identifiers goes. */
export async function removeMembers(
  warehouse: Warehouse,
  syncId: string,
  hashes: readonly string[],
): Promise<void> {
  for (let i = 0; i < hashes.length; i += IN_LIST_CHUNK) {
    const list = inList("h", hashes.slice(i, i + IN_LIST_CHUNK));
    await warehouse.query(
      `DELETE FROM ${qualified(SYNC_MEMBERS)} WHERE sync_id = @sync_id AND identifier_hash IN ${list.sql}`,
      { sync_id: syncId, ...list.params },
    );
  }
}

const CountRow = z.object({ n: z.coerce.number() });

/** Whether this batch already has a terminal outcome (so a redelivery does nothing). */
export async function hasTerminalBatch(
  warehouse: Warehouse,
  key: { runId: string; op: string; batch: number },
): Promise<boolean> {
  const [row] = await warehouse.query(
    `SELECT COUNT(*) AS n FROM ${qualified(SYNC_BATCHES)} WHERE run_id = @run_id AND op = @op AND batch = @batch AND status IN (${TERMINAL_SQL})`,
    { run_id: key.runId, op: key.op, batch: key.batch },
  );
  return CountRow.parse(row).n > 0;
}

/** Whether rejections were already written for this batch (a redelivery after a crash). */
export async function hasRejections(
  warehouse: Warehouse,
  key: { runId: string; op: string; batch: number },
): Promise<boolean> {
  const [row] = await warehouse.query(
    `SELECT COUNT(*) AS n FROM ${qualified(SYNC_REJECTIONS)} WHERE run_id = @run_id AND op = @op AND batch = @batch`,
    { run_id: key.runId, op: key.op, batch: key.batch },
  );
  return CountRow.parse(row).n > 0;
}
