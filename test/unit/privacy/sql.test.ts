import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identifierKey, parseNodeKey } from "../../../functions/core/privacy/identifiers.js";
import { saltedKey } from "../../../functions/core/privacy/salted-key.js";
import {
  columnKeySql,
  jsonValuesSql,
  pathMatchesSql,
  saltedKeySql,
} from "../../../functions/core/privacy/sql.js";
import {
  createDuckDbWarehouse,
  type DuckDbWarehouse,
} from "../../../functions/platform/local/duckdb-warehouse.js";

const SALT = "ab".repeat(32);

describe("privacy keys computed in SQL (DuckDB) equal the keys computed in TypeScript", () => {
  let w: DuckDbWarehouse;
  beforeAll(async () => {
    w = await createDuckDbWarehouse({ path: ":memory:" });
  });
  afterAll(async () => {
    await w.close();
  });

  const cases: Array<[string, string]> = [
    ["email", "  Jane.Doe@Example.COM "],
    ["email", "jane\u00a0doe@example.com\t"],
    ["email", "ÉLODIE@exemple.fr"],
    ["phone", "+49 (151) 234-5678"],
    ["phone", "0049151 2345678"],
    ["shopify_customer_id", " 12345678901234567890 "],
  ];
  for (const [kind, raw] of cases) {
    it(`salts ${kind} ${JSON.stringify(raw)} to the same key`, async () => {
      const [row] = await w.query(`SELECT ${saltedKeySql("duckdb", kind, "@v")} AS k`, {
        salt: SALT,
        v: raw,
      });
      const identifier = identifierKey(kind, raw);
      expect(identifier).toBeDefined();
      expect(row?.k).toBe(saltedKey(SALT, identifier as string));
    });
  }

  it("gives NULL for a value that is only whitespace, as identifierKey gives nothing", async () => {
    const [row] = await w.query(`SELECT ${saltedKeySql("duckdb", "email", "@v")} AS k`, {
      salt: SALT,
      v: " \t ",
    });
    expect(identifierKey("email", " \t ")).toBeUndefined();
    expect(row?.k).toBeNull();
  });

  it("keys a per-row kind column and a node key like their identifiers", async () => {
    await w.run(
      "CREATE TABLE t AS SELECT * FROM (VALUES ('email', ' A@B.co '), ('phone', '+1 555 0100'), ('shopify_customer_id', '7')) v(identifier_type, identifier_value)",
    );
    const rows = await w.query(
      `SELECT identifier_type, ${columnKeySql("duckdb", { column: "identifier_value", kind: "email", kindColumn: "identifier_type" })} AS k, ${columnKeySql("duckdb", { column: "node", kind: "node_key" })} AS n FROM (SELECT *, identifier_type || ':' || identifier_value AS node FROM t) ORDER BY 1`,
      { salt: SALT },
    );
    expect(rows.map((r) => r.k)).toEqual([
      saltedKey(SALT, "email:a@b.co"),
      saltedKey(SALT, "phone:15550100"),
      saltedKey(SALT, "shopify_customer_id:7"),
    ]);
    expect(rows[2]?.n).toBe(saltedKey(SALT, "shopify_customer_id:7"));
    // Node keys as the identity graph writes them (phones E.164 with the plus) key like the
    // identifier an erasure names: parseNodeKey's normalization, in SQL.
    expect(rows[1]?.n).toBe(saltedKey(SALT, parseNodeKey("phone:+1 555 0100") as string));
    expect(rows[1]?.n).toBe(saltedKey(SALT, "phone:15550100"));
    expect(rows[0]?.n).toBe(saltedKey(SALT, "email:a@b.co"));
  });

  it("reads scalar and array JSON paths, and matches a value inside an array", async () => {
    await w.run(
      `CREATE TABLE j AS SELECT '{"customer":{"email":"X@Y.Z"},"orders":[1,22,333],"items":[{"e":"p@q.r"},{"e":"s@t.u"}]}'::JSON AS payload`,
    );
    const scalar = await w.query(
      `SELECT v FROM j, LATERAL ${jsonValuesSql("duckdb", "payload", "$.customer.email")}`,
    );
    expect(scalar.map((r) => r.v)).toEqual(["X@Y.Z"]);
    const array = await w.query(
      `SELECT v FROM j, LATERAL ${jsonValuesSql("duckdb", "payload", "$.items[*].e")}`,
    );
    expect(array.map((r) => r.v).sort()).toEqual(["p@q.r", "s@t.u"]);
    const key = saltedKey(SALT, "shopify_order_id:22");
    const [hit] = await w.query(
      `SELECT COUNT(*) AS n FROM j WHERE ${pathMatchesSql("duckdb", "payload", "$.orders[*]", "shopify_order_id", "(@k)")}`,
      { salt: SALT, k: key },
    );
    expect(hit?.n).toBe(1);
    const [miss] = await w.query(
      `SELECT COUNT(*) AS n FROM j WHERE ${pathMatchesSql("duckdb", "payload", "$.orders[*]", "shopify_order_id", "(@k)")}`,
      { salt: SALT, k: saltedKey(SALT, "shopify_order_id:2") },
    );
    expect(miss?.n).toBe(0);
  });
});
