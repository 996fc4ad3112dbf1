import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { SyntheticPerson } from "../../../functions/cli/demo/synthetic/generate.js";
import { createDuckDbWarehouse } from "../../../functions/platform/local/duckdb-warehouse.js";

/**
 * The proof test's own search, written without the erasure code: what a person's data looks like
 * (plain and as ad platforms receive it hashed) and where it is, over every file of a local
 * deployment and every table and view of its warehouse.
 */

export interface Needles {
  readonly label: string;
  /** Compared with text lower-cased and stripped of whitespace. */
  readonly values: readonly string[];
}

const sha256 = (v: string) => createHash("sha256").update(v).digest("hex");

/** What identifies a synthetic person: emails, phone, contact ids, and their SHA-256 forms. */
export function needlesOf(person: SyntheticPerson, contactIds: readonly string[]): Needles {
  const email = person.email.replace(/\s+/g, "").toLowerCase();
  const values = [email, sha256(email), ...contactIds];
  if (person.shopifyCustomerId !== null) values.push(String(person.shopifyCustomerId));
  if (person.phone) {
    const digits = person.phone.replace(/\D/g, "");
    values.push(person.phone.replace(/\s+/g, ""), digits, sha256(digits), sha256(`+${digits}`));
  }
  return { label: person.personId, values: values.map((v) => v.toLowerCase()) };
}

export function squash(text: string): string {
  return text.replace(/\s+/g, "").toLowerCase();
}

/** The text with the bodies quarantined as base64 (unparsable deliveries) decoded beside it. */
function expand(text: string): string {
  const bodies = [...text.matchAll(/"raw_body_base64":"([A-Za-z0-9+/=]*)"/g)].map((m) =>
    Buffer.from(m[1] ?? "", "base64").toString("latin1"),
  );
  return bodies.length === 0 ? text : `${text}\n${bodies.join("\n")}`;
}

export function mentions(text: string, needles: Needles): string[] {
  const squashed = squash(expand(text));
  return needles.values.filter((v) => squashed.includes(v));
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** Every file of the folder (lake, sandbox state, the DuckDB file's bytes, …) that names them. */
export async function filesNaming(dir: string, needles: Needles): Promise<string[]> {
  const found: string[] = [];
  for (const path of await filesUnder(dir)) {
    const text = (await readFile(path)).toString("latin1");
    const hits = mentions(text, needles);
    if (hits.length > 0) found.push(`${relative(dir, path)} (${hits.length} identifier(s))`);
  }
  return found;
}

export type Row = Record<string, unknown>;

export function rowText(row: Row): string {
  return JSON.stringify(row, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

/** Every table and view of the warehouse, with its rows (a small demo warehouse). */
export async function warehouseRows(path: string): Promise<Map<string, Row[]>> {
  const warehouse = await createDuckDbWarehouse({ path });
  try {
    const tables = await warehouse.query<{ s: string; t: string }>(
      "SELECT table_schema AS s, table_name AS t FROM information_schema.tables ORDER BY 1, 2",
    );
    const out = new Map<string, Row[]>();
    for (const { s, t } of tables) {
      out.set(`${s}.${t}`, await warehouse.query(`SELECT * FROM "${s}"."${t}"`));
    }
    return out;
  } finally {
    await warehouse.close();
  }
}

/** Lines (NDJSON) or rows (activation batches) per lake location, and those naming the person. */
export async function lakeRecords(
  lake: string,
  needles: readonly Needles[],
): Promise<{ total: Map<string, number>; naming: Map<string, number> }> {
  const total = new Map<string, number>();
  const naming = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const path of await filesUnder(lake)) {
    const key = relative(lake, path);
    const parts = key.split("/");
    let location: string;
    let records: string[];
    if (parts[0] === "raw" || parts[0] === "quarantine") {
      location = parts.slice(0, 3).join("/");
      records = (await readFile(path, "utf8")).split("\n").filter((l) => l.trim() !== "");
    } else if (parts[0] === "activation") {
      location = "activation";
      const batch = JSON.parse(await readFile(path, "utf8")) as { rows: unknown[] };
      records = batch.rows.map((r) => JSON.stringify(r));
    } else continue;
    for (const record of records) {
      bump(total, location);
      if (needles.some((n) => mentions(record, n).length > 0)) bump(naming, location);
    }
  }
  return { total, naming };
}
