import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { EXIT, wholeNumber } from "../../../functions/cli/options.js";

const repoRoot = resolve(import.meta.dirname, "../../..");
const run = promisify(execFile);

/** Runs the real `unistack` binary; answers its exit code and output. */
async function unistack(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["bin/unistack.js", ...args], {
      cwd: repoRoot,
      timeout: 60_000,
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: e.stdout ?? "", err: e.stderr ?? "" };
  }
}

describe("unistack command line arguments", () => {
  it("prints the package version with --version", async () => {
    const { version } = JSON.parse(readFileSync(resolve(repoRoot, "package.json"), "utf8")) as {
      version: string;
    };
    const r = await unistack("--version");
    expect(r).toMatchObject({ code: 0, out: `${version}\n` });
  });

  it("refuses --contacts 1e12 at once with the allowed range (exit 2, nothing generated)", async () => {
    const r = await unistack("demo", "--contacts", "1e12", "--dir", "/nonexistent/never-created");
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain("--contacts takes a whole number from 1 to 200,000");
    expect(r.err).toContain('got "1e12"');
  });

  it("accepts --seed 0 (the error that follows is about --contacts only)", async () => {
    const r = await unistack("demo", "--seed", "0", "--contacts", "0");
    expect(r.code).toBe(EXIT.usage);
    const [errorLine] = r.err.split("\n");
    expect(errorLine).not.toContain("--seed");
    expect(errorLine).toContain("--contacts takes a whole number from 1 to 200,000");
  });

  it("names the allowed values of an option given a wrong one", async () => {
    const r = await unistack("compile", "--target", "snowflake");
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/Allowed choices are bigquery, duckdb/);
  });
});

describe("whole-number options", () => {
  const seed = wholeNumber("--seed", 0, 4_294_967_295);
  it("takes digits within the range, 0 included", () => {
    expect([seed("0"), seed("42"), seed("4294967295")]).toEqual([0, 42, 4_294_967_295]);
  });
  it.each(["1e3", "-1", "3.5", "3,000", "", "0x10", "4294967296", "NaN"])("refuses %j", (v) => {
    expect(() => seed(v)).toThrow(/--seed takes a whole number from 0 to 4,294,967,295/);
  });
});
