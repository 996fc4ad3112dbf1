/**
 * Survivorship of the golden record (marts.dim_contacts): each attribute is chosen on its own,
 * among the values every record of the contact carries (int_identifiers__unioned), by
 * 1. source priority (SOURCE_PRIORITY: the first record kind listed wins),
 * 2. for emails, a personal address before a role or shared mailbox (info@, sales@...),
 * 3. recency (the record seen last wins),
 * 4. the value itself (so ties are deterministic).
 * Blocked keys (placeholders, invalid values) and placeholder attributes (n/a, -, test...) never
 * win. The winner's source and its record's time are kept as lineage columns.
 */

/**
 * Record kinds (`<source>:<entity>`, as in record keys), most trusted first: the CRM contact is
 * curated by people who talk to the person; the shop account is typed by the person; an order
 * is typed at checkout (also for someone else: a gift's billing name); a webinar registration
 * is a form; email events and web users carry only keys. Kinds not listed come last.
 */
const SOURCE_PRIORITY = [
  "hubspot:contact",
  "shopify:customer",
  "shopify:order",
  "zoom:registration",
  "zoom:attendance",
  "sendgrid:email_event",
  "ga4:user",
];

/**
 * The golden attributes: the dim_contacts column, the identifier type it is chosen from, and
 * the value shown (normalized for keys, as typed for names and postcodes, the ISO code for
 * countries).
 */
const GOLDEN_ATTRIBUTES = [
  { column: "email", type: "email", value: "identifier_value" },
  { column: "phone", type: "phone", value: "identifier_value" },
  { column: "first_name", type: "given_name", value: "TRIM(raw_value)" },
  { column: "last_name", type: "family_name", value: "TRIM(raw_value)" },
  { column: "country_code", type: "country", value: "identifier_value", iso2: true },
  { column: "zip", type: "postcode", value: "TRIM(raw_value)" },
  { column: "company", type: "company", value: "TRIM(raw_value)" },
];

/** Rank of a record kind in SOURCE_PRIORITY (1 = first); kinds not listed rank last. */
function sourceRank(kindExpr) {
  const whens = SOURCE_PRIORITY.map((kind, i) => `WHEN '${kind}' THEN ${i + 1}`);
  return `(CASE ${kindExpr} ${whens.join(" ")} ELSE ${SOURCE_PRIORITY.length + 1} END)`;
}

/**
 * One row per (contact, attribute): the surviving value with `value_source` (record kind) and
 * `value_seen_at`. `unioned` and `recordContacts` are the refs of int_identifiers__unioned and
 * int_identity__record_contacts.
 */
function survivorsSql(unioned, recordContacts) {
  const valueCase = `(CASE identifiers.identifier_type ${GOLDEN_ATTRIBUTES.map(
    (a) =>
      `WHEN '${a.type}' THEN ${a.value.replaceAll("raw_value", "identifiers.raw_value").replaceAll("identifier_value", "identifiers.identifier_value")}`,
  ).join(" ")} END)`;
  const iso2 = GOLDEN_ATTRIBUTES.filter((a) => a.iso2).map((a) => `'${a.type}'`);
  return `
  SELECT
    record_contacts.contact_id,
    identifiers.identifier_type,
    ${valueCase} AS value,
    CONCAT(identifiers.source, ':', identifiers.source_entity) AS value_source,
    identifiers.seen_at AS value_seen_at
  FROM ${unioned} AS identifiers
  INNER JOIN ${recordContacts} AS record_contacts ON record_contacts.record_key = identifiers.record_key
  WHERE identifiers.identifier_type IN (${identity.sqlList(GOLDEN_ATTRIBUTES.map((a) => a.type))})
    AND NOT identifiers.is_blocked
    AND ${identity.normalizeValue("identifiers.raw_value")} IS NOT NULL
    AND ${valueCase} IS NOT NULL
    AND (identifiers.identifier_type NOT IN (${iso2.join(", ")}) OR ${dialect.regexpContains("identifiers.identifier_value", "^[A-Z]{2}$")})
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY record_contacts.contact_id, identifiers.identifier_type
    ORDER BY
      ${sourceRank("CONCAT(identifiers.source, ':', identifiers.source_entity)")},
      CASE WHEN identifiers.is_role_address THEN 1 ELSE 0 END,
      identifiers.seen_at DESC,
      ${valueCase}
  ) = 1`;
}

/** `MAX(CASE ...)` columns pivoting survivorsSql's rows: value, _source, _updated_at. */
function goldenColumns(alias) {
  return GOLDEN_ATTRIBUTES.flatMap((a) => [
    `MAX(CASE WHEN ${alias}.identifier_type = '${a.type}' THEN ${alias}.value END) AS ${a.column}`,
    `MAX(CASE WHEN ${alias}.identifier_type = '${a.type}' THEN ${alias}.value_source END) AS ${a.column}_source`,
    `MAX(CASE WHEN ${alias}.identifier_type = '${a.type}' THEN ${alias}.value_seen_at END) AS ${a.column}_updated_at`,
  ]).join(",\n    ");
}

module.exports = {
  SOURCE_PRIORITY,
  GOLDEN_ATTRIBUTES,
  sourceRank,
  survivorsSql,
  goldenColumns,
};
