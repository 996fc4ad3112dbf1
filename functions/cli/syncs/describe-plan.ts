import type { PreviewRow } from "../../core/activation/preview.js";
import type { SyncConfig } from "../../core/activation/sync-config.js";
import type { ActivationPlan } from "../../handlers/plan-activation.js";

/**
 * What `unistack sync --dry-run` prints for one sync. Deterministic for the same warehouse and
 * ledger (no run id, no clock), so two dry runs print the same text, and free of personal data:
 * the sample shows contact ids (the warehouse's own surrogate keys), the first 12 hex digits of
 * the member key and masked values (docs/destinations.md, "Dry run").
 */
export interface DryRunView {
  readonly syncId: string;
  readonly destination: string;
  readonly target: string;
  readonly segment: string;
  readonly segmentRows: number;
  readonly eligibleContacts: number;
  readonly adds: number;
  readonly updates: number;
  readonly removes: number;
  readonly relinks: number;
  readonly unchanged: number;
  readonly skipped: ActivationPlan["skipped"];
  readonly missingColumns: readonly string[];
  /** Batches of unfinished earlier runs a real run would send again (same objects). */
  readonly resumable: { readonly batches: number; readonly rows: number };
  /** Batches of earlier runs a real run would take over (their rows are in the counts). */
  readonly takenOver: number;
  readonly sample: {
    readonly adds: readonly PreviewRow[];
    readonly updates: readonly PreviewRow[];
    readonly removes: readonly PreviewRow[];
  };
}

export function dryRunView(sync: SyncConfig, plan: ActivationPlan): DryRunView {
  return {
    syncId: plan.syncId,
    destination: plan.destination,
    target: plan.audienceId,
    segment: `${sync.segment.dataset}.${sync.segment.table}`,
    segmentRows: plan.segmentRows,
    eligibleContacts: plan.eligibleContacts,
    adds: plan.plannedAdds,
    updates: plan.plannedUpdates,
    removes: plan.plannedRemoves,
    relinks: plan.relinked,
    unchanged: plan.unchanged,
    skipped: plan.skipped,
    missingColumns: plan.missingColumns,
    resumable: {
      batches: plan.resumed.length,
      rows: plan.resumed.reduce((n, b) => n + b.rows, 0),
    },
    takenOver: plan.takenOver,
    sample: plan.preview ?? { adds: [], updates: [], removes: [] },
  };
}

const n = (v: number) => v.toLocaleString("en");

export function formatDryRun(view: DryRunView): string[] {
  const lines = [
    `${view.syncId} → ${view.destination} ${view.target} (from ${view.segment})`,
    `  segment rows ${n(view.segmentRows)}, eligible contacts ${n(view.eligibleContacts)}, unchanged ${n(view.unchanged)}`,
    `  would add ${n(view.adds)}, update ${n(view.updates)}, remove ${n(view.removes)}; relink ${n(view.relinks)} (ledger only)`,
    `  skipped: ${n(view.skipped.noConsent)} without consent, ${n(view.skipped.noEmail)} without email, ${n(view.skipped.invalidEmail)} invalid, ${n(view.skipped.suppressed)} suppressed${view.skipped.forgotten > 0 ? `, ${n(view.skipped.forgotten)} forgotten` : ""}`,
  ];
  if (view.missingColumns.length > 0) {
    lines.push(`  not sent (columns missing from the segment): ${view.missingColumns.join(", ")}`);
  }
  if (view.resumable.batches > 0) {
    lines.push(
      `  would first resend ${n(view.resumable.batches)} unfinished batches of earlier runs (${n(view.resumable.rows)} rows)`,
    );
  }
  if (view.takenOver > 0) {
    lines.push(`  would take over ${n(view.takenOver)} outdated batches of earlier runs`);
  }
  const sample = [
    ...view.sample.adds.map((row) => ["add", row] as const),
    ...view.sample.updates.map((row) => ["update", row] as const),
    ...view.sample.removes.map((row) => ["remove", row] as const),
  ];
  if (sample.length > 0) {
    lines.push("  sample (change, member key prefix, contact ids, masked values):");
    for (const [op, row] of sample) {
      const fields = Object.entries(row.fields)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
      lines.push(
        `    ${op.padEnd(6)} ${row.key}  ${row.contactIds.join(",")}${fields ? `  ${fields}` : ""}`,
      );
    }
  }
  return lines;
}
