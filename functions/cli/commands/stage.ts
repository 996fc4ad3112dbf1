import { Command } from "commander";
import { defaultProjectDir } from "../project-dir.js";
import { stageDataform } from "./stage-dataform.js";
import { stageFunctions } from "./stage-functions.js";

/** `unistack stage functions|dataform --out DIR`: the deploy artifacts (docs/operations.md). */
export function stageCommand(): Command {
  const stage = new Command("stage").description(
    "write a deploy artifact: the function source or the Dataform tree",
  );
  stage
    .command("functions")
    .description(
      "compile and stage the deployed functions: the files the entry points load, a package.json of what they import, a lockfile `npm ci --omit=dev` accepts",
    )
    .requiredOption("--out <dir>", "folder to write (e.g. .build/functions)")
    .option("--project <dir>", "the Unistack checkout", defaultProjectDir())
    .action(async (opts: { out: string; project: string }) => {
      await stageFunctions({ projectDir: opts.project, out: opts.out });
    });
  stage
    .command("dataform")
    .description(
      "stage the Dataform-only tree the Dataform repository compiles (definitions/, includes/, workflow_settings.yaml, @dataform/core)",
    )
    .requiredOption("--out <dir>", "folder to write (e.g. .build/dataform)")
    .option("--project <dir>", "the Unistack checkout", defaultProjectDir())
    .action(async (opts: { out: string; project: string }) => {
      await stageDataform({ projectDir: opts.project, out: opts.out });
    });
  return stage;
}
