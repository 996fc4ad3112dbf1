import { pino } from "pino";
import { createLogger } from "../../platform/logger.js";
import type { Rehearsal } from "../demo/demo-meta.js";
import { runDemo } from "../demo/run-demo.js";
import { formatMs } from "../demo/stage-runner.js";
import { formatSummary } from "../demo/summary.js";
import { EXIT } from "../options.js";

export interface DemoFlags {
  contacts: number;
  seed: number;
  dir: string;
  fresh: boolean;
  concurrency: number;
  project: string;
  logLevel: string;
  rehearseFailure?: Rehearsal;
}

/**
 * `unistack demo`: runs the stages, prints the summary, and answers the exit code. A run whose
 * audience sync did not complete exits with EXIT.activationIncomplete and says what failed and
 * what to do; the data it landed and modeled stays, and running the same command again resumes.
 */
export async function demoCommand(opts: DemoFlags): Promise<number> {
  const result = await runDemo(
    {
      dir: opts.dir,
      contacts: opts.contacts,
      seed: opts.seed,
      fresh: opts.fresh,
      concurrency: opts.concurrency,
      projectDir: opts.project,
      ...(opts.rehearseFailure ? { rehearse: opts.rehearseFailure } : {}),
      ...(opts.logLevel === "silent"
        ? {}
        : { logger: createLogger({ level: opts.logLevel, destination: pino.destination(2) }) }),
    },
    { interactive: true },
  );
  console.log(formatSummary(result.summary));
  console.log(`\nTotal ${formatMs(result.totalMs)}.`);
  console.log(`Report (open in a browser, works offline): ${result.report.path}`);
  const { problems } = result.activation;
  if (problems.length === 0) return EXIT.ok;
  console.error(
    [
      "",
      `unistack: the Meta audience sync did not complete (run ${result.summary.run} is not recorded as finished):`,
      ...problems.map((p) => `  - ${p}`),
      "What to do: fix the cause named above (the destination's availability or rate limits, the access token, the audience), then run the same command again: the landed data is kept, undelivered batches are resent under their original upload sessions, and nothing lands twice.",
      'Details: ops.sync_run_outcomes and ops.sync_batches (npx unistack sql "SELECT * FROM ops.sync_run_outcomes"). Exit code 4.',
    ].join("\n"),
  );
  return EXIT.activationIncomplete;
}
