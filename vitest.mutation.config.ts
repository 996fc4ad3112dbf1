import { defineConfig } from "vitest/config";
import { MUTATION_GROUPS } from "./test/support/mutation-groups.js";

/**
 * The tests Stryker runs against mutants (docs/testing.md). `UNISTACK_MUTATION_GROUP` (set by
 * `test/support/mutation-run.ts`) narrows them to one group's test files; without it, every
 * group's. Stryker's own `--testFiles` is not used: with it, a mutant in module-level code is
 * switched on after the module was loaded and falsely survives (stryker-js issues 6144, 6209).
 */
const only = process.env.UNISTACK_MUTATION_GROUP;
const groups = MUTATION_GROUPS.filter((g) => only === undefined || g.name === only);
if (groups.length === 0) throw new Error(`no mutation group named "${only}"`);

export default defineConfig({
  test: {
    include: [...new Set(groups.flatMap((g) => g.testFiles))],
    exclude: ["**/node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
