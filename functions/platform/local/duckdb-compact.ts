import { randomBytes } from "node:crypto";
import { access, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { quoteIdent } from "./duckdb-sql.js";

/**
 * Rewrites a closed DuckDB file into a fresh one (`COPY FROM DATABASE`) and puts it in place.
 * DuckDB leaves the bytes of deleted rows in the file's free blocks until they are reused: after
 * an erasure the person would still be readable in `warehouse.duckdb` with a hex editor. This is
 * the local warehouse's "time travel" set to zero. Run it only while no process has the file open
 * (the state folder's lock).
 */
export async function compactDuckDbFile(path: string): Promise<void> {
  if (await exists(`${path}.wal`)) {
    throw new Error(
      `${path}.wal exists: the warehouse is open or was not closed cleanly; open and close it once (e.g. unistack load), then run again`,
    );
  }
  const target = join(dirname(path), `${basename(path)}.compact-${randomBytes(4).toString("hex")}`);
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run(`ATTACH ${literal(path)} AS erased_source (READ_ONLY)`);
    await connection.run(`ATTACH ${literal(target)} AS erased_target`);
    await connection.run(
      `COPY FROM DATABASE ${quoteIdent("erased_source")} TO ${quoteIdent("erased_target")}`,
    );
    await connection.run("DETACH erased_source");
    await connection.run("CHECKPOINT erased_target");
    await connection.run("DETACH erased_target");
  } catch (error) {
    await rm(target, { force: true });
    await rm(`${target}.wal`, { force: true });
    throw error;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  await rename(target, path);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
