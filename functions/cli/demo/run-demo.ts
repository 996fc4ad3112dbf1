import type { ReportSummary } from "../../report/write-report.js";
import type { ActivationReport } from "./activation-report.js";
import { type DemoOptions, openDemo } from "./demo-context.js";
import { demoStages } from "./demo-stages.js";
import { runStages, type StageRendering, type StageTiming } from "./stage-runner.js";
import { type DemoSummary, summarize } from "./summary.js";

export type { DemoOptions } from "./demo-context.js";

export interface DemoResult {
  readonly summary: DemoSummary;
  readonly stages: StageTiming[];
  readonly totalMs: number;
  /** What the audience sync achieved; `problems` is empty when every change went through. */
  readonly activation: ActivationReport;
  /** Whether the run was recorded as finished (the next `unistack demo` is the next run). */
  readonly committed: boolean;
  /** The local report the last stage wrote (`unistack report`). */
  readonly report: ReportSummary;
}

/**
 * `unistack demo`: the whole pipeline on one machine: synthetic webhooks → ingest functions over
 * HTTP → lake → raw tables → Dataform graph on DuckDB → segment diff → Meta sandbox. A run whose
 * audience sync did not complete is not recorded as finished: running the command again redoes
 * it as the same run and resumes the sync from `ops`.
 */
export async function runDemo(options: DemoOptions, render: StageRendering): Promise<DemoResult> {
  const started = performance.now();
  const ctx = await openDemo(options);
  try {
    const stages = await runStages(demoStages, ctx, render);
    const summary = await summarize(ctx);
    const activation = ctx.results.activation as ActivationReport;
    const committed = activation.problems.length === 0;
    ctx.crashPoint("before-commit");
    if (committed) await ctx.commit();
    const report = ctx.results.report as ReportSummary;
    return { summary, stages, totalMs: performance.now() - started, activation, committed, report };
  } finally {
    await ctx.close();
  }
}
