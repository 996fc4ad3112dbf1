import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const repoRoot = resolve(import.meta.dirname, "../..");

/**
 * Walks the modules `functions/index.ts` loads at run time (type-only imports are erased, so
 * they are skipped) and returns the npm packages they import.
 */
function runtimePackages(entry: string): { packages: Set<string>; modules: number } {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const queue = [entry];
  const importPattern =
    /^(?:import|export)\s+(?!type\b)[^;]*?from\s+"([^"]+)"|import\("([^"]+)"\)/gm;
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, "utf8").matchAll(importPattern)) {
      const spec = (match[1] ?? match[2]) as string;
      if (spec.startsWith(".")) queue.push(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
      else if (!spec.startsWith("node:")) {
        packages.add(
          spec.startsWith("@")
            ? spec.split("/").slice(0, 2).join("/")
            : (spec.split("/")[0] as string),
        );
      }
    }
  }
  return { packages, modules: seen.size };
}

describe("what the deployed functions load", () => {
  it("imports only production dependencies: the cloud build installs no dev dependencies", () => {
    const { dependencies } = JSON.parse(
      readFileSync(resolve(repoRoot, "package.json"), "utf8"),
    ) as {
      dependencies: Record<string, string>;
    };
    const { packages, modules } = runtimePackages(resolve(repoRoot, "functions/index.ts"));
    expect(modules).toBeGreaterThan(20);
    expect([...packages].filter((name) => !(name in dependencies))).toEqual([]);
    expect(packages).toContain("@google-cloud/functions-framework");
  });

  it("the ingest service entry imports only production dependencies and no functions-framework", () => {
    const { dependencies } = JSON.parse(
      readFileSync(resolve(repoRoot, "package.json"), "utf8"),
    ) as { dependencies: Record<string, string> };
    const { packages } = runtimePackages(resolve(repoRoot, "functions/serve-ingest.ts"));
    expect([...packages].filter((name) => !(name in dependencies))).toEqual([]);
    expect(packages).not.toContain("@google-cloud/functions-framework");
  });
});
