import { formatFailure } from "../../sqlcheck/check-input.js";
import { checkProject } from "../../sqlcheck/check-project.js";

/**
 * `unistack check-sql`: compiles the project for BigQuery and runs every statement through the
 * ZetaSQL analyzer. Exits non-zero with the analyzer's message and the model's file on failure.
 */
export async function checkSqlCommand(options: { projectDir: string }): Promise<number> {
  const started = performance.now();
  const result = await checkProject({ projectDir: options.projectDir });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  for (const failure of result.failures) console.error(`✗ ${formatFailure(failure)}`);
  for (const skipped of result.skipped)
    console.error(`- skipped ${skipped.fileName}: ${skipped.reason}`);
  if (result.failures.length > 0) {
    console.error(
      `check-sql: ${result.failures.length} of ${result.checked} BigQuery statements failed the ZetaSQL analyzer (${seconds} s)`,
    );
    return 1;
  }
  console.log(
    `check-sql: all ${result.checked} compiled BigQuery statements pass the ZetaSQL analyzer (${seconds} s)`,
  );
  return 0;
}
