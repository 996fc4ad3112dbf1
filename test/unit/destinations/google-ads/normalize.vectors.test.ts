import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  encodeBytes,
  formatEmail,
  formatFamilyName,
  formatGivenName,
  formatPhone,
  formatPostalCode,
  formatRegionCode,
  hashValue,
} from "../../../../functions/destinations/google-ads/normalize.js";
import { vectorFile } from "../../../vectors-dir.js";

/**
 * Every vector of Google's Data Manager formatters (Node, Python, Java utilities). Gmail
 * addresses: the formatters drop dots and `+suffix`; Unistack sends them as given unless a sync
 * sets `gmailCanonicalization` (docs/destinations.md). Both behaviours are checked on every email
 * vector: the SDK's expected value with the option on, and the address only trimmed and
 * lower-cased with it off.
 */
const Formatted = z.object({ input: z.string(), expected_formatted: z.string() });
const Other = Formatted.extend({
  kind: z.enum(["given_name", "family_name", "region_code", "postal_code"]),
});
const File = z.object({
  vector_count: z.number(),
  format_email: z.array(Formatted),
  format_phone: z.array(Formatted),
  format_other: z.array(Other),
  process_hashed: z.array(
    z.object({
      kind: z.enum(["email", "phone", "given_name", "family_name"]),
      input: z.string(),
      encoding: z.enum(["HEX", "BASE64"]),
      expected: z.string(),
    }),
  ),
  hash_string: z.array(z.object({ input: z.string(), sha256_hex: z.string() })),
  encoding: z.array(z.object({ bytes_utf8: z.string(), hex: z.string(), base64: z.string() })),
  error_cases: z.array(
    z.object({
      kind: z.enum([
        "email",
        "phone",
        "given_name",
        "family_name",
        "region_code",
        "postal_code",
        "hash_string",
      ]),
      input: z.string().nullable(),
      expected: z.literal("throws"),
    }),
  ),
});
const file = File.parse(
  JSON.parse(readFileSync(vectorFile("google-customer-match-normalization.json"), "utf8")),
);

const OTHER = {
  given_name: formatGivenName,
  family_name: formatFamilyName,
  region_code: formatRegionCode,
  postal_code: formatPostalCode,
} as const;
const FORMAT = {
  email: (v: string | null) => formatEmail(v, { gmailCanonicalization: true }),
  phone: (v: string | null) => formatPhone(v),
  ...OTHER,
  hash_string: (v: string | null) => hashValue(v),
} as const;
const GMAIL = /@(gmail|googlemail)\.com$/;

describe("Google Customer Match formatting: every vector of Google's formatters", () => {
  it("checks all 101 vectors", () => {
    const n =
      file.format_email.length +
      file.format_phone.length +
      file.format_other.length +
      file.process_hashed.length +
      file.hash_string.length +
      file.encoding.length +
      file.error_cases.length;
    expect(n).toBe(file.vector_count);
  });

  it.each(file.format_email)(
    "formats the email $input as the SDKs do, with gmail canonicalization",
    (v) => {
      expect(formatEmail(v.input, { gmailCanonicalization: true })).toBe(v.expected_formatted);
    },
  );

  it.each(file.format_email)(
    "by default sends $input only trimmed and lower-cased (refused when malformed)",
    (v) => {
      const plain = v.input.trim().toLowerCase();
      // `j.e.f..ferson@gmail.com`: consecutive dots are no address until canonicalization drops them.
      expect(formatEmail(v.input)).toBe(plain.includes("..") ? null : plain);
      if (!GMAIL.test(plain)) expect(plain).toBe(v.expected_formatted);
    },
  );

  it.each(file.format_phone)("formats the phone $input to E.164", (v) => {
    expect(formatPhone(v.input)).toBe(v.expected_formatted);
  });

  it.each(file.format_other)("formats the $kind $input", (v) => {
    expect(OTHER[v.kind](v.input)).toBe(v.expected_formatted);
  });

  it.each(file.process_hashed)("hashes the $kind $input as $encoding", (v) => {
    const formatted =
      v.kind === "email"
        ? formatEmail(v.input)
        : v.kind === "phone"
          ? formatPhone(v.input)
          : OTHER[v.kind](v.input);
    expect(hashValue(formatted, v.encoding === "HEX" ? "hex" : "base64")).toBe(v.expected);
  });

  it.each(file.hash_string)("hashes $input to SHA-256 hex", (v) => {
    expect(hashValue(v.input)).toBe(v.sha256_hex);
  });

  it.each(file.encoding)("encodes the bytes of $bytes_utf8 as hex and base64", (v) => {
    const bytes = new TextEncoder().encode(v.bytes_utf8);
    expect(encodeBytes(bytes, "hex")).toBe(v.hex);
    expect(encodeBytes(bytes, "base64")).toBe(v.base64);
  });

  it.each(file.error_cases)("refuses the $kind $input, on which the SDKs throw", (v) => {
    expect(FORMAT[v.kind](v.input)).toBeNull();
  });
});

describe("Google Customer Match formatting: beyond the vectors", () => {
  it("removes whitespace inside an email too, as the formatting guide says", () => {
    expect(formatEmail(" Ann Smith@Example.COM ")).toBe("annsmith@example.com");
  });

  it("reads a national number in the row's region, and refuses it without one", () => {
    expect(formatPhone("020 7183 8750", "GB")).toBe("+442071838750");
    expect(formatPhone("020 7183 8750")).toBeNull();
  });

  it("refuses an email that gmail canonicalization would leave empty", () => {
    expect(formatEmail("+tag@gmail.com", { gmailCanonicalization: true })).toBeNull();
    expect(formatEmail("a..b@example.com")).toBeNull();
  });
});
