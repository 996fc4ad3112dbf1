import { z } from "zod";

/**
 * Identifiers of a person, as erasure, suppression and access requests match them. A kind is
 * named like the identity graph's key types (includes/identity.js): `email`, `phone`,
 * `<vendor>_<entity>_id`. A normalized identifier is written `<kind>:<value>`, which is also the
 * identity graph's node key, so the same string names a person everywhere.
 */

export const IdentifierKindSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, "an identifier kind is lower-case letters, digits and _");
export type IdentifierKind = z.infer<typeof IdentifierKindSchema>;

export interface Identifier {
  readonly kind: IdentifierKind;
  /** Normalized value (see `normalizeIdentifier`). */
  readonly value: string;
}

/**
 * Whitespace as the SQL models remove it (RE2 `\s` and `\p{Z}`, includes/identity.js): JavaScript's
 * `\s` would also remove `\v` and U+FEFF, and the keys must be equal on both sides.
 */
const EMAIL_SPACE = /[\t\n\f\r \p{Z}]/gu;

/**
 * The value as every layer compares it, or `undefined` when nothing usable is left:
 * - email: every whitespace character removed, lower-cased (the identity models' rule);
 * - phone: digits only, an international `00` prefix dropped (`+49 151 …` and `0049151…` are
 *   `49151…`; a national number such as `0151…` stays as written: it names no country);
 * - anything else (vendor ids): the text of the value, trimmed.
 */
export function normalizeIdentifier(kind: IdentifierKind, raw: unknown): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "bigint") {
    return undefined;
  }
  const text = String(raw);
  let value: string;
  if (kind === "email") value = text.replace(EMAIL_SPACE, "").toLowerCase();
  else if (kind === "phone") value = text.replace(/[^0-9]/g, "").replace(/^00/, "");
  else value = text.trim();
  return value === "" ? undefined : value;
}

/** `<kind>:<normalized value>`, or `undefined` when the value is not usable. */
export function identifierKey(kind: IdentifierKind, raw: unknown): string | undefined {
  const value = normalizeIdentifier(kind, raw);
  return value === undefined ? undefined : `${kind}:${value}`;
}

/** An identity graph node key (`email:a@b.c`) as an identifier, normalized again. */
export function parseNodeKey(nodeKey: string): string | undefined {
  const colon = nodeKey.indexOf(":");
  if (colon <= 0) return undefined;
  const kind = nodeKey.slice(0, colon);
  if (!IdentifierKindSchema.safeParse(kind).success) return undefined;
  return identifierKey(kind, nodeKey.slice(colon + 1));
}

/**
 * Email-shaped runs in any text (a quarantined payload, a JSON field nobody declared): found so a
 * record that names a person outside its declared paths is still recognised. Deliberately wide;
 * a candidate only matters when its key is on the list being looked for.
 */
const EMAIL_IN_TEXT = /[^\s"'<>(),;:[\]{}\\]+@[^\s"'<>(),;:[\]{}\\]+\.[^\s"'<>(),;:[\]{}\\]+/gu;

export function emailKeysIn(text: string): string[] {
  const keys = new Set<string>();
  for (const match of text.matchAll(EMAIL_IN_TEXT)) {
    const key = identifierKey("email", match[0]);
    if (key) keys.add(key);
  }
  return [...keys];
}
