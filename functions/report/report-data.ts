import { z } from "zod";
import type { Row } from "../platform/ports.js";

/** What the report reads the warehouse through: the Warehouse port's query (DuckDB locally). */
export interface ReportSource {
  query(sql: string): Promise<Row[]>;
}

/** A section's rows, or why it has none (its table is not built yet, or it is empty). */
export type SectionData<T> =
  | { readonly status: "ok"; readonly rows: readonly T[] }
  | { readonly status: "missing"; readonly table: string; readonly reason: string };

const num = z.preprocess(
  (v) => (typeof v === "bigint" ? Number(v) : v),
  z.number().finite().nullable(),
);
const text = z.preprocess((v) => (v instanceof Date ? v.toISOString() : v), z.string().nullable());

/** Column kinds a section's query returns; every value is checked before it reaches the page. */
export const col = { num, text } as const;

/** DuckDB's answer when a table (or its schema) does not exist. */
function isMissingTable(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /Catalog Error: (Table|Schema) with name .* does not exist/i.test(message);
}

/**
 * Runs a section's query and checks its rows. A missing table means the answer is not built in
 * this warehouse (yet): the section says so instead of failing the whole report; any other
 * error (a wrong column, a type the schema refuses) is a bug and is thrown.
 */
export async function loadSection<S extends z.ZodRawShape>(
  source: ReportSource,
  table: string,
  sql: string,
  shape: S,
): Promise<SectionData<z.infer<z.ZodObject<S>>>> {
  let rows: Row[];
  try {
    rows = await source.query(sql);
  } catch (error) {
    if (isMissingTable(error)) {
      return { status: "missing", table, reason: `${table} is not in this warehouse` };
    }
    throw error;
  }
  const schema = z.object(shape);
  const parsed = rows.map((row, i) => {
    const result = schema.safeParse(row);
    if (!result.success) {
      throw new Error(
        `report: row ${i + 1} of ${table} does not have the expected columns: ${result.error.issues
          .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
          .join("; ")}`,
      );
    }
    return result.data;
  });
  if (parsed.length === 0) {
    return { status: "missing", table, reason: `${table} has no rows yet` };
  }
  return { status: "ok", rows: parsed };
}
