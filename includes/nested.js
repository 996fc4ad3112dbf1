/**
 * Nested data (ARRAY and STRUCT columns, as in the GA4 export) where BigQuery and DuckDB spell
 * things differently. Like `dialect`, every argument is SQL written in a model, never data.
 */

const SCALARS = {
  STRING: "VARCHAR",
  INT64: "BIGINT",
  FLOAT64: "DOUBLE",
  NUMERIC: "DECIMAL(38, 9)",
  BOOL: "BOOLEAN",
  TIMESTAMP: "TIMESTAMPTZ",
  DATE: "DATE",
  JSON: "JSON",
};

/**
 * A BigQuery type (`ARRAY<STRUCT<key STRING, value STRUCT<int_value INT64>>>`) as DuckDB spells it
 * (`STRUCT("key" VARCHAR, "value" STRUCT("int_value" BIGINT))[]`). Pure: the local export
 * (functions/sources/ga4/local-export.ts) uses it to create tables of the export's shape.
 */
function duckDbType(bigQueryType) {
  const tokens = String(bigQueryType).match(/[A-Za-z_][A-Za-z0-9_]*|[<>,]/g) || [];
  let at = 0;
  const next = () => {
    const token = tokens[at++];
    if (token === undefined) throw new Error(`unexpected end of type "${bigQueryType}"`);
    return token;
  };
  const expect = (token) => {
    if (next() !== token) throw new Error(`expected "${token}" in type "${bigQueryType}"`);
  };
  const type = () => {
    const name = next().toUpperCase();
    if (name === "ARRAY") {
      expect("<");
      const element = type();
      expect(">");
      return `${element}[]`;
    }
    if (name === "STRUCT") {
      expect("<");
      const fields = [];
      while (tokens[at] !== ">") {
        const field = next();
        fields.push(`"${field}" ${type()}`);
        if (tokens[at] === ",") at++;
      }
      expect(">");
      return `STRUCT(${fields.join(", ")})`;
    }
    const scalar = SCALARS[name];
    if (!scalar) throw new Error(`unknown BigQuery type "${name}" in "${bigQueryType}"`);
    return scalar;
  };
  const result = type();
  if (at !== tokens.length) throw new Error(`unexpected "${tokens[at]}" in "${bigQueryType}"`);
  return result;
}

/** A BigQuery type name (scalar or nested) for the target being compiled. */
function typeName(bigQueryType) {
  return dialect.isDuckDb() ? duckDbType(bigQueryType) : bigQueryType;
}

function elementName(element) {
  if (!/^[a-z_][a-z0-9_]*$/.test(element)) throw new Error(`bad element name "${element}"`);
  return element;
}

/**
 * `valueExpr` of the first element of `arrayExpr` (each named `element`) for which
 * `conditionExpr` holds; NULL when none does. GA4's `event_params` lookups:
 * `firstMatching("event_params", "p", "p.value.int_value", "p.key = 'ga_session_id'")`.
 * BigQuery's correlated subquery is GA4's documented idiom; LIMIT 1 keeps a repeated key (which
 * the export allows) from failing the query.
 */
function firstMatching(arrayExpr, element, valueExpr, conditionExpr) {
  const name = elementName(element);
  return dialect.isDuckDb()
    ? `[${valueExpr} FOR ${name} IN ${arrayExpr} IF ${conditionExpr}][1]`
    : `(SELECT ${valueExpr} FROM UNNEST(${arrayExpr}) AS ${name} WHERE ${conditionExpr} LIMIT 1)`;
}

/** SUM of `valueExpr` over the elements of `arrayExpr`; NULL for an empty or NULL array. */
function arraySum(arrayExpr, element, valueExpr) {
  const name = elementName(element);
  return dialect.isDuckDb()
    ? `list_sum([${valueExpr} FOR ${name} IN ${arrayExpr}])`
    : `(SELECT SUM(${valueExpr}) FROM UNNEST(${arrayExpr}) AS ${name})`;
}

/** Number of elements; 0 for an empty array, NULL for NULL. */
function arrayLength(arrayExpr) {
  return dialect.isDuckDb() ? `len(${arrayExpr})` : `ARRAY_LENGTH(${arrayExpr})`;
}

/** The value as JSON text (stable for equal values: used in content keys). */
function toJsonString(expr) {
  return dialect.isDuckDb() ? `CAST(to_json(${expr}) AS VARCHAR)` : `TO_JSON_STRING(${expr})`;
}

/**
 * A relation with the given columns and no rows (`columns`: `{name, type}` with BigQuery types),
 * for a model whose source is not configured: it still builds, empty, with the right types.
 */
function emptyRelation(columns) {
  const list = columns.map((c) => `CAST(NULL AS ${typeName(c.type)}) AS ${c.name}`).join(", ");
  return `(SELECT ${list} LIMIT 0)`;
}

module.exports = {
  duckDbType,
  typeName,
  firstMatching,
  arraySum,
  arrayLength,
  toJsonString,
  emptyRelation,
};
