import { z } from "zod";
import { SYNC_RUN_OUTCOMES } from "../../destinations/ops-tables.js";
import type { ActivationPlan } from "../../handlers/plan-activation.js";
import type { Warehouse } from "../../platform/ports.js";

/**
 * What the demo's activation step achieved, read back from `ops` (not from memory): each run it
 * planned or resumed, with its final status. A run without an outcome is still open: the demo
 * drained the bus, so that means its batches were neither delivered nor given up.
 */

export interface ReportedRun {
  readonly runId: string;
  /** An earlier run whose unfinished batches this step sent again. */
  readonly resumed: boolean;
  readonly status: "succeeded" | "partially_rejected" | "failed" | "open";
  readonly reason: string | null;
  readonly acceptedAdds: number;
  readonly acceptedRemoves: number;
  readonly batchesFailed: number;
}

export interface ActivationReport {
  readonly plan: ActivationPlan;
  readonly runs: readonly ReportedRun[];
  /** Activation deliveries the bus gave up on (recorded as failed batches in ops). */
  readonly deadLetters: number;
  /** Why the sync did not complete, one line per run; empty when it did. */
  readonly problems: readonly string[];
}

const OutcomeRow = z.object({
  run_id: z.string(),
  status: z.enum(["succeeded", "partially_rejected", "failed"]),
  reason: z.string().nullable(),
  accepted_adds: z.coerce.number(),
  accepted_removes: z.coerce.number(),
  batches_failed: z.coerce.number(),
});

export async function activationReport(
  warehouse: Warehouse,
  plan: ActivationPlan,
  deadLetters: number,
): Promise<ActivationReport> {
  const resumedIds = new Set(plan.resumed.map((b) => b.runId));
  const ids = [...new Set([...resumedIds, ...(plan.status === "planned" ? [plan.runId] : [])])];
  const runs: ReportedRun[] = [];
  for (const runId of ids) {
    const [row] = await warehouse.query(
      `SELECT run_id, status, reason, accepted_adds, accepted_removes, batches_failed FROM ${SYNC_RUN_OUTCOMES.dataset}.${SYNC_RUN_OUTCOMES.table} WHERE run_id = @run_id ORDER BY finished_at LIMIT 1`,
      { run_id: runId },
    );
    const resumed = resumedIds.has(runId);
    if (!row) {
      runs.push({
        runId,
        resumed,
        status: "open",
        reason: "its batches were neither delivered nor given up",
        acceptedAdds: 0,
        acceptedRemoves: 0,
        batchesFailed: 0,
      });
      continue;
    }
    const r = OutcomeRow.parse(row);
    runs.push({
      runId,
      resumed,
      status: r.status,
      reason: r.reason,
      acceptedAdds: r.accepted_adds,
      acceptedRemoves: r.accepted_removes,
      batchesFailed: r.batches_failed,
    });
  }
  const problems = runs
    .filter((r) => r.status === "failed" || r.status === "open")
    .map((r) => `run ${r.runId} ${r.status === "open" ? "did not finish" : "failed"}: ${r.reason}`);
  return { plan, runs, deadLetters, problems };
}

/** One line for the stage list: this run's plan, what was resumed, and what did not go through. */
export function describeActivation(report: ActivationReport): string {
  const n = (v: number) => v.toLocaleString("en");
  const { plan } = report;
  const parts = [
    `${n(plan.plannedAdds)} adds, ${n(plan.plannedRemoves)} removes in ${n(plan.batches.length)} batches`,
  ];
  if (plan.resumed.length > 0) {
    const runs = report.runs.filter((r) => r.resumed);
    const adds = runs.reduce((k, r) => k + r.acceptedAdds, 0);
    const removes = runs.reduce((k, r) => k + r.acceptedRemoves, 0);
    parts.push(
      `resumed ${n(plan.resumed.length)} unfinished batches of ${runs.length === 1 ? "an earlier run" : `${runs.length} earlier runs`} (${n(adds)} adds, ${n(removes)} removes accepted)`,
    );
  }
  if (plan.takenOver > 0) parts.push(`took over ${n(plan.takenOver)} outdated batches`);
  const partial = report.runs.filter((r) => r.status === "partially_rejected").length;
  if (partial > 0) parts.push(`${partial} runs partially rejected (see ops.sync_rejections)`);
  if (report.deadLetters > 0) parts.push(`${n(report.deadLetters)} deliveries dead-lettered`);
  if (report.problems.length > 0) parts.push("NOT COMPLETE");
  return parts.join("; ");
}
