import libphonenumber from "google-libphonenumber";

/**
 * Phone numbers in E.164 (`+442071838750`), the form Google matches on and the one Meta's
 * digits-only key is cut from. Parsing is Google's libphonenumber (google-libphonenumber), so a
 * national number (`020 7183 8750`) becomes international only with a region: the row's country
 * or the sync's `defaultRegion`. Without one it is not guessed: a national number with its
 * trunk zero stripped (`2071838750`, what Meta's SDKs would hash) matches nobody.
 */

const util = libphonenumber.PhoneNumberUtil.getInstance();
const E164 = libphonenumber.PhoneNumberFormat.E164;
/** Already E.164: a `+`, a non-zero digit, at most 15 digits in all (ITU-T E.164). */
const E164_SHAPE = /^\+[1-9]\d{6,14}$/;

/**
 * `input` in E.164, or `null` when it is no valid number. In order: a value already in E.164
 * (what the identity models write) is taken as is; `+…` and `00…` are international; a number
 * valid in `region` is read as national there; otherwise the digits are read as country code
 * plus number (`441134960987`, Google's formatter's reading).
 */
export function toE164(input: string | null | undefined, region?: string | null): string | null {
  if (input === null || input === undefined) return null;
  const trimmed = input.trim();
  if (E164_SHAPE.test(trimmed)) return trimmed;
  const digits = trimmed.replace(/\D/g, "");
  if (digits === "") return null;
  if (trimmed.startsWith("+")) return parsed(`+${digits}`, "ZZ");
  if (trimmed.startsWith("00")) return parsed(`+${digits.slice(2)}`, "ZZ");
  const regional = region ? parsed(trimmed, region.toUpperCase()) : null;
  return regional ?? parsed(`+${digits}`, "ZZ");
}

function parsed(value: string, region: string): string | null {
  try {
    const number = util.parse(value, region);
    return util.isValidNumber(number) ? util.format(number, E164) : null;
  } catch {
    return null;
  }
}
