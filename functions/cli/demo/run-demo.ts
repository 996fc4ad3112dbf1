import { type DemoOptions, openDemo } from "./demo-context.js";
import { demoStages } from "./demo-stages.js";
import { runStages, type StageRendering, type StageTiming } from "./stage-runner.js";
import { type DemoSummary, summarize } from "./summary.js";

export type { DemoOptions } from "./demo-context.js";

export interface DemoResult {
  readonly summary: DemoSummary;
  readonly stages: StageTiming[];
  readonly totalMs: number;
}

/**
 * `unistack demo`: the whole pipeline on one machine: synthetic webhooks → ingest functions over
 * HTTP → lake → raw tables → Dataform graph on DuckDB → segment diff → Meta sandbox.
 */
export async function runDemo(options: DemoOptions, render: StageRendering): Promise<DemoResult> {
  const started = performance.now();
  const ctx = await openDemo(options);
  try {
    const stages = await runStages(demoStages, ctx, render);
    const summary = await summarize(ctx);
    await ctx.commit();
    return { summary, stages, totalMs: performance.now() - started };
  } finally {
    await ctx.close();
  }
}
