import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { defineConfig } from "vitest/config";
import { VECTORS_DIR, vectorsPresent } from "./test/vectors-dir.js";

/**
 * Test files that read the vendors' vectors (`test/vectors-dir.ts` or the typed loader built on
 * it). A plain clone has no `../shared/vectors`: those files are left out with a visible warning.
 * CI sets UNISTACK_REQUIRE_VECTORS=1, so there a missing folder fails the run instead.
 */
function filesReadingVectors(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesReadingVectors(path));
    else if (
      entry.name.endsWith(".test.ts") &&
      /vectors(-dir)?\.js"/.test(readFileSync(path, "utf8"))
    ) {
      found.push(relative(import.meta.dirname, path));
    }
  }
  return found;
}

const exclude: string[] = [];
if (!vectorsPresent()) {
  if (process.env.UNISTACK_REQUIRE_VECTORS === "1") {
    throw new Error(
      `vendor vectors not found at ${VECTORS_DIR}: set UNISTACK_VECTORS_DIR or put shared/ beside the repo`,
    );
  }
  exclude.push(...filesReadingVectors(join(import.meta.dirname, "test")));
  console.warn(
    `[skip] vendor vectors not found at ${VECTORS_DIR}; skipping ${exclude.length} test files that read them (set UNISTACK_VECTORS_DIR to run them)`,
  );
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["**/node_modules/**", ...exclude],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    reporters: ["default"],
  },
});
