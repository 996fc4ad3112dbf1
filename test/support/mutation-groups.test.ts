import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { guardedModules } from "./mutation-floor.js";
import { MUTATION_GROUPS } from "./mutation-groups.js";
import { groupingProblems } from "./mutation-run.js";

/**
 * CI's mutation step runs the groups marked `ci: true`: the ones docs/testing.md lists as run by
 * CI, with a measured time. A group switched on without being measured could take hours on CI's
 * 2 cores (the `ingest` group measured > 2 h), so the two must agree.
 */
describe("the mutation groups", () => {
  it("cover every guarded module of stryker.config.json exactly once", () => {
    expect(groupingProblems(guardedModules("stryker.config.json"), MUTATION_GROUPS)).toEqual([]);
  });

  it("run in CI exactly those docs/testing.md lists with CI = yes", () => {
    const docs = readFileSync("docs/testing.md", "utf8");
    const listed = [...docs.matchAll(/^\| `([a-z-]+)` \|[^|\n]*\| (yes|no) \|/gm)];
    expect(listed.map((m) => m[1]).sort()).toEqual(MUTATION_GROUPS.map((g) => g.name).sort());
    expect(listed.filter((m) => m[2] === "yes").map((m) => m[1])).toEqual(
      MUTATION_GROUPS.filter((g) => g.ci).map((g) => g.name),
    );
  });
});
