import { join } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { checkSqlCommand } from "./commands/check-sql.js";
import { compileCommand } from "./commands/compile.js";
import { type DemoFlags, demoCommand } from "./commands/demo.js";
import { type EraseFlags, eraseCommand } from "./commands/erase.js";
import { type ExportFlags, exportCommand } from "./commands/export.js";
import { loadCommand } from "./commands/load.js";
import { type LookerLinkFlags, lookerLinkCommand } from "./commands/looker-link.js";
import { pullCommand } from "./commands/pull.js";
import { reportCommand } from "./commands/report.js";
import { type RetentionFlags, retentionCommand } from "./commands/retention.js";
import { sqlCommand } from "./commands/sql.js";
import { stageCommand } from "./commands/stage.js";
import { type SyncFlags, syncCommand } from "./commands/sync.js";
import { type SyncsFlags, syncsCommand } from "./commands/syncs.js";
import { REHEARSALS } from "./demo/demo-meta.js";
import { StateLockedError } from "./demo/state-lock.js";
import {
  cliVersion,
  EXIT,
  isoInstant,
  MAX_CONCURRENCY,
  MAX_CONTACTS,
  MAX_SEED,
  wholeNumber,
} from "./options.js";
import { defaultProjectDir } from "./project-dir.js";

const DEFAULT_DIR = ".unistack";

const program = new Command()
  .name("unistack")
  .description("Unistack: land marketing data, model one contact ID, activate segments.")
  .version(cliVersion(), "-V, --version", "print the version and exit")
  .showHelpAfterError()
  // Usage errors exit with EXIT.usage instead of commander's process.exit(1); inherited by
  // every sub-command defined below.
  .exitOverride();

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
  .option(
    "--contacts <n>",
    `people in the synthetic data set (1 to ${MAX_CONTACTS.toLocaleString("en")})`,
    wholeNumber("--contacts", 1, MAX_CONTACTS, " (a run's webhooks are generated in memory)"),
    3000,
  )
  .option(
    "--seed <n>",
    "seed of the synthetic data (0 to 4294967295)",
    wholeNumber("--seed", 0, MAX_SEED),
    42,
  )
  .option("--dir <dir>", "where the lake, the DuckDB file and the sandbox state live", DEFAULT_DIR)
  .option("--fresh", "forget previous runs and start from nothing", false)
  .option(
    "--concurrency <n>",
    `concurrent webhook requests (1 to ${MAX_CONCURRENCY})`,
    wholeNumber("--concurrency", 1, MAX_CONCURRENCY),
    16,
  )
  .option("--project <dir>", "project folder (holds workflow_settings.yaml)", defaultProjectDir())
  .addOption(
    new Option("--log-level <level>", "write the functions' structured logs to stderr")
      .choices(["silent", "error", "warn", "info", "debug"])
      .default("silent"),
  )
  .addOption(
    new Option(
      "--rehearse-failure <kind>",
      "make the local Meta sandbox fail every call, to see a failed sync end to end",
    ).choices(REHEARSALS),
  )
  .action(async (opts: DemoFlags) => {
    process.exitCode = await demoCommand(opts);
  });

program
  .command("load")
  .description(
    "load what the local lake holds and the load ledger lacks into the raw tables (run it after a crash)",
  )
  .option("--dir <dir>", "the demo's folder", DEFAULT_DIR)
  .action(async (opts: { dir: string }) => {
    process.exitCode = await loadCommand({ dir: opts.dir });
  });

program
  .command("pull")
  .description("pull a source's streams from its local sandbox into the local lake and raw tables")
  .argument("<source>", "the pulled source, e.g. hubspot")
  .option("--stream <stream>", "only this stream")
  .option("--connection <id>", "only this connection (UNISTACK_CONNECTIONS)")
  .option(
    "--since <instant>",
    "start a new window here (ISO date or instant) instead of the high-water mark",
    isoInstant,
  )
  .option(
    "--contacts <n>",
    "people in the sandbox's synthetic data",
    wholeNumber("--contacts", 1, MAX_CONTACTS),
    3000,
  )
  .option("--seed <n>", "seed of the synthetic data", wholeNumber("--seed", 0, MAX_SEED), 42)
  .option("--dir <dir>", "the demo's folder", DEFAULT_DIR)
  .action(async (source: string, opts: Parameters<typeof pullCommand>[1]) => {
    process.exitCode = await pullCommand(source, opts);
  });

program
  .command("sql")
  .description("run one SQL query (DuckDB dialect) on the local warehouse the demo built")
  .argument("<query>", 'the query, e.g. "SELECT COUNT(*) FROM marts.dim_contacts"')
  .option("--dir <dir>", "the demo's folder", DEFAULT_DIR)
  .action(async (query: string, opts: { dir: string }) => {
    process.exitCode = await sqlCommand(query, { warehouse: join(opts.dir, "warehouse.duckdb") });
  });

program
  .command("report")
  .description("write the static HTML dashboard of the local warehouse (charts readable offline)")
  .option("--dir <dir>", "the demo's folder", DEFAULT_DIR)
  .option("--out <file>", "where to write the page (default: <dir>/report/index.html)")
  .action(async (opts: { dir: string; out?: string }) => {
    process.exitCode = await reportCommand(opts);
  });

program
  .command("looker-link")
  .description(
    "print the Looker Studio Linking API URL that copies the template report onto your project and dataset",
  )
  .option("--project <id>", "Google Cloud project that holds the reports dataset")
  .option("--dataset <id>", "BigQuery dataset of the rpt_ tables", "reports")
  .option("--billing-project <id>", "project billed for Looker Studio's queries")
  .option("--template <reportId>", "Looker Studio report id of the template to copy")
  .option("--name <name>", "name of the new report")
  .option("--fields", "print the field reference of the rpt_ tables instead", false)
  .option(
    "--project-dir <dir>",
    "project folder (holds workflow_settings.yaml)",
    defaultProjectDir(),
  )
  .action(async (opts: Omit<LookerLinkFlags, "projectDir"> & { projectDir: string }) => {
    process.exitCode = await lookerLinkCommand(opts);
  });

const collect = (value: string, previous: string[]) => [...previous, value];

program
  .command("erase")
  .description(
    "erase a person from the local deployment: lake, raw and model tables, destinations (GDPR art. 17); prints what was removed where",
  )
  .option("--email <email>", "an email of the person (repeat for several)", collect, [])
  .option("--phone <phone>", "a phone number of the person (repeat for several)", collect, [])
  .option("--contact <id>", "a contact id of the person (repeat for several)", collect, [])
  .option("--deep", "read every raw object, not only those the raw tables point at", false)
  .option(
    "--resume",
    "continue erasures that have not completed (e.g. a destination was down)",
    false,
  )
  .option(
    "--requests",
    "handle the privacy requests sources sent (Shopify customers/redact, customers/data_request, shop/redact)",
    false,
  )
  .option("--dir <dir>", "the demo's folder", DEFAULT_DIR)
  .option("--project <dir>", "project folder (holds workflow_settings.yaml)", defaultProjectDir())
  .action(async (opts: EraseFlags) => {
    process.exitCode = await eraseCommand(opts);
  });

program
  .command("export")
  .description(
    "everything the local deployment holds about a person as one JSON document (GDPR art. 15): records per source and table, consent history",
  )
  .option("--email <email>", "an email of the person (repeat for several)", collect, [])
  .option("--phone <phone>", "a phone number of the person (repeat for several)", collect, [])
  .option("--contact <id>", "a contact id of the person (repeat for several)", collect, [])
  .option("--out <file>", "write the document to this file (mode 0600) instead of stdout")
  .option("--dir <dir>", "the demo's folder", DEFAULT_DIR)
  .option("--project <dir>", "project folder (holds workflow_settings.yaml)", defaultProjectDir())
  .action(async (opts: ExportFlags) => {
    process.exitCode = await exportCommand(opts);
  });

program
  .command("retention")
  .description(
    "delete what the retention policy no longer allows from the local deployment (lake objects, raw rows), as the cloud's lifecycle rules do",
  )
  .option("--raw-days <n>", "raw objects and raw rows", wholeNumber("--raw-days", 1, 36_500))
  .option(
    "--quarantine-days <n>",
    "quarantined records",
    wholeNumber("--quarantine-days", 1, 36_500),
  )
  .option(
    "--activation-days <n>",
    "activation batches",
    wholeNumber("--activation-days", 1, 36_500),
  )
  .option(
    "--exports-days <n>",
    "access-request documents",
    wholeNumber("--exports-days", 1, 36_500),
  )
  .option("--dir <dir>", "the demo's folder", DEFAULT_DIR)
  .action(async (opts: RetentionFlags) => {
    process.exitCode = await retentionCommand(opts);
  });

program
  .command("sync")
  .description(
    "plan every configured sync (or --sync ID) against its last accepted snapshot and send the changes to the local sandbox; --dry-run shows the plan and sends nothing",
  )
  .option("--dry-run", "print counts and a masked sample per sync; send and record nothing", false)
  .option("--sync <id>", "only this sync")
  .option("--json", "print JSON for scripts", false)
  .option("--dir <dir>", "the demo's folder", DEFAULT_DIR)
  .option("--project <dir>", "project folder (holds workflow_settings.yaml)", defaultProjectDir())
  .action(async (opts: SyncFlags) => {
    process.exitCode = await syncCommand(opts);
  });

program
  .command("syncs")
  .description(
    "the history of sync runs from the sync log (ops): when, status, planned and accepted changes, rejections per reason, match rate",
  )
  .option("--sync <id>", "only this sync")
  .option("--limit <n>", "newest runs shown", wholeNumber("--limit", 1, 10_000), 20)
  .option("--json", "print JSON for scripts", false)
  .option("--dir <dir>", "the demo's folder", DEFAULT_DIR)
  .action(async (opts: SyncsFlags) => {
    process.exitCode = await syncsCommand(opts);
  });

program.addCommand(stageCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // commander has printed the message (and the help); --help and --version exit 0.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    console.error(`unistack: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof StateLockedError ? EXIT.locked : EXIT.failed;
  }
}
