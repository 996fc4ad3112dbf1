import { describe, expect, it } from "vitest";
import {
  customAudienceEmailKey,
  isSha256Hex,
  looksHashed,
  normalizeAndHash,
  normalizeEmail,
  normalizeField,
  normalizePhone,
  sha256Hex,
} from "../../../../functions/destinations/meta/normalize.js";

/**
 * The edges of Meta's match-key rules that the SDK vectors do not pin: address length limits
 * (RFC 5321: 64 octets before the @, 254 in all), what counts as already hashed, and which
 * rule set applies when none is named.
 */

const local = (n: number) => "a".repeat(n);
/** An address of exactly `n` characters with a short local part. */
const addressOfLength = (n: number) => {
  const domain = `${"d".repeat(n - "ann@".length - ".com".length)}.com`;
  return `ann@${domain}`;
};

describe("email length limits", () => {
  it("accepts a local part of 64 characters and refuses 65", () => {
    expect(normalizeEmail(`${local(64)}@example.com`)).toBe(`${local(64)}@example.com`);
    expect(normalizeEmail(`${local(65)}@example.com`)).toBeNull();
    expect(customAudienceEmailKey(`${local(65)}@example.com`)).toBeNull();
  });

  it("accepts an address of 254 characters and refuses 255", () => {
    expect(addressOfLength(254)).toHaveLength(254);
    expect(normalizeEmail(addressOfLength(254))).toBe(addressOfLength(254));
    expect(normalizeEmail(addressOfLength(255))).toBeNull();
  });

  it("measures the limits after trimming, so padding does not refuse a valid address", () => {
    expect(normalizeEmail(`   ${addressOfLength(254)}   `)).toBe(addressOfLength(254));
  });

  it("applies the limits under every rule set", () => {
    expect(normalizeEmail(`${local(65)}@example.com`, "php-sdk")).toBeNull();
    expect(normalizeEmail(addressOfLength(255), "php-sdk")).toBeNull();
  });
});

describe("email rule sets", () => {
  it("uses Meta's current rules when none is named: a quote is refused, not repaired", () => {
    expect(normalizeEmail('ann"@example.com')).toBeNull();
    expect(normalizeEmail('ann"@example.com', "meta")).toBeNull();
    expect(normalizeEmail('ann"@example.com', "php-sdk")).toBe("ann@example.com");
  });

  it("accepts anything shaped like x@y.z under the Python SDK's rules, lower-cased", () => {
    expect(normalizeEmail(' "Ann"@Example.COM ', "python-sdk")).toBe('"ann"@example.com');
    expect(normalizeEmail("ann@example", "python-sdk")).toBeNull();
  });

  it("refuses, under the Python SDK's rules, an address with a line break before or after it", () => {
    expect(normalizeEmail("bcc\nann@example.com", "python-sdk")).toBeNull();
    expect(normalizeEmail("ann@example.com\nbcc", "python-sdk")).toBeNull();
  });

  it("refuses an address whose domain has no letters-only top-level label", () => {
    expect(normalizeEmail("ann@example.c")).toBeNull();
    expect(normalizeEmail("ann@example.123")).toBeNull();
    expect(normalizeEmail("ann@-example.com")).toBeNull();
    expect(normalizeEmail("ann@example-.com")).toBeNull();
    expect(normalizeEmail("ann..lee@example.com")).toBeNull();
    expect(normalizeEmail(".ann@example.com")).toBeNull();
    expect(normalizeEmail("ann@sub.example.co")).toBe("ann@sub.example.co");
  });
});

describe("values that are already hashed", () => {
  const sha = sha256Hex("ann@example.com");
  const md5 = "d41d8cd98f00b204e9800998ecf8427e";

  it("recognises exactly 64 or 32 hex digits, in either case, and nothing longer or shorter", () => {
    expect(looksHashed(sha)).toBe(true);
    expect(looksHashed(sha.toUpperCase())).toBe(true);
    expect(looksHashed(md5)).toBe(true);
    expect(looksHashed(`${sha}0`)).toBe(false);
    expect(looksHashed(`x${sha}`)).toBe(false);
    expect(looksHashed(sha.slice(1))).toBe(false);
    expect(looksHashed(`${md5}0`)).toBe(false);
    expect(looksHashed(`x${md5}`)).toBe(false);
    expect(looksHashed(sha.replace(/[a-f]/, "g"))).toBe(false);
  });

  it("sends only lower-case 64-hex digests as EMAIL_SHA256", () => {
    expect(isSha256Hex(sha)).toBe(true);
    expect(isSha256Hex(sha.toUpperCase())).toBe(false);
    expect(isSha256Hex(`${sha}0`)).toBe(false);
    expect(isSha256Hex(`x${sha}`)).toBe(false);
  });

  it("passes a digest through any field without hashing it again", () => {
    expect(normalizeEmail(` ${sha} `)).toBe(sha);
    expect(normalizeField("fn", ` ${md5.toUpperCase()} `)).toBe(md5.toUpperCase());
    expect(normalizeAndHash("ln", ` ${sha.toUpperCase()} `)).toBe(sha);
    expect(normalizePhone(` ${sha} `)).toBe(sha);
  });
});

describe("empty and missing values", () => {
  it("gives null for a missing value of any field and nothing to send for an empty one", () => {
    expect(normalizeField("fn", null)).toBeNull();
    expect(normalizeField("fn", undefined)).toBeNull();
    expect(normalizeField("fn", "   ")).toBe("");
    expect(normalizeField("em", "   ")).toBeNull();
    expect(normalizeField("em", null)).toBeNull();
    expect(normalizeEmail(null)).toBeNull();
    expect(normalizeEmail(undefined)).toBeNull();
    expect(normalizeAndHash("em", undefined)).toBeNull();
    expect(customAudienceEmailKey(undefined)).toBeNull();
    expect(normalizePhone(null)).toBeNull();
    expect(normalizePhone(undefined)).toBeNull();
    expect(normalizePhone("  ")).toBe("");
    expect(normalizeAndHash("fn", "   ")).toBeNull();
    expect(normalizeAndHash("fn", null)).toBeNull();
    expect(normalizeAndHash("ph", "ext.")).toBeNull();
  });

  it("hashes the normalized value of a field", () => {
    expect(normalizeAndHash("fn", "  Mary Ann ")).toBe(sha256Hex("maryann"));
    expect(normalizeAndHash("ph", "+44 20 7183 8750")).toBe(sha256Hex("442071838750"));
  });

  it("applies the named email rules when hashing", () => {
    expect(normalizeAndHash("em", 'ann"@example.com', { emailRules: "php-sdk" })).toBe(
      sha256Hex("ann@example.com"),
    );
    expect(normalizeAndHash("em", 'ann"@example.com')).toBeNull();
  });
});
