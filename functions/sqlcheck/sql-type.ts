import { z } from "zod";

/** A BigQuery type in the analyzer's `TypeProto` shape (the subset BigQuery has). */
export type SqlType =
  | { readonly typeKind: "TYPE_ARRAY"; readonly arrayType: { readonly elementType: SqlType } }
  | {
      readonly typeKind: "TYPE_STRUCT";
      readonly structType: { readonly field: readonly StructField[] };
    }
  | { readonly typeKind: "TYPE_RANGE"; readonly rangeType: { readonly elementType: SqlType } }
  | { readonly typeKind: ScalarKind };

export interface StructField {
  readonly fieldName: string;
  readonly fieldType: SqlType;
}

const SCALARS = {
  STRING: "TYPE_STRING",
  BYTES: "TYPE_BYTES",
  INT64: "TYPE_INT64",
  FLOAT64: "TYPE_DOUBLE",
  NUMERIC: "TYPE_NUMERIC",
  BIGNUMERIC: "TYPE_BIGNUMERIC",
  BOOL: "TYPE_BOOL",
  TIMESTAMP: "TYPE_TIMESTAMP",
  DATE: "TYPE_DATE",
  TIME: "TYPE_TIME",
  DATETIME: "TYPE_DATETIME",
  GEOGRAPHY: "TYPE_GEOGRAPHY",
  JSON: "TYPE_JSON",
  INTERVAL: "TYPE_INTERVAL",
} as const;
type ScalarKind = (typeof SCALARS)[keyof typeof SCALARS];

/** BigQuery's legacy and alias names (as found in schemas and `INFORMATION_SCHEMA`). */
const ALIASES: Readonly<Record<string, keyof typeof SCALARS>> = {
  INTEGER: "INT64",
  INT: "INT64",
  BIGINT: "INT64",
  SMALLINT: "INT64",
  TINYINT: "INT64",
  BYTEINT: "INT64",
  FLOAT: "FLOAT64",
  BOOLEAN: "BOOL",
  DECIMAL: "NUMERIC",
  BIGDECIMAL: "BIGNUMERIC",
};

const scalarNames = new Map<string, keyof typeof SCALARS>(
  Object.entries(SCALARS).map(([name, kind]) => [kind, name as keyof typeof SCALARS]),
);

/**
 * Parses a BigQuery type name: `STRING`, `INT64`, `ARRAY<STRING>`,
 * `STRUCT<id INT64, tags ARRAY<STRING>>`, `RANGE<DATE>`, and the aliases (`INTEGER`, `FLOAT`…).
 * Parameterized types (`STRING(10)`, `NUMERIC(10, 2)`) check as their base type.
 */
export function parseSqlType(text: string): SqlType {
  const tokens = text.match(/[A-Za-z_][A-Za-z0-9_]*|`[^`]*`|[<>,()]|\d+/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const next = () => {
    const token = tokens[at++];
    if (token === undefined) throw new Error(`Unexpected end of type "${text}".`);
    return token;
  };
  const expect = (token: string) => {
    if (next() !== token) throw new Error(`Expected "${token}" in type "${text}".`);
  };
  const type = (): SqlType => {
    const name = next().toUpperCase();
    if (name === "ARRAY" || name === "RANGE") {
      expect("<");
      const elementType = type();
      expect(">");
      return name === "ARRAY"
        ? { typeKind: "TYPE_ARRAY", arrayType: { elementType } }
        : { typeKind: "TYPE_RANGE", rangeType: { elementType } };
    }
    if (name === "STRUCT") {
      expect("<");
      const field: StructField[] = [];
      while (peek() !== ">") {
        field.push({ fieldName: next().replace(/^`|`$/g, ""), fieldType: type() });
        if (peek() === ",") next();
      }
      expect(">");
      return { typeKind: "TYPE_STRUCT", structType: { field } };
    }
    const scalar = SCALARS[(ALIASES[name] ?? name) as keyof typeof SCALARS];
    if (!scalar) throw new Error(`Unknown BigQuery type "${name}" in "${text}".`);
    if (peek() === "(") while (next() !== ")");
    return { typeKind: scalar };
  };
  const parsed = type();
  if (at !== tokens.length) throw new Error(`Unexpected "${peek()}" in type "${text}".`);
  return parsed;
}

/** The BigQuery spelling of a type, for messages. */
export function formatSqlType(type: SqlType): string {
  if (type.typeKind === "TYPE_ARRAY") return `ARRAY<${formatSqlType(type.arrayType.elementType)}>`;
  if (type.typeKind === "TYPE_RANGE") return `RANGE<${formatSqlType(type.rangeType.elementType)}>`;
  if (type.typeKind === "TYPE_STRUCT") {
    const fields = type.structType.field.map((f) => `${f.fieldName} ${formatSqlType(f.fieldType)}`);
    return `STRUCT<${fields.join(", ")}>`;
  }
  return scalarNames.get(type.typeKind) ?? type.typeKind;
}

/** Zod schema for a `TypeProto` as the analyzer returns it (unknown kinds are refused). */
export const SqlTypeSchema: z.ZodType<SqlType> = z.lazy(() =>
  z.union([
    z.object({
      typeKind: z.literal("TYPE_ARRAY"),
      arrayType: z.object({ elementType: SqlTypeSchema }),
    }),
    z.object({
      typeKind: z.literal("TYPE_STRUCT"),
      structType: z.object({
        field: z
          .array(z.object({ fieldName: z.string().default(""), fieldType: SqlTypeSchema }))
          .default([]),
      }),
    }),
    z.object({
      typeKind: z.literal("TYPE_RANGE"),
      rangeType: z.object({ elementType: SqlTypeSchema }),
    }),
    z.object({ typeKind: z.enum(Object.values(SCALARS) as [ScalarKind, ...ScalarKind[]]) }),
  ]),
);
