import { Command, InvalidArgumentError, Option } from "commander";
import { checkSqlCommand } from "./commands/check-sql.js";
import { compileCommand } from "./commands/compile.js";
import { defaultProjectDir } from "./project-dir.js";

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

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError("expected a positive whole number");
  return n;
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`unistack: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
