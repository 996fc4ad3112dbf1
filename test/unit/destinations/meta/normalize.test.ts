import { describe, expect, it } from "vitest";
import {
  customAudienceEmailKey,
  normalizeEmail,
  normalizeField,
  normalizePhone,
  sha256Hex,
} from "../../../../functions/destinations/meta/normalize.js";

describe("the EMAIL_SHA256 key Unistack sends", () => {
  it("is the SHA-256 of the trimmed, lower-cased address", () => {
    expect(customAudienceEmailKey("  Ann.Lee+shop@Example.COM \t")).toBe(
      sha256Hex("ann.lee+shop@example.com"),
    );
  });

  it("is refused for a malformed address instead of repairing it", () => {
    expect(customAudienceEmailKey('ann"@example.com')).toBeNull();
    expect(customAudienceEmailKey("ann@example")).toBeNull();
    expect(customAudienceEmailKey("")).toBeNull();
    expect(customAudienceEmailKey(null)).toBeNull();
  });

  it("passes a SHA-256 digest through, lower-cased, but refuses an MD5 digest Meta cannot match", () => {
    const digest = sha256Hex("ann@example.com");
    expect(customAudienceEmailKey(digest.toUpperCase())).toBe(digest);
    expect(customAudienceEmailKey("D41D8CD98F00B204E9800998ECF8427E")).toBeNull();
  });

  it("keeps non-ASCII letters, as Meta hashes UTF-8", () => {
    expect(normalizeEmail(" Jörg@Müller.DE ")).toBe("jörg@müller.de");
  });
});

describe("other Meta keys", () => {
  it("writes a phone as digits with the country code and no leading zeros", () => {
    expect(normalizePhone("+44 (20) 7183-8750")).toBe("442071838750");
    expect(normalizePhone("0049 30 1234567")).toBe("49301234567");
  });

  it("maps English country names and US state names to codes", () => {
    expect(normalizeField("country", "Germany")).toBe("de");
    expect(normalizeField("country", "Atlantis")).toBeNull();
    expect(normalizeField("st", "North Carolina")).toBe("nc");
  });
});
