import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sqlCommand } from "../../../functions/cli/commands/sql.js";
import { createDuckDbWarehouse } from "../../../functions/platform/local/duckdb-warehouse.js";

/** `unistack sql` may read the warehouse file and nothing else (issue 5, §4). */

let dir: string;
let warehouse: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "unistack-sql-"));
  warehouse = join(dir, "warehouse.duckdb");
  const w = await createDuckDbWarehouse({ path: warehouse });
  await w.run("CREATE SCHEMA marts");
  await w.run(
    "CREATE TABLE marts.dim_contacts AS SELECT 'c1' AS contact_id, 'ann@example.com' AS email UNION ALL SELECT 'c2', 'bob@example.com'",
  );
  await w.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function sql(query: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  const table = vi
    .spyOn(console, "table")
    .mockImplementation((rows) => void out.push(JSON.stringify(rows)));
  const error = vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
  try {
    const code = await sqlCommand(query, { warehouse });
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    table.mockRestore();
    error.mockRestore();
  }
}

describe("unistack sql stays inside the warehouse", () => {
  it("answers a SELECT on the warehouse", async () => {
    const r = await sql("SELECT COUNT(*) AS n FROM marts.dim_contacts");
    expect(r).toMatchObject({ code: 0, err: "" });
    expect(r.out).toContain('"n":2');
  });

  it("refuses COPY … TO and writes no file", async () => {
    const target = join(dir, "leak.csv");
    const r = await sql(`COPY (SELECT email FROM marts.dim_contacts) TO '${target}'`);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/query refused/);
    expect(existsSync(target)).toBe(false);
  });

  it("refuses COPY … TO hidden behind a SELECT-looking prefix of several statements", async () => {
    const target = join(dir, "leak2.csv");
    const r = await sql(`SELECT 1; COPY (SELECT email FROM marts.dim_contacts) TO '${target}'`);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/2 statements given: `unistack sql` runs one SELECT query at a time/);
    expect(existsSync(target)).toBe(false);
  });

  it("cannot read a file of the machine: read_text('/etc/passwd')", async () => {
    const r = await sql("SELECT content FROM read_text('/etc/passwd')");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/query refused: .*file system operations are disabled/);
    expect(r.out).not.toContain("root:");
  });

  it("cannot reach the network: a remote file is refused before any request", async () => {
    const r = await sql("SELECT * FROM 'https://example.com/contacts.csv'");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/query refused/);
  });

  it("refuses INSTALL and LOAD of extensions", async () => {
    for (const statement of ["INSTALL httpfs", "LOAD httpfs", "FORCE INSTALL httpfs"]) {
      const r = await sql(statement);
      expect(r.code, statement).toBe(1);
      expect(r.err, statement).toMatch(/query refused: a LOAD statement/);
    }
  });

  it("cannot switch external access back on", async () => {
    const r = await sql("SET enable_external_access = true");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/query refused: a (SET|VARIABLE_SET) statement/);
  });

  it("refuses ATTACH of another database file", async () => {
    const r = await sql(`ATTACH '${join(dir, "other.duckdb")}' AS other`);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/query refused/);
    expect(existsSync(join(dir, "other.duckdb"))).toBe(false);
  });

  it("refuses writes to the warehouse and leaves its rows as they were", async () => {
    for (const statement of [
      "DELETE FROM marts.dim_contacts",
      "CREATE TABLE marts.copy AS SELECT * FROM marts.dim_contacts",
      "DROP TABLE marts.dim_contacts",
    ]) {
      const r = await sql(statement);
      expect(r.code, statement).toBe(1);
      expect(r.err, statement).toMatch(/query refused/);
    }
    expect((await sql("SELECT COUNT(*) AS n FROM marts.dim_contacts")).out).toContain('"n":2');
  });
});
