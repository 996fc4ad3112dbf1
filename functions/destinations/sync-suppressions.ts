import { z } from "zod";
import type { Warehouse } from "../platform/ports.js";
import { SYNC_MEMBERS, SYNC_SUPPRESSIONS } from "./ops-tables.js";

/**
 * Realtime suppressions (`ops.sync_suppressions`): members a realtime rule took out of an
 * audience. Until `expires_at` the planner does not add them back and activate-<destination>
 * drops them from add batches already planned, so the batch path cannot undo the realtime path
 * before the segment itself excludes the purchaser.
 */

const q = (t: { dataset: string; table: string }) => `${t.dataset}.${t.table}`;

export async function activeSuppressions(
  warehouse: Warehouse,
  syncId: string,
  now: Date,
): Promise<Set<string>> {
  const rows = await warehouse.query(
    `SELECT DISTINCT identifier_hash FROM ${q(SYNC_SUPPRESSIONS)} WHERE sync_id = @sync_id AND expires_at > @now`,
    { sync_id: syncId, now },
  );
  return new Set(rows.map((row) => String(row.identifier_hash)));
}

export interface Suppression {
  readonly syncId: string;
  readonly hash: string;
  readonly contactId: string | null;
  readonly reason: string;
  readonly sourceRecordId: string;
  readonly at: Date;
  readonly expiresAt: Date;
  /** Set on the row written once the destination took the remove (the (record, sync) is done). */
  readonly removedAt?: Date | null;
}

export function recordSuppressions(
  warehouse: Warehouse,
  suppressions: readonly Suppression[],
): Promise<void> {
  return warehouse.insertRows(
    SYNC_SUPPRESSIONS,
    suppressions.map((s) => ({
      sync_id: s.syncId,
      identifier_hash: s.hash,
      contact_id: s.contactId,
      reason: s.reason,
      source_record_id: s.sourceRecordId,
      suppressed_at: s.at,
      expires_at: s.expiresAt,
      removed_at: s.removedAt ?? null,
    })),
  );
}

const StateRow = z.object({ n: z.coerce.number(), removed: z.coerce.number() });

/**
 * Where the realtime rule stands for one (record, sync): nothing yet, suppressed (the ledger row
 * written before the remove was sent), or done (the destination took the remove).
 */
export async function realtimeState(
  warehouse: Warehouse,
  syncId: string,
  sourceRecordId: string,
): Promise<"none" | "suppressed" | "removed"> {
  const [row] = await warehouse.query(
    `SELECT COUNT(*) AS n, COUNT(removed_at) AS removed FROM ${q(SYNC_SUPPRESSIONS)} WHERE sync_id = @sync_id AND source_record_id = @record`,
    { sync_id: syncId, record: sourceRecordId },
  );
  const state = StateRow.parse(row);
  return state.removed > 0 ? "removed" : state.n > 0 ? "suppressed" : "none";
}

const HeldRow = z.object({
  contact_id: z.string(),
  member_keys: z.string().nullable().optional(),
  destination_id: z.string().nullable().optional(),
});
const Keys = z.record(z.string(), z.string());

/** What `ops.sync_members` holds for one member key: its contacts and the keys last sent. */
export async function heldMember(
  warehouse: Warehouse,
  syncId: string,
  hash: string,
): Promise<
  | { contactIds: string[]; keys: Record<string, string> | undefined; destinationId?: string }
  | undefined
> {
  const rows = (
    await warehouse.query(
      `SELECT contact_id, member_keys, destination_id FROM ${q(SYNC_MEMBERS)} WHERE sync_id = @sync_id AND identifier_hash = @hash ORDER BY contact_id`,
      { sync_id: syncId, hash },
    )
  ).map((row) => HeldRow.parse(row));
  const [first] = rows;
  if (!first) return undefined;
  const keys = first.member_keys ? Keys.safeParse(JSON.parse(first.member_keys)) : undefined;
  return {
    contactIds: [...new Set(rows.map((r) => r.contact_id))],
    keys: keys?.success ? keys.data : undefined,
    ...(first.destination_id ? { destinationId: first.destination_id } : {}),
  };
}
