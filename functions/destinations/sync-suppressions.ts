import type { Warehouse } from "../platform/ports.js";
import { SYNC_SUPPRESSIONS } from "./ops-tables.js";

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
    })),
  );
}
