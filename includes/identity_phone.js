/**
 * Phone numbers to E.164 in SQL, the same on BigQuery and DuckDB.
 *
 * Why SQL and not libphonenumber at ingest: raw keeps the payload exactly as sent and staging is
 * SQL, so normalizing here keeps every model replayable from raw on both engines. The rules are
 * those of libphonenumber for writing a number in E.164 (country calling code + national
 * significant number): `+` or the `00` / NANP `011` international prefix, otherwise the number
 * is national in the record's country and loses its trunk prefix (`0`, `8` in RU/KZ/BY/LT, `06`
 * in HU, `1` in NANP) except in Italy, San Marino and the Vatican, which keep the leading zero.
 * test/unit/identity/phone-e164.test.ts checks the result against google-libphonenumber over
 * example numbers of every region in national, international and messy formats (docs/decisions.md).
 *
 * Calling codes per ISO 3166-1 region: generated from google-libphonenumber 3.2.47 metadata
 * (PhoneNumberUtil.getCountryCodeForRegion over getSupportedRegions()).
 */
const CALLING_CODES = [
  ["1", "AG AI AS BB BM BS CA DM DO GD GU JM KN KY LC MP MS PR SX TC TT US VC VG VI"],
  ["7", "KZ RU"],
  ["20", "EG"],
  ["27", "ZA"],
  ["30", "GR"],
  ["31", "NL"],
  ["32", "BE"],
  ["33", "FR"],
  ["34", "ES"],
  ["36", "HU"],
  ["39", "IT VA"],
  ["40", "RO"],
  ["41", "CH"],
  ["43", "AT"],
  ["44", "GB GG IM JE"],
  ["45", "DK"],
  ["46", "SE"],
  ["47", "NO SJ"],
  ["48", "PL"],
  ["49", "DE"],
  ["51", "PE"],
  ["52", "MX"],
  ["53", "CU"],
  ["54", "AR"],
  ["55", "BR"],
  ["56", "CL"],
  ["57", "CO"],
  ["58", "VE"],
  ["60", "MY"],
  ["61", "AU CC CX"],
  ["62", "ID"],
  ["63", "PH"],
  ["64", "NZ"],
  ["65", "SG"],
  ["66", "TH"],
  ["81", "JP"],
  ["82", "KR"],
  ["84", "VN"],
  ["86", "CN"],
  ["90", "TR"],
  ["91", "IN"],
  ["92", "PK"],
  ["93", "AF"],
  ["94", "LK"],
  ["95", "MM"],
  ["98", "IR"],
  ["211", "SS"],
  ["212", "EH MA"],
  ["213", "DZ"],
  ["216", "TN"],
  ["218", "LY"],
  ["220", "GM"],
  ["221", "SN"],
  ["222", "MR"],
  ["223", "ML"],
  ["224", "GN"],
  ["225", "CI"],
  ["226", "BF"],
  ["227", "NE"],
  ["228", "TG"],
  ["229", "BJ"],
  ["230", "MU"],
  ["231", "LR"],
  ["232", "SL"],
  ["233", "GH"],
  ["234", "NG"],
  ["235", "TD"],
  ["236", "CF"],
  ["237", "CM"],
  ["238", "CV"],
  ["239", "ST"],
  ["240", "GQ"],
  ["241", "GA"],
  ["242", "CG"],
  ["243", "CD"],
  ["244", "AO"],
  ["245", "GW"],
  ["246", "IO"],
  ["247", "AC"],
  ["248", "SC"],
  ["249", "SD"],
  ["250", "RW"],
  ["251", "ET"],
  ["252", "SO"],
  ["253", "DJ"],
  ["254", "KE"],
  ["255", "TZ"],
  ["256", "UG"],
  ["257", "BI"],
  ["258", "MZ"],
  ["260", "ZM"],
  ["261", "MG"],
  ["262", "RE YT"],
  ["263", "ZW"],
  ["264", "NA"],
  ["265", "MW"],
  ["266", "LS"],
  ["267", "BW"],
  ["268", "SZ"],
  ["269", "KM"],
  ["290", "SH TA"],
  ["291", "ER"],
  ["297", "AW"],
  ["298", "FO"],
  ["299", "GL"],
  ["350", "GI"],
  ["351", "PT"],
  ["352", "LU"],
  ["353", "IE"],
  ["354", "IS"],
  ["355", "AL"],
  ["356", "MT"],
  ["357", "CY"],
  ["358", "AX FI"],
  ["359", "BG"],
  ["370", "LT"],
  ["371", "LV"],
  ["372", "EE"],
  ["373", "MD"],
  ["374", "AM"],
  ["375", "BY"],
  ["376", "AD"],
  ["377", "MC"],
  ["378", "SM"],
  ["380", "UA"],
  ["381", "RS"],
  ["382", "ME"],
  ["383", "XK"],
  ["385", "HR"],
  ["386", "SI"],
  ["387", "BA"],
  ["389", "MK"],
  ["420", "CZ"],
  ["421", "SK"],
  ["423", "LI"],
  ["500", "FK"],
  ["501", "BZ"],
  ["502", "GT"],
  ["503", "SV"],
  ["504", "HN"],
  ["505", "NI"],
  ["506", "CR"],
  ["507", "PA"],
  ["508", "PM"],
  ["509", "HT"],
  ["590", "BL GP MF"],
  ["591", "BO"],
  ["592", "GY"],
  ["593", "EC"],
  ["594", "GF"],
  ["595", "PY"],
  ["596", "MQ"],
  ["597", "SR"],
  ["598", "UY"],
  ["599", "BQ CW"],
  ["670", "TL"],
  ["672", "NF"],
  ["673", "BN"],
  ["674", "NR"],
  ["675", "PG"],
  ["676", "TO"],
  ["677", "SB"],
  ["678", "VU"],
  ["679", "FJ"],
  ["680", "PW"],
  ["681", "WF"],
  ["682", "CK"],
  ["683", "NU"],
  ["685", "WS"],
  ["686", "KI"],
  ["687", "NC"],
  ["688", "TV"],
  ["689", "PF"],
  ["690", "TK"],
  ["691", "FM"],
  ["692", "MH"],
  ["850", "KP"],
  ["852", "HK"],
  ["853", "MO"],
  ["855", "KH"],
  ["856", "LA"],
  ["880", "BD"],
  ["886", "TW"],
  ["960", "MV"],
  ["961", "LB"],
  ["962", "JO"],
  ["963", "SY"],
  ["964", "IQ"],
  ["965", "KW"],
  ["966", "SA"],
  ["967", "YE"],
  ["968", "OM"],
  ["970", "PS"],
  ["971", "AE"],
  ["972", "IL"],
  ["973", "BH"],
  ["974", "QA"],
  ["975", "BT"],
  ["976", "MN"],
  ["977", "NP"],
  ["992", "TJ"],
  ["993", "TM"],
  ["994", "AZ"],
  ["995", "GE"],
  ["996", "KG"],
  ["998", "UZ"],
];

/** NANP: national numbers are 10 digits, the trunk prefix is 1 (same as the calling code). */
const NANP = CALLING_CODES[0][1].split(" ");
const KEEP_LEADING_ZERO = ["IT", "SM", "VA"];
const TRUNK_EIGHT = ["RU", "KZ", "BY", "LT"];

function regionList(regions) {
  return regions.map((r) => `'${r}'`).join(", ");
}

/** `CASE region WHEN 'DE' THEN '49' … END` for an upper-case ISO region expression. */
function callingCode(regionExpr) {
  const whens = CALLING_CODES.map(
    ([code, regions]) => `WHEN ${regionExpr} IN (${regionList(regions.split(" "))}) THEN '${code}'`,
  );
  return `(CASE ${whens.join(" ")} END)`;
}

/** Digits of a phone as typed, without an extension or the "(0)" written after a country code. */
function phoneDigits(rawExpr) {
  const cleaned = `REPLACE(${dialect.regexpReplaceAll(`LOWER(${rawExpr})`, "(ext|x|#).*$", "")}, '(0)', '')`;
  return `NULLIF(${dialect.regexpReplaceAll(cleaned, "[^0-9]", "")}, '')`;
}

/** TRUE when the phone as typed starts with `+` (the digits already hold the country code). */
function phoneIsInternational(rawExpr) {
  return `COALESCE(${dialect.regexpContains(`TRIM(${rawExpr})`, "^[+]")}, FALSE)`;
}

/**
 * Country calling code + national significant number (digits, no `+`), from the digits and the
 * `+` flag above and the ISO region of the record (billing or shipping country) for national
 * numbers. Column names in, so callers compute the digits once per row (a CTE).
 */
function e164Digits(digits, international, regionExpr) {
  const region = `UPPER(TRIM(${regionExpr}))`;
  const cc = callingCode(region);
  return `(CASE
      WHEN ${digits} IS NULL THEN NULL
      WHEN ${international} THEN ${digits}
      WHEN STARTS_WITH(${digits}, '00') THEN SUBSTR(${digits}, 3)
      WHEN ${region} IN (${regionList(NANP)}) THEN CASE
        WHEN STARTS_WITH(${digits}, '011') THEN SUBSTR(${digits}, 4)
        WHEN LENGTH(${digits}) = 11 AND STARTS_WITH(${digits}, '1') THEN ${digits}
        WHEN LENGTH(${digits}) = 10 THEN CONCAT('1', ${digits})
      END
      WHEN ${cc} IS NULL THEN NULL
      WHEN ${region} IN (${regionList(KEEP_LEADING_ZERO)}) THEN CONCAT(${cc}, ${digits})
      WHEN ${region} IN (${regionList(TRUNK_EIGHT)}) AND STARTS_WITH(${digits}, '8') THEN CONCAT(${cc}, SUBSTR(${digits}, 2))
      WHEN ${region} = 'HU' AND STARTS_WITH(${digits}, '06') THEN CONCAT(${cc}, SUBSTR(${digits}, 3))
      WHEN STARTS_WITH(${digits}, '0') THEN CONCAT(${cc}, SUBSTR(${digits}, 2))
      WHEN STARTS_WITH(${digits}, ${cc}) AND LENGTH(${digits}) >= 11 THEN ${digits}
      ELSE CONCAT(${cc}, ${digits})
    END)`;
}

/**
 * `+<digits>` from e164Digits' output (a column), or NULL when it cannot be a real number: fewer
 * than 8 or more than 15 digits, or a placeholder (the last seven digits all the same, or a run
 * such as 1234567 or 7654321).
 */
function e164(e164DigitsColumn) {
  const n = e164DigitsColumn;
  const runs = [
    "0123456",
    "1234567",
    "2345678",
    "3456789",
    "9876543",
    "8765432",
    "7654321",
    "6543210",
  ];
  return `(CASE WHEN LENGTH(${n}) BETWEEN 8 AND 15 AND REPLACE(RIGHT(${n}, 7), RIGHT(${n}, 1), '') <> '' AND RIGHT(${n}, 7) NOT IN (${runs.map((r) => `'${r}'`).join(", ")}) THEN CONCAT('+', ${n}) END)`;
}

module.exports = {
  CALLING_CODES,
  callingCode,
  phoneDigits,
  phoneIsInternational,
  e164Digits,
  e164,
};
