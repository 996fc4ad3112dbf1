import { normalizeEmail } from "./meta/normalize.js";

/**
 * An email sent in clear (email tool, CRM): trimmed, lower-cased and well-formed, or `null`. A
 * value that is already a digest is no address to write to a contact.
 */
export function plainEmail(value: string | null | undefined): string | null {
  const email = normalizeEmail(value);
  return email?.includes("@") ? email : null;
}
