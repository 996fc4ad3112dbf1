/**
 * The probabilistic matching model (Fellegi–Sunter): blocking rules, comparisons with levels,
 * and each level's match weight log2(m/u). A pair of person profiles that shares no key is a
 * match when the sum of its weights reaches THRESHOLD. Weights and threshold are estimated and
 * chosen on the labelled generator (bench/identity-accuracy.bench.ts; docs/benchmarks.md,
 * docs/decisions.md): m = share of true pairs at the level, u = share of random pairs at it.
 *
 * Exact agreement on a given or family name is weighted by how common the name is among the
 * profiles (term frequency, as Splink does): two "Smith"s agree less than two "Vanterpool"s.
 */

/**
 * Sum of weights from which two profiles are the same person (default; the workflow var
 * identity_match_threshold overrides it, which bench/identity-accuracy.bench.ts uses to sweep).
 */
const THRESHOLD = 30;

/** The threshold this compilation uses: vars.identity_match_threshold, else THRESHOLD. */
function threshold() {
  const value = dataform.projectConfig.vars?.identity_match_threshold;
  if (value === undefined || value === "") return THRESHOLD;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) {
    throw new Error(`vars.identity_match_threshold must be a number; got "${value}"`);
  }
  return parsed;
}

/** Blocking: candidate pairs share one of these keys (columns of int_identity__profiles). */
const BLOCKING_KEYS = [
  ["family_name", "given_initial"],
  ["given_name", "family_initial"],
  ["birth_date", "family_initial"],
  ["birth_date", "given_initial"],
  ["postcode", "given_initial"],
  ["postcode", "family_initial"],
  ["street", "postcode"],
  ["email_local"],
  ["phone_tail"],
  ["national_id"],
];

/** Blocks larger than this are skipped (a key that common does not single anyone out). */
const MAX_BLOCK_SIZE = 300;

function dist(left, right) {
  return dialect.editDistance(left, right);
}

/** SQL `CASE` giving a level's weight; `levels` are [condition, weight], first match wins. */
function levels(leftCol, rightCol, list, elseWeight) {
  const whens = list.map(([condition, weight]) => `WHEN ${condition} THEN ${weight}`).join(" ");
  return `(CASE WHEN ${leftCol} IS NULL OR ${rightCol} IS NULL THEN 0 ${whens} ELSE ${elseWeight} END)`;
}

/** Weight of exact agreement on a name of relative frequency `freq` (0–1), bounded. */
function tfWeight(freq, m, low, high) {
  return `LEAST(${high}, GREATEST(${low}, LN(${m} / GREATEST(${freq}, 0.000001)) / LN(2)))`;
}

/**
 * Comparisons of two profiles `l` and `r` (aliases of int_identity__profiles rows, the right
 * names already swapped into line when the left has first and last name the other way round):
 * name → SQL weight expression.
 */
function comparisons() {
  return {
    given_name: levels(
      "l.given_name",
      "r_given_name",
      [
        ["l.given_name = r_given_name", tfWeight("l.given_name_freq", 0.88, 2.5, 12)],
        ["nickname.name_a IS NOT NULL", 5],
        [`${dist("l.given_name", "r_given_name")} <= 1`, 4],
        [`LENGTH(l.given_name) >= 5 AND ${dist("l.given_name", "r_given_name")} <= 2`, 2],
        ["STARTS_WITH(l.given_name, r_given_name) OR STARTS_WITH(r_given_name, l.given_name)", 1.5],
      ],
      -10,
    ),
    family_name: levels(
      "l.family_name",
      "r_family_name",
      [
        ["l.family_name = r_family_name", tfWeight("l.family_name_freq", 0.9, 3, 13)],
        [`${dist("l.family_name", "r_family_name")} <= 1`, 5.5],
        [`LENGTH(l.family_name) >= 5 AND ${dist("l.family_name", "r_family_name")} <= 2`, 2.5],
      ],
      -5,
    ),
    birth_date: levels(
      "l.birth_date",
      "r.birth_date",
      [
        ["l.birth_date = r.birth_date", 11],
        [
          `l.birth_date = CONCAT(SUBSTR(r.birth_date, 1, 4), SUBSTR(r.birth_date, 7, 2), SUBSTR(r.birth_date, 5, 2)) OR ${dist("l.birth_date", "r.birth_date")} <= 1 OR ${adjacentSwap("l.birth_date", "r.birth_date", 8)}`,
          5.5,
        ],
      ],
      -9,
    ),
    postcode: levels(
      "l.postcode",
      "r.postcode",
      [
        ["l.postcode = r.postcode", 7.5],
        [`${dist("l.postcode", "r.postcode")} <= 1`, 3],
      ],
      -2.5,
    ),
    city: levels(
      "l.city",
      "r.city",
      [
        ["l.city = r.city", 4.5],
        [`${dist("l.city", "r.city")} <= 2`, 2],
      ],
      -2,
    ),
    street: levels(
      "l.street",
      "r.street",
      [
        ["l.street = r.street", 10],
        [`${dist("l.street", "r.street")} <= 2`, 6],
        [`${dist("l.street", "r.street")} <= 4`, 2],
      ],
      -2,
    ),
    region: levels("l.region", "r.region", [["l.region = r.region", 0.5]], -1.5),
    email_local: levels(
      "l.email_local",
      "r.email_local",
      [
        // The same address on both sides: a key link already, or a shared address (no evidence).
        ["l.email_local = r.email_local AND l.email_domain = r.email_domain", 0],
        ["l.email_local = r.email_local", 9],
        [`LENGTH(l.email_local) >= 6 AND ${dist("l.email_local", "r.email_local")} <= 2`, 5],
      ],
      -0.5,
    ),
    phone: levels(
      "l.phone_tail",
      "r.phone_tail",
      [
        ["l.phone_tail = r.phone_tail", 8],
        [`${dist("l.phone_tail", "r.phone_tail")} <= 1`, 6],
      ],
      -1,
    ),
    national_id: levels(
      "l.national_id",
      "r.national_id",
      [
        ["l.national_id = r.national_id", 16],
        [`${dist("l.national_id", "r.national_id")} <= 2`, 8],
      ],
      -10,
    ),
  };
}

/** TRUE when two strings of `length` characters differ by one swap of neighbouring characters. */
function adjacentSwap(left, right, length) {
  const swaps = [];
  for (let i = 1; i < length; i++) {
    const swapped = `CONCAT(SUBSTR(${right}, 1, ${i - 1}), SUBSTR(${right}, ${i + 1}, 1), SUBSTR(${right}, ${i}, 1), SUBSTR(${right}, ${i + 2}))`;
    swaps.push(`${left} = ${swapped}`);
  }
  return `(${swaps.join(" OR ")})`;
}

/** TRUE when two YYYYMMDD dates cannot be typing slips of one date (day/month swap, one digit, one swap). */
function datesConflict(left, right) {
  return `(${left} <> ${right} AND ${left} <> CONCAT(SUBSTR(${right}, 1, 4), SUBSTR(${right}, 7, 2), SUBSTR(${right}, 5, 2)) AND ${dist(left, right)} > 1 AND NOT ${adjacentSwap(left, right, 8)})`;
}

/**
 * TRUE when two normalized given names cannot be one person's: not equal, not a nickname pair
 * (`nicknameMatched`), more than two edits apart and neither a prefix of the other.
 */
function givenNamesConflict(left, right, nicknameMatched) {
  return `(${left} <> ${right} AND NOT ${nicknameMatched} AND ${dist(left, right)} > 2 AND NOT STARTS_WITH(${left}, ${right}) AND NOT STARTS_WITH(${right}, ${left}))`;
}

/**
 * Weight a profile would get when compared with an exact copy of itself: its evidence. A profile
 * below THRESHOLD (a first name and a city, say) cannot identify anyone, so it links nothing.
 */
function selfWeight() {
  const present = (col, weight) => `CASE WHEN ${col} IS NOT NULL THEN ${weight} ELSE 0 END`;
  return `(${[
    present("given_name", tfWeight("given_name_freq", 0.88, 2.5, 12)),
    present("family_name", tfWeight("family_name_freq", 0.9, 3, 13)),
    present("birth_date", 11),
    present("postcode", 7.5),
    present("city", 4.5),
    present("street", 10),
    present("region", 0.5),
    present("email_local", 9),
    present("phone_tail", 8),
    present("national_id", 16),
  ].join(" + ")})`;
}

module.exports = {
  THRESHOLD,
  threshold,
  BLOCKING_KEYS,
  MAX_BLOCK_SIZE,
  comparisons,
  selfWeight,
  adjacentSwap,
  datesConflict,
  givenNamesConflict,
};
