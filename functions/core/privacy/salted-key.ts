import { createHash } from "node:crypto";
import { z } from "zod";

/**
 * Suppression keys: SHA-256 of `<salt>:<kind>:<value>` in lower-case hex. The salt is a secret
 * (Secret Manager `privacy-suppression-salt` in the cloud, a file beside the local state), so the
 * list alone identifies nobody: an unsalted SHA-256 of an email is exactly what ad platforms
 * receive, and anyone holding a list of emails could test each against it. The same key is
 * computed in SQL (`saltedKeySql`), which is why it is a salted hash and not an HMAC: BigQuery
 * has SHA256 but no HMAC.
 */

export const SaltSchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "the privacy salt is 64 lower-case hex characters (32 random bytes)");

export function saltedKey(salt: string, identifier: string): string {
  return createHash("sha256").update(`${salt}:${identifier}`).digest("hex");
}

/** A short, one-way tag of the salt: tells whether two parties use the same one. */
export function saltFingerprint(salt: string): string {
  return createHash("sha256").update(`fingerprint:${salt}`).digest("hex").slice(0, 16);
}
