import { hash } from "node:crypto";
import { toE164 } from "../phone.js";

/**
 * Customer Match user data the way the Data Manager API wants it
 * (developers.google.com/data-manager/api/devguides/concepts/formatting), checked against the
 * vectors of Google's own formatters (test/fixtures/vectors/google-customer-match-normalization.json).
 * Every function answers the formatted value or `null` where Google's formatters throw.
 *
 * Gmail: the formatting guide (and the SDK formatters) drop dots and `+suffix` from gmail.com /
 * googlemail.com local parts; the Customer Match guide does not. We send addresses as given
 * unless a sync turns `gmailCanonicalization` on (docs/destinations.md).
 */

export interface GoogleEmailRules {
  /** Drop dots and `+suffix` in gmail.com / googlemail.com local parts (Data Manager SDK formatters). */
  readonly gmailCanonicalization?: boolean;
}

const ATOM = "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+";
const LABEL = "[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?";
const WELL_FORMED_EMAIL = new RegExp(`^${ATOM}(?:\\.${ATOM})*@(?:${LABEL}\\.)+\\p{L}{2,}$`, "u");
const GMAIL_DOMAINS = new Set(["gmail.com", "googlemail.com"]);

/** email_address: whitespace removed (also inside), lower-cased; `null` when not an address. */
export function formatEmail(
  input: string | null | undefined,
  rules: GoogleEmailRules = {},
): string | null {
  if (input === null || input === undefined) return null;
  const value = input.replace(/\s+/gu, "").toLowerCase();
  const at = value.lastIndexOf("@");
  if (at <= 0 || at === value.length - 1) return null;
  let local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (rules.gmailCanonicalization && GMAIL_DOMAINS.has(domain)) {
    local = (local.split("+")[0] ?? "").replace(/\./g, "");
    if (local === "") return null;
  }
  const email = `${local}@${domain}`;
  if (local.length > 64 || email.length > 254) return null;
  return WELL_FORMED_EMAIL.test(email) ? email : null;
}

/** phone_number: E.164 with `+` (national numbers only with a region: see `toE164`). */
export function formatPhone(
  input: string | null | undefined,
  region?: string | null,
): string | null {
  return toE164(input, region);
}

const NAME_PREFIX = /^(?:mr|mrs|ms|dr)\.(?:\s|$)/;
const NAME_SUFFIX =
  /(?:,\s*|\s+)(?:jr\.?|sr\.?|2nd|3rd|ii|iii|iv|v|vi|cpa|dc|dds|vm|jd|md|phd)\s?$/;

/** given_name: trimmed, lower-cased, without a leading Mr./Mrs./Ms./Dr. */
export function formatGivenName(input: string | null | undefined): string | null {
  const value = input?.trim().toLowerCase();
  if (!value) return null;
  const name = value.replace(NAME_PREFIX, "").trim();
  return name === "" ? null : name;
}

/** family_name: trimmed, lower-cased, without trailing suffixes (Jr., Sr., DDS, PhD…). */
export function formatFamilyName(input: string | null | undefined): string | null {
  let name = input?.trim().toLowerCase();
  if (!name) return null;
  while (NAME_SUFFIX.test(name)) name = name.replace(NAME_SUFFIX, "");
  return name === "" ? null : name;
}

/** region_code: two letters A–Z, upper-case (sent in clear). */
export function formatRegionCode(input: string | null | undefined): string | null {
  const value = input?.trim().toUpperCase();
  return value && /^[A-Z]{2}$/.test(value) ? value : null;
}

/** postal_code: trimmed, otherwise as given (sent in clear). */
export function formatPostalCode(input: string | null | undefined): string | null {
  const value = input?.trim();
  return value ? value : null;
}

export type Encoding = "hex" | "base64";

/** SHA-256 of the UTF-8 bytes, hex (lower-case) or base64; `null` for a blank string. */
export function hashValue(
  value: string | null | undefined,
  encoding: Encoding = "hex",
): string | null {
  if (value === null || value === undefined || value.trim() === "") return null;
  return hash("sha256", value, encoding);
}

/** The request's `encoding`: how hashed bytes are written (HEX or BASE64). */
export function encodeBytes(bytes: Uint8Array, encoding: Encoding): string {
  return Buffer.from(bytes).toString(encoding);
}
