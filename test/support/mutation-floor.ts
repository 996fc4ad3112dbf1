import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { calculateMetrics } from "mutation-testing-metrics";
import { z } from "zod";

/**
 * The per-module floor over Stryker's JSON report. Stryker's own `thresholds.break` applies to
 * the score of all files together, where a well-tested large module hides a weak small one; this
 * checks every guarded module on its own (docs/testing.md).
 *
 *   tsx test/support/mutation-floor.ts [report.json] [stryker.config.json]
 */

/** The lowest mutation score, in percent, any guarded module may have. */
export const MUTATION_FLOOR = 90;

const MutantSchema = z.object({
  mutatorName: z.string(),
  replacement: z.string().optional(),
  status: z.string(),
  location: z.object({ start: z.object({ line: z.number(), column: z.number() }) }),
});
const ReportSchema = z.object({
  files: z.record(
    z.string(),
    z.object({ language: z.string(), source: z.string(), mutants: z.array(MutantSchema) }),
  ),
});
export type MutationReport = z.infer<typeof ReportSchema>;

const StrykerConfigSchema = z.object({ mutate: z.array(z.string()).min(1) });

export interface ModuleScore {
  readonly file: string;
  readonly killed: number;
  readonly timeout: number;
  readonly survived: number;
  readonly noCoverage: number;
  /** Killed or timed out over every valid mutant (survived and uncovered count against it). */
  readonly score: number;
}

export interface Undetected {
  readonly file: string;
  readonly line: number;
  readonly status: "Survived" | "NoCoverage";
  readonly mutator: string;
  readonly original: string;
  readonly replacement: string;
}

export interface FloorResult {
  readonly modules: readonly ModuleScore[];
  readonly undetected: readonly Undetected[];
  /** One line per broken rule; empty when every module is at or above the floor. */
  readonly failures: readonly string[];
}

/** Scores each module of the report and checks it against the floor and the expected list. */
export function checkMutationFloor(
  report: MutationReport,
  expected: readonly string[],
  floor: number = MUTATION_FLOOR,
): FloorResult {
  const modules = Object.entries(report.files)
    .map(([file, result]) => scoreModule(file, result))
    .sort((a, b) => a.file.localeCompare(b.file));
  const failures: string[] = [];
  for (const file of expected) {
    const found = modules.find((m) => m.file === file);
    if (!found) failures.push(`${file}: not in the mutation report (renamed or no mutants?)`);
  }
  for (const m of modules) {
    if (!(m.score >= floor)) {
      failures.push(`${m.file}: ${formatScore(m.score)} % is below the floor of ${floor} %`);
    }
  }
  return { modules, undetected: undetectedMutants(report), failures };
}

function scoreModule(file: string, result: MutationReport["files"][string]): ModuleScore {
  const { metrics } = calculateMetrics({ [file]: result } as Parameters<
    typeof calculateMetrics
  >[0]);
  return {
    file,
    killed: metrics.killed,
    timeout: metrics.timeout,
    survived: metrics.survived,
    noCoverage: metrics.noCoverage,
    score: metrics.mutationScore,
  };
}

function undetectedMutants(report: MutationReport): Undetected[] {
  return Object.entries(report.files).flatMap(([file, result]) => {
    const lines = result.source.split("\n");
    return result.mutants.flatMap((m): Undetected[] =>
      m.status === "Survived" || m.status === "NoCoverage"
        ? [
            {
              file,
              line: m.location.start.line,
              status: m.status,
              mutator: m.mutatorName,
              original: (lines[m.location.start.line - 1] ?? "").trim(),
              replacement: (m.replacement ?? "").split("\n")[0] ?? "",
            },
          ]
        : [],
    );
  });
}

function formatScore(score: number): string {
  return Number.isNaN(score) ? "n/a" : score.toFixed(2);
}

/** The table CI prints: one row per module, then every mutant no test noticed. */
export function formatFloorResult(result: FloorResult, floor: number = MUTATION_FLOOR): string {
  const width = Math.max(6, ...result.modules.map((m) => m.file.length));
  const header = `${"module".padEnd(width)}  score  killed timeout survived no-cov`;
  const rows = result.modules.map((m) =>
    [
      m.file.padEnd(width),
      formatScore(m.score).padStart(6),
      String(m.killed).padStart(7),
      String(m.timeout).padStart(7),
      String(m.survived).padStart(8),
      String(m.noCoverage).padStart(6),
      m.score >= floor ? "" : `  < ${floor} %`,
    ].join(" "),
  );
  const undetected = result.undetected.map(
    (u) =>
      `  ${u.file}:${u.line} ${u.status} ${u.mutator}\n      - ${u.original}\n      + ${u.replacement}`,
  );
  return [
    `mutation score per module (floor ${floor} %):`,
    header,
    ...rows,
    ...(undetected.length > 0
      ? ["", `${undetected.length} mutant(s) no test noticed (docs/testing.md):`, ...undetected]
      : []),
    "",
    result.failures.length === 0
      ? `mutation floor: every module at or above ${floor} %`
      : `mutation floor broken:\n${result.failures.map((f) => `  ${f}`).join("\n")}`,
  ].join("\n");
}

export function readMutationReport(path: string): MutationReport {
  return ReportSchema.parse(JSON.parse(readFileSync(path, "utf8")));
}

/** The guarded modules: the `mutate` list of the Stryker config, one file per entry. */
export function guardedModules(strykerConfigPath: string): string[] {
  return StrykerConfigSchema.parse(JSON.parse(readFileSync(strykerConfigPath, "utf8"))).mutate;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const reportPath = process.argv[2] ?? "reports/mutation/mutation.json";
  const configPath = process.argv[3] ?? "stryker.config.json";
  const result = checkMutationFloor(readMutationReport(reportPath), guardedModules(configPath));
  console.log(formatFloorResult(result));
  process.exitCode = result.failures.length === 0 ? 0 : 1;
}
