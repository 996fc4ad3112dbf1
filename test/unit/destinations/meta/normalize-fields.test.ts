import { describe, expect, it } from "vitest";
import { normalizeField } from "../../../../functions/destinations/meta/normalize.js";

/**
 * Meta's rules for the other match keys, at the edges the SDK vectors leave open: every US state
 * as people write it, both spellings of a gender, dates that are not whole numbers, country names
 * of more than one word.
 */

/** The 50 states and DC as an address form writes them, with their USPS codes. */
const US_STATES: ReadonlyArray<readonly [string, string]> = [
  ["Alabama", "al"],
  ["Alaska", "ak"],
  ["Arizona", "az"],
  ["Arkansas", "ar"],
  ["California", "ca"],
  ["Colorado", "co"],
  ["Connecticut", "ct"],
  ["Delaware", "de"],
  ["District of Columbia", "dc"],
  ["Florida", "fl"],
  ["Georgia", "ga"],
  ["Hawaii", "hi"],
  ["Idaho", "id"],
  ["Illinois", "il"],
  ["Indiana", "in"],
  ["Iowa", "ia"],
  ["Kansas", "ks"],
  ["Kentucky", "ky"],
  ["Louisiana", "la"],
  ["Maine", "me"],
  ["Maryland", "md"],
  ["Massachusetts", "ma"],
  ["Michigan", "mi"],
  ["Minnesota", "mn"],
  ["Mississippi", "ms"],
  ["Missouri", "mo"],
  ["Montana", "mt"],
  ["Nebraska", "ne"],
  ["Nevada", "nv"],
  ["New Hampshire", "nh"],
  ["New Jersey", "nj"],
  ["New Mexico", "nm"],
  ["New York", "ny"],
  ["North Carolina", "nc"],
  ["North Dakota", "nd"],
  ["Ohio", "oh"],
  ["Oklahoma", "ok"],
  ["Oregon", "or"],
  ["Pennsylvania", "pa"],
  ["Rhode Island", "ri"],
  ["South Carolina", "sc"],
  ["South Dakota", "sd"],
  ["Tennessee", "tn"],
  ["Texas", "tx"],
  ["Utah", "ut"],
  ["Vermont", "vt"],
  ["Virginia", "va"],
  ["Washington", "wa"],
  ["West Virginia", "wv"],
  ["Wisconsin", "wi"],
  ["Wyoming", "wy"],
];

describe("ST (state)", () => {
  it("maps every US state and DC, as written on an address form, to its USPS code", () => {
    const mapped = US_STATES.map(([name]) => normalizeField("st", name));
    expect(mapped).toEqual(US_STATES.map(([, code]) => code));
  });

  it("keeps the letters of a region that is not a US state", () => {
    expect(normalizeField("st", "Île-de-France")).toBe("îledefrance");
  });
});

describe("GEN (gender)", () => {
  it("takes m/male and f/female in any case, and nothing else", () => {
    expect(["m", "M", "male", "Male"].map((v) => normalizeField("ge", v))).toEqual([
      "m",
      "m",
      "m",
      "m",
    ]);
    expect(["f", "F", "female", "FEMALE"].map((v) => normalizeField("ge", v))).toEqual([
      "f",
      "f",
      "f",
      "f",
    ]);
    expect(normalizeField("ge", "x")).toBeNull();
  });
});

describe("DOBD / DOBM / DOBY (date of birth)", () => {
  it("writes a day or month as two digits within its range", () => {
    expect(normalizeField("dobd", "7")).toBe("07");
    expect(normalizeField("dobd", "31")).toBe("31");
    expect(normalizeField("dobm", "12")).toBe("12");
    expect(normalizeField("dobd", "32")).toBeNull();
    expect(normalizeField("dobm", "13")).toBeNull();
    expect(normalizeField("dobd", "0")).toBeNull();
  });

  it("refuses a day or month that is not a plain whole number", () => {
    for (const value of ["1.5", "+1", "1e1", "x1", "1x", "012"]) {
      expect([value, normalizeField("dobd", value)]).toEqual([value, null]);
      expect([value, normalizeField("dobm", value)]).toEqual([value, null]);
    }
  });

  it("takes a year of exactly four digits", () => {
    expect(normalizeField("doby", "1984")).toBe("1984");
    expect(normalizeField("doby", "84")).toBeNull();
    expect(normalizeField("doby", "19845")).toBeNull();
    expect(normalizeField("doby", "x1984")).toBeNull();
  });
});

describe("COUNTRY", () => {
  // One test: the name table is built once per process, on first use, so every assertion that
  // depends on how it is built must run in the test that builds it (docs/testing.md).
  it("maps English country names to their current codes and refuses names that are not countries", () => {
    expect(normalizeField("country", "United States")).toBe("us");
    expect(normalizeField("country", "Côte d’Ivoire")).toBe("ci");
    expect(normalizeField("country", "Congo - Kinshasa")).toBe("cd");
    expect(normalizeField("country", "Germany")).toBe("de");
    // ICU also names withdrawn codes (UK, FX, SU, YU, DY, TP, HV) after today's countries.
    const names = ["United Kingdom", "France", "Russia", "Serbia", "Benin", "Timor-Leste"];
    expect(names.map((n) => normalizeField("country", n))).toEqual([
      "gb",
      "fr",
      "ru",
      "rs",
      "bj",
      "tl",
    ]);
    expect(normalizeField("country", "Burkina Faso")).toBe("bf");
    expect(normalizeField("country", "Unknown Region")).toBeNull();
    expect(normalizeField("country", "Atlantis")).toBeNull();
  });
});

describe("FN / LN / FI / F5FIRST / CT / ZIP", () => {
  it("removes every whitespace character from a name and keeps one initial", () => {
    expect(normalizeField("fn", "Mary \t Ann")).toBe("maryann");
    expect(normalizeField("fi", "Élodie")).toBe("é");
    expect(normalizeField("f5first", "Maximilian")).toBe("maxim");
  });

  it("keeps a city's letters only and a ZIP's part before the dash", () => {
    expect(normalizeField("ct", "St. Louis 2")).toBe("stlouis");
    expect(normalizeField("zp", "94025-1234")).toBe("94025");
    expect(normalizeField("zp", "SW1A 1AA")).toBe("sw1a1aa");
  });
});
