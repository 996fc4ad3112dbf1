import { hash } from "node:crypto";
import { toE164 } from "../phone.js";
import {
  normalizeBirthDay,
  normalizeBirthMonth,
  normalizeBirthYear,
  normalizeCity,
  normalizeCountry,
  normalizeFirstFive,
  normalizeGender,
  normalizeInitial,
  normalizeName,
  normalizeState,
  normalizeZip,
} from "./normalize-fields.js";

/**
 * Meta's normalization and SHA-256 hashing of customer-file match keys, checked against the
 * vectors from Meta's own SDKs (shared/vectors/meta-normalization.json). Field names are the
 * SDKs' short names; Custom Audience schema keys are in parentheses.
 */
export const META_FIELDS = [
  "em", // EMAIL
  "ph", // PHONE
  "fn", // FN
  "ln", // LN
  "fi", // FI
  "f5first", // F5FIRST
  "f5last", // F5LAST
  "ge", // GEN
  "ct", // CT
  "st", // ST
  "zp", // ZIP
  "country", // COUNTRY
  "dobd", // DOBD
  "dobm", // DOBM
  "doby", // DOBY
] as const;
export type MetaField = (typeof META_FIELDS)[number];

/**
 * Which of Meta's email rules to apply. Meta's SDKs disagree on invalid addresses:
 * - `meta` (default; what Unistack sends): Meta's current normalizer (capi-param-builder, which
 *   the Node business SDK delegates to): trim, lower-case, and refuse an address that is not
 *   well-formed rather than repair it.
 * - `php-sdk`: the PHP business SDK first drops every character PHP's FILTER_SANITIZE_EMAIL
 *   drops (`foo"@bar.com` becomes `foo@bar.com`), then validates.
 * - `python-sdk`: the Python business SDK accepts anything shaped like `x@y.z`.
 */
export type EmailRules = "meta" | "php-sdk" | "python-sdk";

export interface NormalizeOptions {
  readonly emailRules?: EmailRules;
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;
const MD5_HEX = /^[0-9a-f]{32}$/i;
const LOWER_SHA256_HEX = /^[0-9a-f]{64}$/;

/** Lower-case hex SHA-256 of the UTF-8 bytes of `value`. */
export function sha256Hex(value: string): string {
  return hash("sha256", value, "hex");
}

/** True for a value that is already a SHA-256 or MD5 hex digest: Meta's SDKs never re-hash it. */
export function looksHashed(value: string): boolean {
  return SHA256_HEX.test(value) || MD5_HEX.test(value);
}

/** True for what Meta accepts under `EMAIL_SHA256` / `PHONE_SHA256`: 64 lower-case hex digits. */
export function isSha256Hex(value: string): boolean {
  return LOWER_SHA256_HEX.test(value);
}

const ATOM = "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+";
const LABEL = "[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?";
const WELL_FORMED_EMAIL = new RegExp(`^${ATOM}(?:\\.${ATOM})*@(?:${LABEL}\\.)+\\p{L}{2,}$`, "u");
const PHP_SANITIZE_EMAIL = /[^a-z0-9!#$%&'*+\-=?^_`{|}~@.[\]]/g;
const LOOSE_EMAIL = /^.+@.+\..+$/;

/**
 * EMAIL: trimmed and lower-cased; `null` when the value is not an email address (or nothing).
 * A value that already is a SHA-256/MD5 digest is returned as given.
 */
export function normalizeEmail(
  input: string | null | undefined,
  rules: EmailRules = "meta",
): string | null {
  if (input === null || input === undefined) return null;
  const trimmed = input.trim();
  if (looksHashed(trimmed)) return trimmed;
  const lower = trimmed.toLowerCase();
  if (rules === "python-sdk") return LOOSE_EMAIL.test(lower) ? lower : null;
  const candidate = rules === "php-sdk" ? lower.replace(PHP_SANITIZE_EMAIL, "") : lower;
  const at = candidate.lastIndexOf("@");
  if (at > 64 || candidate.length > 254) return null;
  return WELL_FORMED_EMAIL.test(candidate) ? candidate : null;
}

/**
 * PHONE: digits only, country code included, no leading zeros (`+44 20 7183 8750` →
 * `442071838750`). Answers `""` when no digit is left. A SHA-256 digest is returned as given.
 */
export function normalizePhone(input: string | null | undefined): string | null {
  if (input === null || input === undefined) return null;
  const trimmed = input.trim();
  if (SHA256_HEX.test(trimmed)) return trimmed;
  return trimmed.replace(/\D/g, "").replace(/^0+/, "");
}

/**
 * Normalizes one match key the way Meta specifies. `null` means "no usable value": the input
 * was null, or it cannot be a valid key of this field. An empty input gives `""`, except for
 * EMAIL, whose empty value is invalid.
 */
export function normalizeField(
  field: MetaField,
  input: string | null | undefined,
  options: NormalizeOptions = {},
): string | null {
  if (field === "em") return normalizeEmail(input, options.emailRules);
  if (field === "ph") return normalizePhone(input);
  if (input === null || input === undefined) return null;
  const value = input.trim();
  if (value === "") return "";
  if (looksHashed(value)) return value;
  switch (field) {
    case "fn":
    case "ln":
      return normalizeName(value);
    case "fi":
      return normalizeInitial(value);
    case "f5first":
    case "f5last":
      return normalizeFirstFive(value);
    case "ge":
      return normalizeGender(value);
    case "ct":
      return normalizeCity(value);
    case "st":
      return normalizeState(value);
    case "zp":
      return normalizeZip(value);
    case "country":
      return normalizeCountry(value);
    case "dobd":
      return normalizeBirthDay(value);
    case "dobm":
      return normalizeBirthMonth(value);
    case "doby":
      return normalizeBirthYear(value);
  }
}

/**
 * Normalizes and hashes one match key: lower-case hex SHA-256 of the normalized value, the
 * digest itself (lower-cased) when the input already is one, `null` when there is nothing to
 * send.
 */
export function normalizeAndHash(
  field: MetaField,
  input: string | null | undefined,
  options: NormalizeOptions = {},
): string | null {
  if (input === null || input === undefined) return null;
  const trimmed = input.trim();
  if (looksHashed(trimmed)) return trimmed.toLowerCase();
  const normalized = normalizeField(field, trimmed, options);
  return normalized === null || normalized === "" ? null : sha256Hex(normalized);
}

/**
 * The EMAIL_SHA256 key of a contact for a Custom Audience: the SHA-256 of the normalized
 * address, or `null` when the address is unusable (invalid, or an MD5 digest Meta would refuse).
 */
export function customAudienceEmailKey(email: string | null | undefined): string | null {
  const key = normalizeAndHash("em", email);
  return key !== null && isSha256Hex(key) ? key : null;
}

/**
 * The PHONE key Meta matches on: the number in E.164 (national numbers read in `region`, the
 * row's country or the sync's default), then Meta's digits-only form (`+44 20 7183 8750` and
 * `020 7183 8750` in GB both → `442071838750`). `null` when the number is not valid there:
 * Meta's SDK normalizer alone would hash `2071838750` (trunk zero stripped, no country code),
 * which matches nobody.
 */
export function metaPhoneKey(
  input: string | null | undefined,
  region?: string | null,
): string | null {
  const e164 = toE164(input, region);
  const digits = e164 === null ? null : normalizePhone(e164);
  return digits ? sha256Hex(digits) : null;
}
