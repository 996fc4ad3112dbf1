import type { ObjectStore, Warehouse } from "../../platform/ports.js";
import type { ErasureState } from "./erasure-state.js";
import { ERASURE_REPORTS } from "./privacy-tables.js";

/**
 * What an erasure removed where: counts per location, no identifier, no contact id. Written to
 * the lake (`privacy/reports/<id>.json`, what you hand to an auditor) and to
 * `privacy.erasure_reports` (one row per location, to query).
 */
export const REPORTS_PREFIX = "privacy/reports/";

export interface ErasureReport {
  readonly erasureId: string;
  readonly origin: string;
  readonly status: ErasureState["status"];
  readonly requestedAt: string;
  readonly completedAt: string | null;
  readonly removed: ReadonlyArray<{ readonly location: string; readonly count: number }>;
  readonly lakeObjects: ErasureState["lake"];
  readonly suppressionKeysAdded: number;
  readonly stillHeld: readonly string[];
  readonly notes: readonly string[];
}

export const TIME_TRAVEL_NOTE =
  "BigQuery keeps deleted rows 2 days in time travel (max_time_travel_hours = 48 on every dataset) and 7 more days in fail-safe; deleted or rewritten lake objects stay soft-deleted for lake_soft_delete_retention_days (default 7). The person's data is physically gone at most 9 days after this report.";

export function reportOf(state: ErasureState, stillHeld: readonly string[] = []): ErasureReport {
  return {
    erasureId: state.id,
    origin: state.origin,
    status: state.status,
    requestedAt: state.requestedAt,
    completedAt: state.completedAt ?? null,
    removed: Object.entries(state.removed)
      .map(([location, count]) => ({ location, count }))
      .sort((a, b) => a.location.localeCompare(b.location)),
    lakeObjects: state.lake,
    suppressionKeysAdded: state.suppressionKeysAdded,
    stillHeld,
    notes: [TIME_TRAVEL_NOTE],
  };
}

export async function writeReport(
  deps: { readonly store: ObjectStore; readonly warehouse: Warehouse },
  report: ErasureReport,
  at: Date,
): Promise<string> {
  const key = `${REPORTS_PREFIX}${report.erasureId}.json`;
  await deps.store.put(key, `${JSON.stringify(report, null, 2)}\n`, {
    contentType: "application/json",
  });
  await deps.warehouse.ensureTable(ERASURE_REPORTS);
  // Rewritten whole, so a retried erasure leaves one set of rows.
  await deps.warehouse.query(
    `DELETE FROM ${ERASURE_REPORTS.dataset}.${ERASURE_REPORTS.table} WHERE erasure_id = @id`,
    { id: report.erasureId },
  );
  const rows = (report.removed.length > 0 ? report.removed : [{ location: "none", count: 0 }]).map(
    (r) => ({
      erasure_id: report.erasureId,
      origin: report.origin,
      status: report.status,
      location: r.location,
      removed: r.count,
      requested_at: new Date(report.requestedAt),
      recorded_at: at,
    }),
  );
  await deps.warehouse.insertRows(ERASURE_REPORTS, rows);
  return key;
}
