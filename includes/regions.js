/**
 * Sales regions: the country of a contact, company or deal mapped to the region sales plans by.
 * Default mapping below; override with the workflow var `sales_regions` (JSON object region →
 * list of ISO 3166-1 alpha-2 codes). Countries no region names go to "Other". CRM country fields
 * are free text: common English names and the codes are both understood (`countryCode`).
 */
const DEFAULT_REGIONS = {
  DACH: ["DE", "AT", "CH", "LI"],
  Benelux: ["BE", "NL", "LU"],
  Nordics: ["DK", "SE", "NO", "FI", "IS"],
  "UK & Ireland": ["GB", "IE"],
  France: ["FR", "MC"],
  "Southern Europe": ["ES", "IT", "PT", "GR", "MT", "CY"],
  "Central & Eastern Europe": ["PL", "CZ", "SK", "HU", "RO", "BG", "SI", "HR", "EE", "LV", "LT"],
  "North America": ["US", "CA"],
};

/** English names a CRM may hold instead of the code. */
const NAMES = {
  germany: "DE",
  austria: "AT",
  switzerland: "CH",
  belgium: "BE",
  netherlands: "NL",
  "the netherlands": "NL",
  luxembourg: "LU",
  denmark: "DK",
  sweden: "SE",
  norway: "NO",
  finland: "FI",
  iceland: "IS",
  "united kingdom": "GB",
  uk: "GB",
  "great britain": "GB",
  ireland: "IE",
  france: "FR",
  spain: "ES",
  italy: "IT",
  portugal: "PT",
  greece: "GR",
  poland: "PL",
  czechia: "CZ",
  "czech republic": "CZ",
  hungary: "HU",
  romania: "RO",
  "united states": "US",
  usa: "US",
  "united states of america": "US",
  canada: "CA",
};

function regions() {
  const raw = (dataform.projectConfig.vars || {}).sales_regions;
  if (!raw) return DEFAULT_REGIONS;
  const parsed = JSON.parse(raw);
  for (const [region, codes] of Object.entries(parsed)) {
    if (!/^[A-Za-z0-9 &/-]{1,40}$/.test(region))
      throw new Error(`sales_regions: bad region name "${region}"`);
    if (!Array.isArray(codes) || !codes.every((c) => /^[A-Z]{2}$/.test(c))) {
      throw new Error(`sales_regions: "${region}" must list ISO 3166-1 alpha-2 codes`);
    }
  }
  return parsed;
}

const quote = (text) => `'${String(text).replaceAll("'", "''")}'`;

/** ISO alpha-2 code (upper case) from a code or an English country name; NULL when unknown. */
function countryCode(expr) {
  const names = Object.entries(NAMES)
    .map(([name, code]) => `WHEN ${quote(name)} THEN ${quote(code)}`)
    .join(" ");
  const cleaned = `LOWER(TRIM(${expr}))`;
  return `(CASE WHEN LENGTH(TRIM(${expr})) = 2 THEN UPPER(TRIM(${expr})) ELSE CASE ${cleaned} ${names} END END)`;
}

/** The region of an ISO alpha-2 code expression ("Other" when none names it, "Unknown" when NULL). */
function regionOf(codeExpr) {
  const whens = Object.entries(regions())
    .map(
      ([region, codes]) =>
        `WHEN ${codeExpr} IN (${codes.map(quote).join(", ")}) THEN ${quote(region)}`,
    )
    .join(" ");
  return `(CASE WHEN ${codeExpr} IS NULL THEN 'Unknown' ${whens} ELSE 'Other' END)`;
}

module.exports = { DEFAULT_REGIONS, regions, countryCode, regionOf };
