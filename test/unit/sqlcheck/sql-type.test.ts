import { describe, expect, it } from "vitest";
import type { ColumnSpec } from "../../../functions/platform/ports.js";
import { formatSqlType, parseSqlType } from "../../../functions/sqlcheck/sql-type.js";

describe("BigQuery type names", () => {
  it.each<ColumnSpec["type"]>([
    "STRING",
    "INT64",
    "FLOAT64",
    "NUMERIC",
    "BOOL",
    "TIMESTAMP",
    "DATE",
    "JSON",
  ])("reads the ColumnSpec type %s and prints it back", (type) => {
    expect(formatSqlType(parseSqlType(type))).toBe(type);
  });

  it("maps FLOAT64 to the analyzer's DOUBLE", () => {
    expect(parseSqlType("FLOAT64")).toEqual({ typeKind: "TYPE_DOUBLE" });
  });

  it("reads nested ARRAY and STRUCT types", () => {
    const text = "ARRAY<STRUCT<key STRING, value STRUCT<string_value STRING, int_value INT64>>>";
    expect(formatSqlType(parseSqlType(text))).toBe(text);
  });

  it("reads aliases and parameterized types as BigQuery's base types", () => {
    expect(formatSqlType(parseSqlType("integer"))).toBe("INT64");
    expect(formatSqlType(parseSqlType("STRUCT<`from` BOOLEAN, amount DECIMAL(10, 2)>"))).toBe(
      "STRUCT<from BOOL, amount NUMERIC>",
    );
    expect(formatSqlType(parseSqlType("STRING(64)"))).toBe("STRING");
  });

  it.each(["STRNG", "ARRAY<STRING", "STRUCT<a>", "INT64 INT64"])("refuses %s", (text) => {
    expect(() => parseSqlType(text)).toThrow();
  });
});
