import { z } from "zod";
import type { CatalogColumn } from "./catalog.js";
import { SqlTypeSchema } from "./sql-type.js";

/** What a check needs from an analyzed statement. */
export interface AnalyzedStatement {
  /** e.g. `RESOLVED_QUERY_STMT`, `RESOLVED_CREATE_TABLE_AS_SELECT_STMT`, `RESOLVED_MERGE_STMT`. */
  readonly kind: string;
  /** The statement's result columns, when it has any (queries, CREATE … AS, views). */
  readonly outputColumns: readonly CatalogColumn[] | undefined;
  /** Byte offset where the next statement starts, when analyzing a script statement by statement. */
  readonly resumeBytePosition: number | undefined;
  /** CREATE statements: the name of what they create, as written (`["tmp"]`, `["d", "t"]`). */
  readonly createdName: readonly string[] | undefined;
  /** CREATE TEMP TABLE: the table lives in the script only. */
  readonly isTemporary: boolean;
}

const OutputColumnSchema = z.object({
  name: z.string(),
  column: z.object({ type: SqlTypeSchema }),
});

const LeafSchema = z.object({ outputColumnList: z.array(OutputColumnSchema).optional() });

const ResponseSchema = z.object({
  resolvedStatement: z.record(z.string(), z.unknown()),
  resumeBytePosition: z.coerce.number().optional(),
});

/**
 * Reads an `AnalyzeResponse`. The resolved statement is a chain of "Any…Proto" wrappers, one per
 * level of the resolved AST class hierarchy (statement → create statement → create table base →
 * CREATE TABLE AS SELECT); the leaf holds the fields we want.
 */
export function readAnalyzeResponse(response: unknown): AnalyzedStatement {
  const parsed = ResponseSchema.parse(response);
  let leafName = "";
  let leaf: Record<string, unknown> = parsed.resolvedStatement;
  for (;;) {
    const child = Object.entries(leaf).find(
      ([key, value]) => key.endsWith("Node") && typeof value === "object" && value !== null,
    );
    if (!child) break;
    leafName = child[0];
    leaf = child[1] as Record<string, unknown>;
  }
  const { outputColumnList } = LeafSchema.parse(leaf);
  // CREATE statements keep their name in the `parent` chain of the leaf (the proto's base classes).
  let createdName: string[] | undefined;
  let isTemporary = false;
  for (let level: unknown = leaf; typeof level === "object" && level !== null; ) {
    const fields = level as Record<string, unknown>;
    const namePath = fields.namePath;
    if (Array.isArray(namePath) && namePath.every((part) => typeof part === "string")) {
      createdName = namePath as string[];
    }
    if (fields.createScope === "CREATE_TEMP") isTemporary = true;
    level = fields.parent;
  }
  return {
    kind: kindName(leafName),
    outputColumns: outputColumnList?.map((c) => ({ name: c.name, type: c.column.type })),
    resumeBytePosition: parsed.resumeBytePosition,
    createdName,
    isTemporary,
  };
}

/** `resolvedQueryStmtNode` → `RESOLVED_QUERY_STMT`. */
function kindName(leafName: string): string {
  return leafName
    .replace(/Node$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase();
}
