import { parseSqlType, type SqlType } from "../../sqlcheck/sql-type.js";
import type { Ga4ExportColumn } from "./export-schema.js";

/**
 * Checks one GA4 export row (JSON) against the export's columns and fills every field it lacks
 * with null, as BigQuery reads a missing field. A field the export does not have is an error
 * naming its path: the local export is the real schema, not a superset of it. Older exports lack
 * newer columns (the vector row from 2021 has no collected_traffic_source), hence the filling.
 */
export function completeExportRow(
  row: unknown,
  columns: readonly Ga4ExportColumn[],
): Record<string, unknown> {
  const struct: SqlType = {
    typeKind: "TYPE_STRUCT",
    structType: {
      field: columns.map((c) => ({ fieldName: c.name, fieldType: parseSqlType(c.type) })),
    },
  };
  return complete(row, struct, "") as Record<string, unknown>;
}

function complete(value: unknown, type: SqlType, path: string): unknown {
  if (value === null || value === undefined) return null;
  if (type.typeKind === "TYPE_STRUCT") {
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new Error(`${path || "row"}: expected a RECORD (object)`);
    }
    const record = value as Record<string, unknown>;
    const known = new Set(type.structType.field.map((f) => f.fieldName));
    const unknown = Object.keys(record).find((key) => !known.has(key));
    if (unknown !== undefined) {
      throw new Error(`${join(path, unknown)}: the GA4 export has no such field`);
    }
    return Object.fromEntries(
      type.structType.field.map((f) => [
        f.fieldName,
        complete(record[f.fieldName], f.fieldType, join(path, f.fieldName)),
      ]),
    );
  }
  if (type.typeKind === "TYPE_ARRAY") {
    if (!Array.isArray(value)) throw new Error(`${path}: expected a REPEATED field (array)`);
    return value.map((element, i) =>
      complete(element, type.arrayType.elementType, `${path}[${i}]`),
    );
  }
  return value;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
