import { describe, expect, it } from "vitest";
import { metaPhoneKey, sha256Hex } from "../../../../functions/destinations/meta/normalize.js";

describe("Meta's PHONE key", () => {
  it("keeps the country code of an international number and drops the plus", () => {
    expect(metaPhoneKey("+44 20 7183 8750")).toBe(sha256Hex("442071838750"));
  });

  it("reads a national number in the row's region instead of stripping its trunk zero", () => {
    expect(metaPhoneKey("020 7183 8750", "GB")).toBe(sha256Hex("442071838750"));
    expect(metaPhoneKey("06 12 34 56 78", "FR")).toBe(sha256Hex("33612345678"));
  });

  it("sends nothing for a national number without a region (it would match nobody)", () => {
    expect(metaPhoneKey("020 7183 8750")).toBeNull();
    expect(metaPhoneKey("020 7183 8750")).not.toBe(sha256Hex("2071838750"));
  });

  it("refuses text that is no phone number", () => {
    expect(metaPhoneKey("call me")).toBeNull();
    expect(metaPhoneKey("")).toBeNull();
  });
});
