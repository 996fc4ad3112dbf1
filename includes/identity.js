/**
 * Identifier normalization and guardrails shared by every model that reads an identifier.
 * SQL that differs between engines comes from `dialect` (looked up when a model calls these
 * functions, after Dataform has attached every include to the global scope).
 */

/**
 * Normalized values that never identify a person: placeholders typed into forms and test
 * addresses. A blocked value creates no contact, so it can never merge strangers.
 */
const BLOCKED_EMAILS = [
  "test@test.com",
  "test@example.com",
  "noemail@noemail.com",
  "no@email.com",
  "null",
  "none",
  "nil",
  "n/a",
  "na",
  "undefined",
  "unknown",
  "-1",
  "0",
];

/** local@domain.tld with no second `@`; written without backslashes so both engines agree. */
const EMAIL_SHAPE = "^[^@]+@[^@]+[.][^@]+$";

/**
 * Email as identifiers are matched: every whitespace character removed (also inside the value,
 * as forms and CSV exports leave it), lower-cased, NULL when nothing is left.
 */
function normalizeEmail(expr) {
  return `NULLIF(LOWER(${dialect.regexpReplaceAll(expr, "[\\s\\p{Z}]", "")}), '')`;
}

function sqlList(values) {
  return values.map((value) => `'${value.replaceAll("'", "''")}'`).join(", ");
}

/** TRUE when a normalized email may identify a contact (not NULL, email-shaped, not blocked). */
function isUsableEmail(normalizedExpr) {
  return `(${normalizedExpr} IS NOT NULL AND ${dialect.regexpContains(normalizedExpr, EMAIL_SHAPE)} AND ${normalizedExpr} NOT IN (${sqlList(BLOCKED_EMAILS)}))`;
}

module.exports = { BLOCKED_EMAILS, EMAIL_SHAPE, normalizeEmail, isUsableEmail };
