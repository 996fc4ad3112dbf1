import { Listr } from "listr2";

/** One step of a long command: runs, reports progress lines, and says what it did. */
export interface Stage<C> {
  readonly id: string;
  readonly title: string;
  run(ctx: C, progress: (line: string) => void): Promise<string>;
}

export interface StageTiming {
  readonly id: string;
  readonly title: string;
  readonly ms: number;
  readonly result: string;
}

export interface StageRendering {
  /** Draw the stages with listr2; otherwise run them quietly. */
  readonly interactive: boolean;
  /** When not interactive: where to write one line as each stage starts and ends. */
  readonly log?: (line: string) => void;
}

/**
 * Runs stages in order. `interactive` draws them with listr2 (spinners on a terminal, plain
 * lines elsewhere); otherwise they run silently, for tests and benchmarks.
 */
export async function runStages<C>(
  stages: readonly Stage<C>[],
  ctx: C,
  options: StageRendering,
): Promise<StageTiming[]> {
  const timings: StageTiming[] = [];
  const timed = async (stage: Stage<C>, progress: (line: string) => void): Promise<string> => {
    const started = performance.now();
    const result = await stage.run(ctx, progress);
    timings.push({ id: stage.id, title: stage.title, ms: performance.now() - started, result });
    return result;
  };
  if (!options.interactive) {
    for (const stage of stages) {
      options.log?.(`▶ ${stage.title}`);
      const result = await timed(stage, () => undefined);
      options.log?.(`✔ ${stage.title}: ${result} (${formatMs(timings.at(-1)?.ms ?? 0)})`);
    }
    return timings;
  }
  const list = new Listr(
    stages.map((stage) => ({
      title: stage.title,
      task: async (_: unknown, task: { output: string; title: string }) => {
        const result = await timed(stage, (line) => {
          task.output = line;
        });
        const ms = timings.at(-1)?.ms ?? 0;
        task.title = `${stage.title}: ${result} (${formatMs(ms)})`;
      },
    })),
    {
      concurrent: false,
      exitOnError: true,
      rendererOptions: { collapseSubtasks: false },
    },
  );
  await list.run();
  return timings;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
