import { z } from "zod";
import type { SnapshotMember } from "../core/activation/diff.js";
import type { SqlParams, Warehouse } from "../platform/ports.js";
import {
  SYNC_BATCHES,
  SYNC_MEMBERS,
  SYNC_REJECTIONS,
  SYNC_RUNS,
  SYNC_SUPPRESSIONS,
  SYNC_TABLES,
} from "./ops-tables.js";
import { presentColumns } from "./segment-reader.js";

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

/**
 * Creates the ops tables when missing, and adds columns later versions introduced to tables an
 * earlier version created (`ALTER TABLE … ADD COLUMN IF NOT EXISTS`, on both engines); once per
 * warehouse client (every batch calls it).
 */
export async function ensureSyncTables(warehouse: Warehouse): Promise<void> {
  if (ensured.has(warehouse)) return;
  for (const table of SYNC_TABLES) {
    await warehouse.ensureTable(table);
    // Only these tables gained columns since their first version (2026-12-01).
    if (![SYNC_MEMBERS, SYNC_RUNS, SYNC_BATCHES, SYNC_SUPPRESSIONS].includes(table)) continue;
    const names = table.columns.map((c) => c.name);
    const have = (await presentColumns(warehouse, table, names)) ?? new Set<string>();
    for (const column of table.columns) {
      if (have.has(column.name)) continue;
      const type = warehouse.dialect === "duckdb" ? duckDbType(column.type) : column.type;
      await warehouse.query(
        `ALTER TABLE ${qualified(table)} ADD COLUMN IF NOT EXISTS ${column.name} ${type}`,
      );
    }
  }
  ensured.add(warehouse);
}

function duckDbType(type: string): string {
  return type === "STRING" ? "VARCHAR" : type === "INT64" ? "BIGINT" : type;
}

/** `IN (@prefix0, @prefix1, …)` for values, with the matching parameters. */
export function inList(
  prefix: string,
  values: readonly string[],
): { sql: string; params: SqlParams } {
  const params: Record<string, string> = {};
  const names = values.map((value, i) => {
    params[`${prefix}${i}`] = value;
    return `@${prefix}${i}`;
  });
  return { sql: `(${names.join(", ")})`, params };
}

const MemberRow = z.object({
  contact_id: z.string(),
  identifier_hash: z.string(),
  payload_digest: z.string().nullable().optional(),
  member_keys: z.string().nullable().optional(),
  destination_id: z.string().nullable().optional(),
});
const Keys = z.record(z.string(), z.string());

/** What the destination holds for this sync according to us (duplicates collapsed), in contact order. */
export async function readSnapshot(
  warehouse: Warehouse,
  syncId: string,
): Promise<SnapshotMember[]> {
  const rows = await warehouse.query(
    `SELECT DISTINCT contact_id, identifier_hash, payload_digest, member_keys, destination_id FROM ${qualified(SYNC_MEMBERS)} WHERE sync_id = @sync_id ORDER BY contact_id, identifier_hash`,
    { sync_id: syncId },
  );
  return rows.map((row) => {
    const parsed = MemberRow.parse(row);
    const keys = parsed.member_keys ? Keys.safeParse(JSON.parse(parsed.member_keys)) : undefined;
    return {
      contactId: parsed.contact_id,
      identifierHash: parsed.identifier_hash,
      digest: parsed.payload_digest ?? null,
      keys: keys?.success ? keys.data : null,
      destinationId: parsed.destination_id ?? null,
    };
  });
}

export interface AcceptedMember {
  readonly hash: string;
  readonly contactIds: readonly string[];
  readonly digest?: string | undefined;
  readonly keys?: Readonly<Record<string, string>> | undefined;
  readonly destinationId?: string | undefined;
}

/**
 * Records accepted adds and updates (and relinks): the rows of each key are replaced by one row
 * per contact that wants it now, so a redelivery writes the same rows again, and a key a merge
 * moved to another contact follows it. A crash between the delete and the insert leaves the key
 * out of the snapshot: the next run adds it again, which the destination takes as a no-op.
 */
export async function upsertMembers(
  warehouse: Warehouse,
  input: {
    syncId: string;
    runId: string;
    identifierType: string;
    at: Date;
    members: readonly AcceptedMember[];
  },
): Promise<number> {
  if (input.members.length === 0) return 0;
  await removeMembers(
    warehouse,
    input.syncId,
    input.members.map((m) => m.hash),
  );
  const rows = input.members.flatMap((m) =>
    [...new Set(m.contactIds)].map((contactId) => ({
      sync_id: input.syncId,
      contact_id: contactId,
      identifier_type: input.identifierType,
      identifier_hash: m.hash,
      added_at: input.at,
      run_id: input.runId,
      payload_digest: m.digest ?? m.hash,
      member_keys: m.keys ? JSON.stringify(m.keys) : null,
      destination_id: m.destinationId ?? null,
    })),
  );
  await warehouse.insertRows(SYNC_MEMBERS, rows);
  return rows.length;
}

/** Records accepted removes: every row holding one of these keys goes. */
export async function removeMembers(
  warehouse: Warehouse,
  syncId: string,
  hashes: readonly string[],
): Promise<void> {
  const unique = [...new Set(hashes)];
  for (let i = 0; i < unique.length; i += IN_LIST_CHUNK) {
    const list = inList("h", unique.slice(i, i + IN_LIST_CHUNK));
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
