import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { z } from "zod";

/**
 * The GA4 export's columns as the Dataform project defines them (`includes/ga4_schema.js`, the
 * one list the models, the SQL check and the local export share), with BigQuery types.
 */
export const Ga4ExportColumnSchema = z.object({ name: z.string().min(1), type: z.string().min(1) });
export type Ga4ExportColumn = z.infer<typeof Ga4ExportColumnSchema>;

const IncludeSchema = z.object({
  EXPORT_COLUMNS: z.array(Ga4ExportColumnSchema).min(1),
});

const NestedIncludeSchema = z.object({
  duckDbType: z.custom<(bigQueryType: string) => string>((value) => typeof value === "function"),
});

/** Tag of the GA4 export declarations (definitions/sources/ga4.js). */
export const GA4_EXPORT_TAG = "ga4_export";

/**
 * The exports of a Dataform include. Includes are CommonJS scripts that Dataform runs in its own
 * sandbox (the package is ESM, so Node cannot `require` them): run the file the same way, in a
 * fresh context with only `module` and `exports`.
 */
function includeOf(projectDir: string, file: string): unknown {
  const path = join(projectDir, "includes", file);
  const module = { exports: {} as unknown };
  runInNewContext(
    readFileSync(path, "utf8"),
    { module, exports: module.exports },
    { filename: path },
  );
  return module.exports;
}

/** The export's columns, read from the project's `includes/ga4_schema.js`. */
export function ga4ExportColumns(projectDir: string): Ga4ExportColumn[] {
  return IncludeSchema.parse(includeOf(projectDir, "ga4_schema.js")).EXPORT_COLUMNS;
}

/** A BigQuery type as DuckDB spells it (`includes/nested.js`, the converter the models use). */
export function duckDbTypeConverter(projectDir: string): (bigQueryType: string) => string {
  return NestedIncludeSchema.parse(includeOf(projectDir, "nested.js")).duckDbType;
}

/**
 * Columns of the declared (not loaded) source tables by declaration tag, for the SQL check:
 * the GA4 export's wildcard tables.
 */
export function declaredSourceColumns(projectDir: string): Record<string, Ga4ExportColumn[]> {
  return { [GA4_EXPORT_TAG]: ga4ExportColumns(projectDir) };
}
