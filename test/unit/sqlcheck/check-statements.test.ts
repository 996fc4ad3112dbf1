import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RAW_COLUMNS } from "../../../functions/core/raw-table.js";
import { type Analyzer, startAnalyzer } from "../../../functions/sqlcheck/analyzer.js";
import { checkStatements } from "../../../functions/sqlcheck/check.js";
import {
  type CheckInput,
  formatFailure,
  type StatementInput,
} from "../../../functions/sqlcheck/check-input.js";
import { isRunning } from "./process-helpers.js";

let analyzer: Analyzer;
beforeAll(async () => {
  const started = performance.now();
  analyzer = await startAnalyzer();
  console.info(`ZetaSQL analyzer ready in ${Math.round(performance.now() - started)} ms`);
});
afterAll(async () => {
  await analyzer.close();
  expect(isRunning(analyzer.pid)).toBe(false);
});

const PROJECT = "acme-data";
const rawOrders = { schema: "raw", name: "shopify_orders", columns: [...RAW_COLUMNS] };

function check(statements: StatementInput[], extra: Partial<CheckInput> = {}) {
  return checkStatements(
    { project: PROJECT, declarations: [rawOrders], statements, ...extra },
    { analyzer },
  );
}

function model(name: string, sql: string, more: Partial<StatementInput> = {}): StatementInput {
  return {
    target: { schema: "staging", name },
    fileName: `definitions/staging/${name}.sqlx`,
    kind: "query",
    sql,
    ...more,
  };
}

const FROM_RAW = `FROM \`${PROJECT}.raw.shopify_orders\``;

describe("checkStatements accepts BigQuery SQL", () => {
  it.each([
    ["JSON_VALUE on a JSON column", "SELECT JSON_VALUE(payload, '$.customer.email') AS email"],
    ["TO_HEX(SHA256(...))", "SELECT TO_HEX(SHA256(LOWER(TRIM(_record_id)))) AS id_sha256"],
    ["TIMESTAMP_SECONDS", "SELECT TIMESTAMP_SECONDS(INT64(payload.created_at)) AS created_at"],
    ["SAFE_CAST", "SELECT SAFE_CAST(JSON_VALUE(payload, '$.total') AS NUMERIC) AS total"],
    ["the SAFE. prefix", "SELECT SAFE.PARSE_DATE('%Y-%m-%d', JSON_VALUE(payload, '$.day')) AS day"],
    ["DATE_SUB", "SELECT DATE_SUB(DATE(_received_at), INTERVAL 7 DAY) AS week_ago"],
    ["REGEXP_REPLACE", "SELECT REGEXP_REPLACE(_record_id, r'[^0-9]', '') AS digits"],
    ["INTERVAL arithmetic", "SELECT _received_at - INTERVAL 1 HOUR AS an_hour_before"],
    ["a system variable", "SELECT CONCAT(@@project_id, '.', _source) AS origin"],
    ["JSON field access", "SELECT LAX_STRING(payload.customer['email']) AS email"],
    [
      "a named parameter in TIMESTAMP_SUB",
      "SELECT _record_id",
      "WHERE _received_at > TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL @days DAY)",
    ],
    [
      "ARRAY_AGG(... ORDER BY ... LIMIT 1)[OFFSET(0)]",
      "SELECT ARRAY_AGG(payload ORDER BY _received_at DESC LIMIT 1)[OFFSET(0)] AS latest",
      "GROUP BY _record_id",
    ],
    [
      "QUALIFY without WHERE or GROUP BY",
      "SELECT _record_id",
      "QUALIFY ROW_NUMBER() OVER (PARTITION BY _record_id ORDER BY _received_at DESC) = 1",
    ],
  ])("%s", async (_, select, tail = "") => {
    const result = await check([model("stg_checked", `${select} ${FROM_RAW} ${tail}`)]);
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(1);
  });

  it("accepts a chain of CTEs over a raw table, and a model that reads the model before it", async () => {
    const staging = model(
      "stg_shopify__orders",
      `WITH orders_parsed AS (
         SELECT JSON_VALUE(payload, '$.id') AS order_id,
                LOWER(TRIM(JSON_VALUE(payload, '$.email'))) AS email,
                SAFE_CAST(JSON_VALUE(payload, '$.total_price') AS NUMERIC) AS total_price,
                _received_at
         ${FROM_RAW}
       ),
       orders_latest AS (
         SELECT * FROM orders_parsed
         QUALIFY ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY _received_at DESC) = 1
       )
       SELECT order_id, TO_HEX(SHA256(email)) AS email_sha256, total_price, _received_at AS received_at
       FROM orders_latest`,
      { materialization: "view" },
    );
    const fact = {
      ...model(
        "fct_orders",
        `SELECT order_id, email_sha256, total_price, DATE(received_at) AS order_date FROM \`${PROJECT}.staging.stg_shopify__orders\``,
      ),
      target: { schema: "marts", name: "fct_orders" },
      materialization: "table" as const,
      partitionBy: "order_date",
      clusterBy: ["email_sha256"],
    };
    const result = await check([staging, fact]);
    expect(result).toEqual({ checked: 2, failures: [], skipped: [] });
  });

  it("resolves a table by every name BigQuery accepts", async () => {
    const names = [
      `\`${PROJECT}.raw.shopify_orders\``,
      `${PROJECT}.raw.shopify_orders`,
      `\`${PROJECT}\`.raw.shopify_orders`,
      "raw.shopify_orders",
      "`raw.shopify_orders`",
    ];
    const result = await check(
      names.map((name, i) => model(`stg_${i}`, `SELECT _record_id FROM ${name}`)),
    );
    expect(result.failures).toEqual([]);
  });

  it("reads a table of another project by its full name, and a wildcard table's _TABLE_SUFFIX", async () => {
    const ga4 = {
      database: "ga4-export",
      schema: "analytics_123",
      name: "events_*",
      columns: [
        { name: "event_name", type: "STRING" },
        {
          name: "event_params",
          type: "ARRAY<STRUCT<key STRING, value STRUCT<string_value STRING, int_value INT64>>>",
        },
      ],
    };
    const sql = `SELECT event_name,
        (SELECT value.string_value FROM UNNEST(event_params) WHERE key = 'page_location') AS page
      FROM \`ga4-export.analytics_123.events_*\`
      WHERE _TABLE_SUFFIX BETWEEN FORMAT_DATE('%Y%m%d', DATE_SUB(CURRENT_DATE(), INTERVAL 3 DAY)) AND '99999999'`;
    const result = await check([model("stg_ga4__events", sql)], { declarations: [rawOrders, ga4] });
    expect(result.failures).toEqual([]);
  });

  it("checks every statement of a multi-statement operation", async () => {
    const operation: StatementInput = {
      fileName: "definitions/ops/setup.sqlx",
      kind: "statement",
      sql: `CREATE SCHEMA IF NOT EXISTS ops;
            DELETE FROM raw.shopify_orders WHERE _received_at < TIMESTAMP '2020-01-01';`,
    };
    expect((await check([operation])).failures).toEqual([]);
  });
});

describe("checkStatements refuses what BigQuery would refuse", () => {
  it("fails an unknown column with the analyzer's message, the column and the file", async () => {
    const result = await check([model("stg_typo", `SELECT _recieved_at ${FROM_RAW}`)]);
    expect(result.failures).toHaveLength(1);
    const [failure] = result.failures;
    expect(failure?.fileName).toBe("definitions/staging/stg_typo.sqlx");
    expect(failure?.message).toMatch(
      /^Unrecognized name: _recieved_at; Did you mean _received_at\? \[at 1:8\]/,
    );
    expect(formatFailure(failure ?? { fileName: "", target: undefined, message: "" })).toMatch(
      /^definitions\/staging\/stg_typo\.sqlx \(staging\.stg_typo\): Unrecognized name: _recieved_at/,
    );
  });

  it.each([
    ["DuckDB's list_value()", "SELECT list_value(1, 2) AS xs", /Function not found: list_value/],
    [
      "DuckDB's strftime(timestamp, format)",
      "SELECT strftime(_received_at, '%Y-%m') AS month",
      /Function not found: strftime/,
    ],
    ["a :: cast", "SELECT _record_id::INT64 AS id", /Syntax error/],
    [
      "ZetaSQL's TYPEOF(), which BigQuery lacks",
      "SELECT TYPEOF(_source) AS t",
      /Function not found: TYPEOF/,
    ],
    ["DuckDB's epoch_ms()", "SELECT epoch_ms(_received_at) AS ms", /Function not found: epoch_ms/],
    ["a JSON ->> operator", "SELECT payload->>'id' AS id", /Syntax error/],
    [
      "GROUP BY a JSON column",
      "SELECT payload, COUNT(*) AS n",
      /Grouping by expressions of type JSON is not allowed/,
    ],
  ])("fails %s", async (_, select, message) => {
    const tail = select.includes("COUNT") ? "GROUP BY payload" : "";
    const result = await check([model("stg_duckdb", `${select} ${FROM_RAW} ${tail}`)]);
    expect(result.failures.map((f) => f.message)).toEqual([expect.stringMatching(message)]);
  });

  it("fails a downstream model that selects a column its upstream model does not produce", async () => {
    const upstream = model(
      "stg_orders",
      `SELECT JSON_VALUE(payload, '$.id') AS order_id ${FROM_RAW}`,
    );
    const downstream = {
      ...model("fct_orders", "SELECT order_id, total_price FROM staging.stg_orders"),
      target: { schema: "marts", name: "fct_orders" },
      fileName: "definitions/marts/fct_orders.sqlx",
    };
    const result = await check([upstream, downstream]);
    expect(result.checked).toBe(2);
    expect(result.failures).toEqual([
      {
        fileName: "definitions/marts/fct_orders.sqlx",
        target: { schema: "marts", name: "fct_orders" },
        message: expect.stringMatching(/Unrecognized name: total_price/),
      },
    ]);
  });

  it("fails a model that reads a table nobody declared or produced", async () => {
    const result = await check([model("stg_x", "SELECT * FROM raw.hubspot_contacts")]);
    expect(result.failures[0]?.message).toMatch(/Table not found: raw\.hubspot_contacts/);
  });

  it("skips, and names, the models downstream of a failed model instead of failing them too", async () => {
    const broken = model("stg_broken", `SELECT nope ${FROM_RAW}`);
    const downstream = model("int_after", "SELECT * FROM staging.stg_broken");
    const further = model("int_further", `SELECT * FROM \`${PROJECT}.staging.int_after\``);
    const result = await check([broken, downstream, further]);
    expect(result.checked).toBe(1);
    expect(result.failures.map((f) => f.fileName)).toEqual(["definitions/staging/stg_broken.sqlx"]);
    expect(result.skipped).toEqual([
      expect.objectContaining({
        fileName: "definitions/staging/int_after.sqlx",
        reason: expect.stringContaining("staging.stg_broken"),
      }),
      expect.objectContaining({
        fileName: "definitions/staging/int_further.sqlx",
        reason: expect.stringContaining("staging.int_after"),
      }),
    ]);
  });

  it("fails a table whose query has an unnamed column, which BigQuery cannot create", async () => {
    const result = await check([
      model("stg_unnamed", `SELECT _record_id, UPPER(_source) ${FROM_RAW}`, {
        materialization: "table",
      }),
    ]);
    expect(result.failures[0]?.message).toMatch(
      /^In the CREATE OR REPLACE TABLE statement BigQuery runs: /,
    );
  });

  it("fails a table partitioned by a column its query does not produce", async () => {
    const result = await check([
      model("stg_part", `SELECT _record_id ${FROM_RAW}`, {
        materialization: "table",
        partitionBy: "DATE(received_at)",
      }),
    ]);
    expect(result.failures[0]?.message).toMatch(/Unrecognized name: received_at/);
  });

  it("fails an incremental table whose unique key its query does not produce", async () => {
    const incremental = model(
      "stg_incremental",
      `SELECT _record_id AS record_id, payload ${FROM_RAW}`,
      {
        materialization: "incremental",
        uniqueKey: ["order_id"],
      },
    );
    const result = await check([incremental]);
    expect(result.failures[0]?.message).toMatch(
      /^In the MERGE statement BigQuery runs: .*order_id/,
    );
  });

  it("checks an incremental query that reads its own table", async () => {
    const incremental = model("stg_incremental", `SELECT _record_id, _received_at ${FROM_RAW}`, {
      materialization: "incremental",
      uniqueKey: ["_record_id"],
      incrementalSql: `SELECT _record_id, _received_at ${FROM_RAW}
        WHERE _received_at > (SELECT MAX(_received_at) FROM staging.stg_incremental)`,
    });
    expect((await check([incremental])).failures).toEqual([]);
    const broken = { ...incremental, incrementalSql: `SELECT _record_id ${FROM_RAW} WHERE nope` };
    expect((await check([broken])).failures[0]?.message).toMatch(
      /^In the incremental query: Unrecognized name: nope/,
    );
  });

  it("fails an operation at the statement that is wrong, not the ones before it", async () => {
    const operation: StatementInput = {
      fileName: "definitions/ops/cleanup.sqlx",
      kind: "statement",
      sql: "CREATE SCHEMA IF NOT EXISTS ops;\nDELETE FROM raw.shopify_orders WHERE received_at < CURRENT_TIMESTAMP();",
    };
    const result = await check([operation]);
    expect(result.failures[0]?.message).toMatch(/^Unrecognized name: received_at; .*\[at 2:\d+\]/);
  });

  it("refuses a statement given as a query", async () => {
    const result = await check([model("stg_ddl", "CREATE SCHEMA ops")]);
    expect(result.failures[0]?.message).toMatch(/Expected one SELECT query/);
  });
});

describe("checkStatements speed", () => {
  it("checks a 40-model chain, each model reading the one before it", async () => {
    const models = [
      model("m0", `SELECT _record_id AS id, payload, _received_at AS seen_at ${FROM_RAW}`),
    ];
    for (let i = 1; i < 40; i++) {
      models.push(
        model(
          `m${i}`,
          `WITH prev AS (SELECT * FROM staging.m${i - 1})
          SELECT id, payload, seen_at FROM prev QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY seen_at DESC) = 1`,
          { materialization: "table" },
        ),
      );
    }
    const started = performance.now();
    const result = await check(models);
    const perModel = (performance.now() - started) / models.length;
    console.info(
      `checked ${models.length} models (query + CREATE TABLE) in ${Math.round(perModel)} ms each`,
    );
    expect(result).toEqual({ checked: 40, failures: [], skipped: [] });
  });
});
