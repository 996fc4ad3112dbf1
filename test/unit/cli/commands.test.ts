import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSqlCommand } from "../../../functions/cli/commands/check-sql.js";
import { compileCommand } from "../../../functions/cli/commands/compile.js";
import { sqlCommand } from "../../../functions/cli/commands/sql.js";
import { captureConsole } from "../../support/capture-console.js";

const repoRoot = resolve(import.meta.dirname, "../../..");

describe("unistack CLI commands", () => {
  let project: string;
  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), "unistack-cli-"));
    for (const entry of ["workflow_settings.yaml", "definitions", "includes"]) {
      await cp(join(repoRoot, entry), join(project, entry), { recursive: true });
    }
  });
  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
  });

  it("check-sql passes every compiled BigQuery statement of the project", async () => {
    const io = captureConsole();
    try {
      expect(await checkSqlCommand({ projectDir: repoRoot })).toBe(0);
    } finally {
      io.restore();
    }
    expect(io.out.join("\n")).toMatch(
      /all \d+ compiled BigQuery statements pass the ZetaSQL analyzer/,
    );
  }, 240_000);

  it("check-sql fails with the analyzer's message and the model's file when a model is wrong", async () => {
    const file = join(project, "definitions/segments/seg_recent_purchasers.sqlx");
    const original = await readFile(file, "utf8");
    await writeFile(
      file,
      original.replace(/\bSELECT( DISTINCT)?\b/, "SELECT$1 no_such_column_anywhere,"),
    );
    const io = captureConsole();
    try {
      expect(await checkSqlCommand({ projectDir: project })).toBe(1);
    } finally {
      io.restore();
      await writeFile(file, original);
    }
    const errors = io.err.join("\n");
    expect(errors).toContain("definitions/segments/seg_recent_purchasers.sqlx");
    expect(errors).toMatch(/Unrecognized name: no_such_column_anywhere/);
    expect(errors).toMatch(/statements failed the ZetaSQL analyzer/);
  }, 240_000);

  it("compile writes the graph for a target to a file", async () => {
    const out = join(project, "graph.json");
    const io = captureConsole();
    try {
      await compileCommand({ projectDir: repoRoot, target: "duckdb", out });
    } finally {
      io.restore();
    }
    const graph = JSON.parse(await readFile(out, "utf8")) as {
      actions: { target: { name: string } }[];
    };
    expect(graph.actions.map((a) => a.target.name)).toContain("seg_recent_purchasers");
    expect(io.out.join("\n")).toMatch(/compiled \d+ actions for duckdb/);
  });

  it("sql tells the user to run the demo first when there is no local warehouse", async () => {
    const io = captureConsole();
    try {
      expect(await sqlCommand("SELECT 1", { warehouse: join(project, "nothing.duckdb") })).toBe(1);
    } finally {
      io.restore();
    }
    expect(io.err.join("\n")).toMatch(/run `npm start`/);
  });
});
