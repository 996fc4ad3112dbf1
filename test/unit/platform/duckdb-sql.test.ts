import { describe, expect, it } from "vitest";
import {
  rewriteBigQueryNames,
  rewriteNamedParams,
} from "../../../functions/platform/local/duckdb-sql.js";

describe("SQL rewrites of the local warehouse", () => {
  it("turns @name parameters into $name but leaves literals, quoted names and comments alone", () => {
    const { sql, names } = rewriteNamedParams(
      "SELECT '@not_a_param', \"@col\" FROM t -- @comment\nWHERE a = @first AND b IN (@second, @first) /* @x */",
    );
    expect(sql).toBe(
      "SELECT '@not_a_param', \"@col\" FROM t -- @comment\nWHERE a = $first AND b IN ($second, $first) /* @x */",
    );
    expect(names.sort()).toEqual(["first", "second"]);
  });

  it("does not take an address inside a string for a parameter", () => {
    expect(
      rewriteNamedParams("SELECT * FROM t WHERE email = 'it''s@example.com' AND id = @id").names,
    ).toEqual(["id"]);
  });

  it("leaves BigQuery system variables (@@name) alone", () => {
    expect(rewriteNamedParams("SELECT @@project_id").sql).toBe("SELECT @@project_id");
  });

  it('maps `project.dataset.table` to "dataset"."table" outside literals', () => {
    expect(
      rewriteBigQueryNames("SELECT '`a.b`' FROM `p.raw.orders` JOIN `marts.dim` USING (id)"),
    ).toBe('SELECT \'`a.b`\' FROM "raw"."orders" JOIN "marts"."dim" USING (id)');
  });
});
