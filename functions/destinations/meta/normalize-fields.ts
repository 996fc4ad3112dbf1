/**
 * Normalization of Meta's non-email, non-phone match keys (FN, LN, FI, F5FIRST, F5LAST, GEN, CT,
 * ST, ZIP, COUNTRY, DOBD, DOBM, DOBY). Every function receives an already-trimmed value that is
 * not empty and not already a hash, and answers the normalized string or `null` when the value
 * cannot be a valid key (Meta's SDKs throw or answer null there).
 */

const WHITESPACE = /\s+/gu;
const NOT_A_LETTER = /[^\p{L}]/gu;

/** FN / LN: lower-case, no whitespace. Punctuation is kept, as Meta's SDK tests pin it. */
export function normalizeName(value: string): string {
  return value.toLowerCase().replace(WHITESPACE, "");
}

/** F5FIRST / F5LAST: the first five characters (code points) of the normalized name. */
export function normalizeFirstFive(value: string): string {
  return [...normalizeName(value)].slice(0, 5).join("");
}

/** FI: the first character of the normalized first name. */
export function normalizeInitial(value: string): string {
  return [...normalizeName(value)].slice(0, 1).join("");
}

/** GEN: `m` or `f`; anything else is not a gender key Meta accepts. */
export function normalizeGender(value: string): string | null {
  const lower = value.toLowerCase();
  if (lower === "m" || lower === "male") return "m";
  if (lower === "f" || lower === "female") return "f";
  return null;
}

/** CT: letters only (Unicode letters kept, as Meta asks for UTF-8), lower-case. */
export function normalizeCity(value: string): string {
  return value.toLowerCase().replace(NOT_A_LETTER, "");
}

/** ZIP: lower-case, no spaces, and only the part before a dash (US ZIP+4 → ZIP). */
export function normalizeZip(value: string): string {
  return value.toLowerCase().replace(WHITESPACE, "").split("-")[0] ?? "";
}

/** ST: a US state's full name becomes its two-letter code; otherwise letters only. */
export function normalizeState(value: string): string {
  const letters = value.toLowerCase().replace(NOT_A_LETTER, "");
  return US_STATE_CODES.get(letters) ?? letters;
}

/**
 * COUNTRY: ISO 3166-1 alpha-2, lower-case. A two-letter value is taken as a code; an English
 * country name ("United States", "Germany") is mapped to its code; anything else is refused.
 */
export function normalizeCountry(value: string): string | null {
  const letters = value.toLowerCase().replace(NOT_A_LETTER, "");
  if (letters.length === 2) return letters;
  return countryCodesByName().get(letters) ?? null;
}

/** DOBD: day of month 1–31, two digits. */
export function normalizeBirthDay(value: string): string | null {
  return twoDigitsWithin(value, 31);
}

/** DOBM: month 1–12, two digits. */
export function normalizeBirthMonth(value: string): string | null {
  return twoDigitsWithin(value, 12);
}

/** DOBY: four digits. */
export function normalizeBirthYear(value: string): string | null {
  return /^\d{4}$/.test(value) ? value : null;
}

function twoDigitsWithin(value: string, max: number): string | null {
  if (!/^\d{1,2}$/.test(value)) return null;
  const n = Number(value);
  return n >= 1 && n <= max ? String(n).padStart(2, "0") : null;
}

let countryNames: Map<string, string> | undefined;

/**
 * English region names from the ICU data Node ships, so no country table is kept here. ICU also
 * names withdrawn codes (`UK`, `FX`, `SU`, `DD`, `YU`…) after today's country; only the code a
 * locale canonicalizes to is kept, so "France" is `fr`, never `fx`.
 */
function countryCodesByName(): Map<string, string> {
  if (countryNames) return countryNames;
  const names = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });
  const map = new Map<string, string>();
  const A = "A".charCodeAt(0);
  for (let i = 0; i < 26; i++) {
    for (let j = 0; j < 26; j++) {
      const code = String.fromCharCode(A + i, A + j);
      const name = names.of(code);
      if (!name || name === code || name === "Unknown Region") continue;
      if (Intl.getCanonicalLocales(`und-${code}`)[0] !== `und-${code}`) continue;
      map.set(name.toLowerCase().replace(NOT_A_LETTER, ""), code.toLowerCase());
    }
  }
  countryNames = map;
  return map;
}

const US_STATES: ReadonlyArray<readonly [string, string]> = [
  ["alabama", "al"],
  ["alaska", "ak"],
  ["arizona", "az"],
  ["arkansas", "ar"],
  ["california", "ca"],
  ["colorado", "co"],
  ["connecticut", "ct"],
  ["delaware", "de"],
  ["districtofcolumbia", "dc"],
  ["florida", "fl"],
  ["georgia", "ga"],
  ["hawaii", "hi"],
  ["idaho", "id"],
  ["illinois", "il"],
  ["indiana", "in"],
  ["iowa", "ia"],
  ["kansas", "ks"],
  ["kentucky", "ky"],
  ["louisiana", "la"],
  ["maine", "me"],
  ["maryland", "md"],
  ["massachusetts", "ma"],
  ["michigan", "mi"],
  ["minnesota", "mn"],
  ["mississippi", "ms"],
  ["missouri", "mo"],
  ["montana", "mt"],
  ["nebraska", "ne"],
  ["nevada", "nv"],
  ["newhampshire", "nh"],
  ["newjersey", "nj"],
  ["newmexico", "nm"],
  ["newyork", "ny"],
  ["northcarolina", "nc"],
  ["northdakota", "nd"],
  ["ohio", "oh"],
  ["oklahoma", "ok"],
  ["oregon", "or"],
  ["pennsylvania", "pa"],
  ["rhodeisland", "ri"],
  ["southcarolina", "sc"],
  ["southdakota", "sd"],
  ["tennessee", "tn"],
  ["texas", "tx"],
  ["utah", "ut"],
  ["vermont", "vt"],
  ["virginia", "va"],
  ["washington", "wa"],
  ["westvirginia", "wv"],
  ["wisconsin", "wi"],
  ["wyoming", "wy"],
];
const US_STATE_CODES = new Map(US_STATES);
