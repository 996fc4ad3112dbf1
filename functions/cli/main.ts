import { join } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { pino } from "pino";
import { createLogger } from "../platform/logger.js";
import { checkSqlCommand } from "./commands/check-sql.js";
import { compileCommand } from "./commands/compile.js";
import { sqlCommand } from "./commands/sql.js";
import { runDemo } from "./demo/run-demo.js";
import { formatMs } from "./demo/stage-runner.js";
import { formatSummary } from "./demo/summary.js";
import { defaultProjectDir } from "./project-dir.js";

const DEFAULT_DIR = ".unistack";

const program = new Command()
  .name("unistack")
  .description("Unistack: land marketing data, model one contact ID, activate segments.")
  .showHelpAfterError();

program
  .command("compile")
  .description("compile the Dataform project for BigQuery or DuckDB and print the graph as JSON")
  .addOption(
    new Option("--target <target>", "SQL dialect")
      .choices(["bigquery", "duckdb"])
      .default("bigquery"),
  )
  .option("--out <file>", "write the compiled graph to a file instead of stdout")
  .option("--project <dir>", "project folder (holds workflow_settings.yaml)", defaultProjectDir())
  .action(async (opts: { target: "bigquery" | "duckdb"; out?: string; project: string }) => {
    await compileCommand({
      projectDir: opts.project,
      target: opts.target,
      ...(opts.out ? { out: opts.out } : {}),
    });
  });

program
  .command("check-sql")
  .description("check every compiled BigQuery statement offline with the ZetaSQL analyzer")
  .option("--project <dir>", "project folder (holds workflow_settings.yaml)", defaultProjectDir())
  .action(async (opts: { project: string }) => {
    process.exitCode = await checkSqlCommand({ projectDir: opts.project });
  });

program
  .command("demo")
  .description("run the whole pipeline locally on synthetic data (no cloud account, no network)")
  .option("--contacts <n>", "people in the synthetic data set", positiveInt, 3000)
  .option("--seed <n>", "seed of the synthetic data", positiveInt, 42)
  .option("--dir <dir>", "where the lake, the DuckDB file and the sandbox state live", DEFAULT_DIR)
  .option("--fresh", "forget previous runs and start from nothing", false)
  .option("--concurrency <n>", "concurrent webhook requests", positiveInt, 16)
  .option("--project <dir>", "project folder (holds workflow_settings.yaml)", defaultProjectDir())
  .addOption(
    new Option("--log-level <level>", "write the functions' structured logs to stderr")
      .choices(["silent", "error", "warn", "info", "debug"])
      .default("silent"),
  )
  .action(async (opts: DemoFlags) => {
    const result = await runDemo(
      {
        dir: opts.dir,
        contacts: opts.contacts,
        seed: opts.seed,
        fresh: opts.fresh,
        concurrency: opts.concurrency,
        projectDir: opts.project,
        ...(opts.logLevel === "silent"
          ? {}
          : { logger: createLogger({ level: opts.logLevel, destination: pino.destination(2) }) }),
      },
      { interactive: true },
    );
    console.log(formatSummary(result.summary));
    console.log(`\nTotal ${formatMs(result.totalMs)}.`);
  });

program
  .command("sql")
  .description("run one SQL query (DuckDB dialect) on the local warehouse the demo built")
  .argument("<query>", 'the query, e.g. "SELECT COUNT(*) FROM marts.dim_contacts"')
  .option("--dir <dir>", "the demo's folder", DEFAULT_DIR)
  .action(async (query: string, opts: { dir: string }) => {
    process.exitCode = await sqlCommand(query, { warehouse: join(opts.dir, "warehouse.duckdb") });
  });

interface DemoFlags {
  contacts: number;
  seed: number;
  dir: string;
  fresh: boolean;
  concurrency: number;
  project: string;
  logLevel: string;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new InvalidArgumentError("expected a positive whole number");
  }
  return n;
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`unistack: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
