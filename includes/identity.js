/**
 * Identifier normalization, the identifier registry and the guardrails shared by every model that
 * reads an identifier. SQL that differs between engines comes from `dialect` (looked up when a
 * model calls these functions, after Dataform has attached every include to the global scope).
 */

/**
 * Every identifier type a source may emit (int_identifiers__<source> models). `key` types link
 * records deterministically; `attribute` types feed the probabilistic comparison only.
 * - priority: 1 is strongest. When a contact breaks a guardrail it is split along its strongest
 *   identifiers (int_identity__contact_ledger).
 * - cap: most distinct values of the type one contact may hold; a component above it splits.
 * - account: ids a source gives one person (a value seen with two of them is shared).
 * A new source's identifier type is one line here; the graph itself does not change.
 */
const IDENTIFIER_TYPES = {
  national_id: { kind: "key", priority: 1, cap: 1, account: true },
  shopify_customer_id: { kind: "key", priority: 1, cap: 2, account: true },
  hubspot_contact_id: { kind: "key", priority: 1, cap: 2, account: true },
  zoom_registrant_id: { kind: "key", priority: 1, cap: 5, account: false },
  ga4_user_id: { kind: "key", priority: 1, cap: 5, account: false },
  ga4_pseudo_id: { kind: "key", priority: 4, cap: 20, account: false },
  email: { kind: "key", priority: 2, cap: 5, account: false },
  phone: { kind: "key", priority: 3, cap: 3, account: false },
  given_name: { kind: "attribute" },
  family_name: { kind: "attribute" },
  birth_date: { kind: "attribute" },
  street: { kind: "attribute" },
  postcode: { kind: "attribute" },
  city: { kind: "attribute" },
  region: { kind: "attribute" },
  country: { kind: "attribute" },
  company: { kind: "attribute" },
};

/**
 * The per-source models that emit identity contract rows (record_key, source, source_entity,
 * source_entity_id, seen_at, stands_for_person, identifier_type, raw_value, region): every
 * source that names a person. A new source adds its model here.
 */
const IDENTITY_SOURCES = [
  "int_identifiers__shopify_orders",
  "int_identifiers__shopify_customers",
  "int_identifiers__hubspot_contacts",
  "int_identifiers__sendgrid_events",
  "int_identifiers__zoom_registrants",
  "int_identifiers__zoom_participants",
  "int_identifiers__ga4_users",
];

/** Key types a GA4 user_id may be declared to hold (workflow var identity_ga4_user_id). */
const GA4_USER_ID_TYPES = ["shopify_customer_id", "hubspot_contact_id"];

/**
 * What the site's GA4 user_id holds (workflow var identity_ga4_user_id): the Shopify customer id
 * or the HubSpot contact id the site sets on login, or NULL (unset, the default) when it is not
 * declared. Only a declared user_id enters the graph, as a key of that type; user_pseudo_id never
 * does (docs/decisions.md).
 */
function ga4UserIdType() {
  const value = dataform.projectConfig.vars?.identity_ga4_user_id;
  if (value === undefined || value === "" || value === "none") return null;
  if (!GA4_USER_ID_TYPES.includes(value)) {
    throw new Error(
      `vars.identity_ga4_user_id must be one of ${GA4_USER_ID_TYPES.join(", ")} or none; got "${value}"`,
    );
  }
  return value;
}

const MATCHING_METHODS = ["email_only", "deterministic", "probabilistic"];

/**
 * The matching method (workflow var identity_matching): `probabilistic` (default: keys, then
 * profiles), `deterministic` (keys only) or `email_only` (the email alone, as before identity
 * resolution; kept to measure the others against).
 */
function matching() {
  const value = dataform.projectConfig.vars?.identity_matching || "probabilistic";
  if (!MATCHING_METHODS.includes(value)) {
    throw new Error(
      `vars.identity_matching must be one of ${MATCHING_METHODS.join(", ")}; got "${value}"`,
    );
  }
  return value;
}

function typesWhere(predicate) {
  return Object.entries(IDENTIFIER_TYPES)
    .filter(([, spec]) => predicate(spec))
    .map(([name]) => name);
}

const KEY_TYPES = typesWhere((spec) => spec.kind === "key");
const ACCOUNT_TYPES = typesWhere((spec) => spec.kind === "key" && spec.account);

function sqlList(values) {
  return values.map((value) => `'${String(value).replaceAll("'", "''")}'`).join(", ");
}

/** `CASE type WHEN … THEN <field> END` over the key types' registry entries. */
function keyTypeCase(typeExpr, field) {
  const whens = KEY_TYPES.map(
    (name) => `WHEN '${name}' THEN ${Number(IDENTIFIER_TYPES[name][field])}`,
  );
  return `(CASE ${typeExpr} ${whens.join(" ")} END)`;
}

/**
 * Normalized values that never identify a person: placeholders typed into forms and test
 * addresses. A blocked value creates no link and no contact, so it can never merge strangers.
 */
const BLOCKED_EMAILS = [
  "test@test.com",
  "test@example.com",
  "noemail@noemail.com",
  "no@email.com",
  "none@none.com",
  "null@null.com",
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

/** Values of any type that are placeholders, compared after lower-casing and trimming. */
const BLOCKED_VALUES = [
  "",
  "null",
  "none",
  "nil",
  "n/a",
  "na",
  "-",
  "-1",
  "0",
  "test",
  "unknown",
  "undefined",
  "x",
  "xx",
  "xxx",
  "?",
];

/**
 * Local parts of role and shared mailboxes: such an address is read by several people, so it
 * groups only the records that carry nothing else and never links a person to another one.
 */
const ROLE_LOCAL_PARTS = [
  "info",
  "sales",
  "support",
  "admin",
  "administrator",
  "contact",
  "office",
  "hello",
  "team",
  "billing",
  "accounts",
  "accounting",
  "orders",
  "order",
  "shop",
  "service",
  "customerservice",
  "marketing",
  "newsletter",
  "webmaster",
  "postmaster",
  "hostmaster",
  "noreply",
  "no-reply",
  "donotreply",
  "do-not-reply",
  "mail",
  "email",
  "enquiries",
  "inquiries",
  "help",
  "hr",
  "jobs",
  "careers",
  "press",
  "finance",
  "family",
  "home",
  "household",
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

/** TRUE when a normalized email may identify a contact (not NULL, email-shaped, not blocked). */
function isUsableEmail(normalizedExpr) {
  return `(${normalizedExpr} IS NOT NULL AND ${dialect.regexpContains(normalizedExpr, EMAIL_SHAPE)} AND ${normalizedExpr} NOT IN (${sqlList(BLOCKED_EMAILS)}))`;
}

/** TRUE when a normalized email is a role or shared mailbox (info@, sales@, family@…). */
function isRoleEmail(normalizedExpr) {
  return `(${emailLocalPart(normalizedExpr)} IN (${sqlList(ROLE_LOCAL_PARTS)}))`;
}

/** Local part of a normalized email (before the `@`). */
function emailLocalPart(normalizedExpr) {
  return dialect.isDuckDb()
    ? `NULLIF(split_part(${normalizedExpr}, '@', 1), '')`
    : `NULLIF(SPLIT(${normalizedExpr}, '@')[SAFE_OFFSET(0)], '')`;
}

/** Domain of a normalized email (after its `@`, as emailLocalPart splits it); NULL when none. */
function emailDomain(normalizedExpr) {
  return dialect.isDuckDb()
    ? `NULLIF(split_part(${normalizedExpr}, '@', 2), '')`
    : `NULLIF(SPLIT(${normalizedExpr}, '@')[SAFE_OFFSET(1)], '')`;
}

/**
 * Text reduced to ASCII letters (and digits when `keepDigits`): accents stripped, a few letters
 * NFD does not decompose transliterated, everything else dropped; NULL when nothing is left.
 * Fuzzy comparisons run on these values only, where both engines' edit distances agree.
 */
function asciiLetters(expr, keepDigits = false) {
  const stripped = dialect.isDuckDb()
    ? `strip_accents(LOWER(${expr}))`
    : `REGEXP_REPLACE(NORMALIZE(LOWER(${expr}), NFD), r'\\pM', '')`;
  // Letters NFD does not decompose, one for one (TRANSLATE is flat, where nested REPLACEs
  // would nest the analyzed expression too deep for the SQL check).
  const transliterated = `TRANSLATE(${stripped}, 'ßæøœłđðþı', 'saoolddti')`;
  const pattern = keepDigits ? "[^a-z0-9]" : "[^a-z]";
  return `NULLIF(${dialect.regexpReplaceAll(transliterated, pattern, "")}, '')`;
}

/** A person name for comparison: ASCII letters only ("Anne-Marie O'Neil" → "annemarieoneil"). */
function normalizeName(expr) {
  return asciiLetters(expr);
}

/** A postcode for comparison: ASCII letters and digits, no spaces ("SW1A 1AA" → "sw1a1aa"). */
function normalizePostcode(expr) {
  return asciiLetters(expr, true);
}

/**
 * A street line for comparison: ASCII letters and digits, without the street-type words people
 * write in full or short ("12 Main Street" and "12 main st." both → "12main").
 */
function normalizeStreet(expr) {
  const words =
    "street|str|strasse|st|road|rd|avenue|ave|drive|dr|lane|ln|place|pl|court|ct|boulevard|blvd|way|weg";
  return asciiLetters(dialect.regexpReplaceAll(`LOWER(${expr})`, `\\b(${words})\\b[.]?`, ""), true);
}

/** A generic identifier value: trimmed, NULL when blank or a placeholder. */
function normalizeValue(expr) {
  return `(CASE WHEN LOWER(TRIM(${expr})) IN (${sqlList(BLOCKED_VALUES)}) THEN NULL ELSE TRIM(${expr}) END)`;
}

/** A national id for comparison: ASCII letters and digits, lower-cased. */
function normalizeNationalId(expr) {
  return asciiLetters(normalizeValue(expr), true);
}

function regexpExtract(expr, pattern) {
  return dialect.isDuckDb()
    ? `NULLIF(regexp_extract(${expr}, '${pattern}', 1), '')`
    : `REGEXP_EXTRACT(${expr}, r'${pattern}')`;
}

/**
 * A date of birth as `YYYYMMDD` text, from `YYYYMMDD`, `YYYY-M-D` (also with `/` or `.`), or
 * `D.M.YYYY` / `D/M/YYYY` (day first unless the first number cannot be a day of a month and the
 * second can). NULL when it is none of these or not a calendar-plausible date (month 1–12, day
 * 1–31, year 1900–2099).
 */
function normalizeBirthDate(expr) {
  // A time part ("1980-03-12T00:00:00Z") is dropped.
  const text = dialect.regexpReplaceAll(`TRIM(${expr})`, "T.*$", "");
  const part = (pattern) => regexpExtract(text, pattern);
  const year = `COALESCE(${part("^([0-9]{4})[0-9]{4}$")}, ${part("^([0-9]{4})[-/.][0-9]{1,2}[-/.][0-9]{1,2}$")}, ${part("^[0-9]{1,2}[-/.][0-9]{1,2}[-/.]([0-9]{4})$")})`;
  const first = part("^([0-9]{1,2})[-/.][0-9]{1,2}[-/.][0-9]{4}$");
  const second = part("^[0-9]{1,2}[-/.]([0-9]{1,2})[-/.][0-9]{4}$");
  const dayFirst = `NOT (${dialect.safeCast(first, "INT64")} <= 12 AND ${dialect.safeCast(second, "INT64")} > 12)`;
  const month = `COALESCE(${part("^[0-9]{4}([0-9]{2})[0-9]{2}$")}, ${part("^[0-9]{4}[-/.]([0-9]{1,2})[-/.][0-9]{1,2}$")}, CASE WHEN ${dayFirst} THEN ${second} ELSE ${first} END)`;
  const day = `COALESCE(${part("^[0-9]{6}([0-9]{2})$")}, ${part("^[0-9]{4}[-/.][0-9]{1,2}[-/.]([0-9]{1,2})$")}, CASE WHEN ${dayFirst} THEN ${first} ELSE ${second} END)`;
  const y = dialect.safeCast(year, "INT64");
  const m = dialect.safeCast(month, "INT64");
  const d = dialect.safeCast(day, "INT64");
  return `(CASE WHEN ${y} BETWEEN 1900 AND 2099 AND ${m} BETWEEN 1 AND 12 AND ${d} BETWEEN 1 AND 31 THEN CONCAT(${year}, LPAD(${month}, 2, '0'), LPAD(${day}, 2, '0')) END)`;
}

/**
 * The normalized value of an identifier of any registered type, as int_identifiers__unioned
 * stores it. `parts` holds the columns computed once per row for phones.
 */
function normalizeByType(typeExpr, rawExpr, phoneE164Expr) {
  return `(CASE ${typeExpr}
      WHEN 'email' THEN ${normalizeEmail(rawExpr)}
      WHEN 'phone' THEN ${phoneE164Expr}
      WHEN 'national_id' THEN ${normalizeNationalId(rawExpr)}
      WHEN 'given_name' THEN ${normalizeName(rawExpr)}
      WHEN 'family_name' THEN ${normalizeName(rawExpr)}
      WHEN 'birth_date' THEN ${normalizeBirthDate(rawExpr)}
      WHEN 'street' THEN ${normalizeStreet(rawExpr)}
      WHEN 'postcode' THEN ${normalizePostcode(rawExpr)}
      WHEN 'city' THEN ${normalizeName(rawExpr)}
      WHEN 'region' THEN ${normalizeName(rawExpr)}
      WHEN 'country' THEN UPPER(${normalizeValue(rawExpr)})
      ELSE ${normalizeValue(rawExpr)}
    END)`;
}

/** Why a normalized key value may not identify anyone; NULL when it may. */
function blockedReason(typeExpr, valueExpr) {
  return `(CASE
      WHEN ${valueExpr} IS NULL THEN 'empty or not a valid value of its type'
      WHEN ${typeExpr} = 'email' AND NOT ${isUsableEmail(valueExpr)} THEN 'not an email or a placeholder address'
      WHEN LOWER(${valueExpr}) IN (${sqlList(BLOCKED_VALUES)}) THEN 'placeholder value'
    END)`;
}

/**
 * `SELECT <alias>.*, identifier FROM <from>` with one output row per entry of `rows` and input
 * row: `identifier.identifier_type`, `identifier.raw_value` (STRING) and `identifier.region`
 * (the ISO region phones are read in). DuckDB unnests a list of structs in the select list;
 * BigQuery cross-joins an array of structs.
 */
function identifierRows(from, alias, rows) {
  const text = (expr) => dialect.cast(expr, "STRING");
  if (dialect.isDuckDb()) {
    const structs = rows.map(
      (row) =>
        `{'identifier_type': '${row.type}', 'raw_value': ${text(row.value)}, 'region': ${text(row.region ?? "NULL")}}`,
    );
    return `SELECT ${alias}.*, UNNEST([${structs.join(", ")}]) AS identifier FROM ${from} AS ${alias}`;
  }
  const structs = rows.map(
    (row) =>
      `STRUCT('${row.type}' AS identifier_type, ${text(row.value)} AS raw_value, ${text(row.region ?? "NULL")} AS region)`,
  );
  return `SELECT ${alias}.*, identifier FROM ${from} AS ${alias} CROSS JOIN UNNEST([${structs.join(", ")}]) AS identifier`;
}

module.exports = {
  MATCHING_METHODS,
  matching,
  IDENTITY_SOURCES,
  GA4_USER_ID_TYPES,
  ga4UserIdType,
  identifierRows,
  IDENTIFIER_TYPES,
  KEY_TYPES,
  ACCOUNT_TYPES,
  BLOCKED_EMAILS,
  BLOCKED_VALUES,
  ROLE_LOCAL_PARTS,
  EMAIL_SHAPE,
  sqlList,
  keyTypeCase,
  normalizeEmail,
  isUsableEmail,
  isRoleEmail,
  emailLocalPart,
  emailDomain,
  asciiLetters,
  normalizeName,
  normalizePostcode,
  normalizeStreet,
  normalizeValue,
  normalizeNationalId,
  normalizeBirthDate,
  normalizeByType,
  blockedReason,
};
