import { defineConfig } from "vitest/config";

/**
 * The tests Stryker runs against each mutant (`stryker.config.json`, docs/testing.md): the unit
 * suites of the guarded modules. The end-to-end, SQL, infra, emulator and CLI suites, and the
 * synthetic-traffic run, reach the same code far more slowly and would multiply the mutation
 * run's time; a mutant only they would notice is one the unit tests should state.
 */
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    exclude: [
      "**/node_modules/**",
      "test/unit/sqlcheck/**",
      "test/unit/cli/**",
      "test/unit/handlers/synthetic-ingest.test.ts",
      "test/unit/activation/bigquery-sql.test.ts",
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
