import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  checkMutationFloor,
  formatFloorResult,
  guardedModules,
  readMutationReport,
} from "./mutation-floor.js";
import { MUTATION_GROUPS, type MutationGroup } from "./mutation-groups.js";

/**
 * Mutation testing of the guarded modules, as CI runs it (`npm run test:mutation`): one Stryker
 * run per group of `mutation-groups.ts` (its modules, its test files), their JSON reports merged
 * into `reports/mutation/mutation.json`, then the per-module floor. Exits 1 when a run fails or a
 * module is below the floor.
 *
 *   tsx test/support/mutation-run.ts                      every group
 *   tsx test/support/mutation-run.ts --group activation   one group
 *   tsx test/support/mutation-run.ts --module functions/core/activation/batches.ts
 *   tsx test/support/mutation-run.ts --ci                 the groups CI runs (`ci: true`)
 *   tsx test/support/mutation-run.ts --ci --concurrency 1 the same with one test runner
 */

const REPORTS = "reports/mutation";
const CONFIG = "stryker.config.json";

/** Every guarded module in exactly one group, and no group module that is not guarded. */
export function groupingProblems(
  guarded: readonly string[],
  groups: readonly MutationGroup[],
): string[] {
  const problems: string[] = [];
  const owners = new Map<string, string[]>();
  for (const group of groups) {
    for (const module of group.modules)
      owners.set(module, [...(owners.get(module) ?? []), group.name]);
  }
  for (const module of guarded) {
    const names = owners.get(module) ?? [];
    if (names.length !== 1) {
      problems.push(`${module}: in ${names.length} mutation groups (${names.join(", ")}), want 1`);
    }
  }
  for (const module of owners.keys()) {
    if (!guarded.includes(module)) problems.push(`${module}: grouped but not in ${CONFIG} mutate`);
  }
  return problems;
}

function main(): number {
  const { values } = parseArgs({
    options: {
      group: { type: "string", multiple: true },
      module: { type: "string", multiple: true },
      ci: { type: "boolean", default: false },
      // Test runners Stryker starts (stryker.config.json: 2, CI's cores); 1 on a shared machine.
      concurrency: { type: "string" },
    },
  });
  const guarded = guardedModules(CONFIG);
  const problems = groupingProblems(guarded, MUTATION_GROUPS);
  if (problems.length > 0) {
    console.error(
      `test/support/mutation-groups.ts does not match ${CONFIG}:\n  ${problems.join("\n  ")}`,
    );
    return 1;
  }
  const onlyModules = values.module ?? [];
  const runs = MUTATION_GROUPS.filter((g) => !values.group || values.group.includes(g.name))
    .filter((g) => !values.ci || g.ci)
    .map((g) => ({
      ...g,
      modules:
        onlyModules.length > 0 ? g.modules.filter((m) => onlyModules.includes(m)) : g.modules,
    }))
    .filter((g) => g.modules.length > 0);
  if (runs.length === 0) {
    console.error(
      "nothing to mutate: check --group / --module against test/support/mutation-groups.ts",
    );
    return 1;
  }

  const base = JSON.parse(readFileSync(CONFIG, "utf8")) as Record<string, unknown>;
  mkdirSync(join(REPORTS, "configs"), { recursive: true });
  // One report for all groups (same format as each group's, so Stryker's viewers read it too).
  let merged: { files: Record<string, unknown> } & Record<string, unknown> = { files: {} };
  const timings: string[] = [];
  const started = Date.now();
  for (const group of runs) {
    const config = join(REPORTS, "configs", `${group.name}.json`);
    writeFileSync(
      config,
      JSON.stringify({
        ...base,
        $schema: undefined,
        mutate: group.modules,
        ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
        // A progress bar on a terminal; CI logs get one dot per mutant instead.
        reporters: ["clear-text", "json", "html", process.stdout.isTTY ? "progress" : "dots"],
        jsonReporter: { fileName: join(REPORTS, `${group.name}.json`) },
        htmlReporter: { fileName: join(REPORTS, `${group.name}.html`) },
      }),
    );
    console.log(`\n== mutation group ${group.name}: ${group.modules.length} module(s)`);
    const groupStart = Date.now();
    const run = spawnSync("npx", ["stryker", "run", config], {
      stdio: "inherit",
      env: { ...process.env, UNISTACK_MUTATION_GROUP: group.name },
    });
    const seconds = Math.round((Date.now() - groupStart) / 1000);
    timings.push(`${group.name} ${seconds} s`);
    if (run.status !== 0) {
      console.error(`stryker failed for group ${group.name} (exit ${run.status ?? run.signal})`);
      return 1;
    }
    const path = join(REPORTS, `${group.name}.json`);
    const { files, testFiles: _perGroup, ...rest } = JSON.parse(readFileSync(path, "utf8"));
    merged = { ...rest, ...merged, files: { ...merged.files, ...files } };
  }
  const mergedPath = join(REPORTS, "mutation.json");
  writeFileSync(mergedPath, JSON.stringify(merged));
  const total = Math.round((Date.now() - started) / 1000);
  console.log(`\nmutation testing took ${total} s (${timings.join(", ")})\n`);
  const result = checkMutationFloor(
    readMutationReport(mergedPath),
    runs.flatMap((g) => g.modules),
  );
  console.log(formatFloorResult(result));
  return result.failures.length === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main();
}
