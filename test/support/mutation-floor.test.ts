import { describe, expect, it } from "vitest";
import { checkMutationFloor, formatFloorResult, type MutationReport } from "./mutation-floor.js";

type Status = "Killed" | "Timeout" | "Survived" | "NoCoverage" | "CompileError" | "Ignored";

function file(statuses: Partial<Record<Status, number>>): MutationReport["files"][string] {
  const mutants = Object.entries(statuses).flatMap(([status, count]) =>
    Array.from({ length: count }, (_, i) => ({
      id: `${status}-${i}`,
      mutatorName: "ConditionalExpression",
      replacement: "true",
      status,
      location: { start: { line: 2, column: 1 }, end: { line: 2, column: 9 } },
    })),
  );
  return { language: "typescript", source: "const a = 1;\nif (ok) go();\n", mutants };
}

describe("the per-module mutation floor", () => {
  it("passes a module at exactly 90 % and fails one just below, naming it and its score", () => {
    const report = {
      files: {
        "a.ts": file({ Killed: 9, Survived: 1 }),
        "b.ts": file({ Killed: 89, Survived: 11 }),
      },
    };
    const result = checkMutationFloor(report, ["a.ts", "b.ts"]);
    expect(result.modules.map((m) => [m.file, m.score])).toEqual([
      ["a.ts", 90],
      ["b.ts", 89],
    ]);
    expect(result.failures).toEqual(["b.ts: 89.00 % is below the floor of 90 %"]);
  });

  it("judges each module alone: a strong module does not carry a weak one", () => {
    const report = {
      files: { "big.ts": file({ Killed: 1000 }), "small.ts": file({ Killed: 8, Survived: 2 }) },
    };
    expect(checkMutationFloor(report, []).failures).toEqual([
      "small.ts: 80.00 % is below the floor of 90 %",
    ]);
  });

  it("counts uncovered mutants against the score, timeouts for it, compile errors not at all", () => {
    const report = {
      files: { "a.ts": file({ Killed: 8, Timeout: 1, NoCoverage: 1, CompileError: 5 }) },
    };
    const [module] = checkMutationFloor(report, []).modules;
    expect(module).toMatchObject({ killed: 8, timeout: 1, noCoverage: 1, score: 90 });
  });

  it("fails when a guarded module is missing from the report (renamed, or no longer mutated)", () => {
    const report = { files: { "a.ts": file({ Killed: 10 }) } };
    expect(checkMutationFloor(report, ["a.ts", "gone.ts"]).failures).toEqual([
      "gone.ts: not in the mutation report (renamed or no mutants?)",
    ]);
  });

  it("fails a module without a single valid mutant rather than calling it perfect", () => {
    const report = { files: { "a.ts": file({ CompileError: 3 }) } };
    expect(checkMutationFloor(report, []).failures).toEqual([
      "a.ts: n/a % is below the floor of 90 %",
    ]);
  });

  it("prints every mutant no test noticed with its line, the code and the change", () => {
    const report = { files: { "a.ts": file({ Killed: 9, Survived: 1 }) } };
    const text = formatFloorResult(checkMutationFloor(report, ["a.ts"]));
    expect(text).toContain(
      "a.ts:2 Survived ConditionalExpression\n      - if (ok) go();\n      + true",
    );
    expect(text).toContain("mutation floor: every module at or above 90 %");
  });
});
