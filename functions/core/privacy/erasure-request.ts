import { randomBytes } from "node:crypto";
import { z } from "zod";
import { IdentifierKindSchema, identifierKey } from "./identifiers.js";
import { saltedKey } from "./salted-key.js";

/**
 * An erasure request, as `unistack erase` builds it and as it arrives on the `privacy-requests`
 * topic (JSON). It names the person by any identifiers and contact ids; the handler turns them
 * into salted keys at once, and nothing after that keeps them in clear.
 */
export const ErasureIdSchema = z
  .string()
  .regex(/^er_[A-Za-z0-9_-]{6,80}$/, "an erasure id is er_…");

export const ErasureRequestSchema = z
  .object({
    kind: z.literal("erase"),
    erasureId: ErasureIdSchema.optional(),
    /** Who asked: `cli`, `pubsub`, `shopify customers/redact`… (no personal data). */
    origin: z.string().min(1).max(80).default("api"),
    emails: z.array(z.string().min(1).max(320)).max(100).default([]),
    phones: z.array(z.string().min(1).max(64)).max(100).default([]),
    contactIds: z.array(z.string().min(1).max(128)).max(100).default([]),
    identifiers: z
      .array(z.object({ kind: IdentifierKindSchema, value: z.string().min(1).max(320) }))
      .max(1000)
      .default([]),
    /** Read every raw object, not only those the raw tables point at. */
    deep: z.boolean().default(false),
    /**
     * Erase again everyone on the suppression list (after a restore of raw tables or of lake
     * objects from a backup): their keys are all it needs.
     */
    reapply: z.boolean().default(false),
  })
  .refine(
    (r) =>
      r.reapply ||
      r.emails.length + r.phones.length + r.contactIds.length + r.identifiers.length > 0,
    "name the person: emails, phones, contactIds or identifiers (or reapply the suppression list)",
  );
export type ErasureRequest = z.output<typeof ErasureRequestSchema>;
export type ErasureRequestInput = z.input<typeof ErasureRequestSchema>;

export function parseErasureRequest(input: unknown): ErasureRequest {
  const parsed = ErasureRequestSchema.safeParse(input);
  if (!parsed.success) {
    // Paths and rules only: the request's values are personal data.
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "request"}: ${i.message}`);
    throw new Error(`invalid erasure request: ${issues.join("; ")}`);
  }
  return parsed.data;
}

/** The salted keys of every usable identifier the request names. */
export function requestKeys(
  salt: string,
  request: Pick<ErasureRequest, "emails" | "phones" | "identifiers">,
): string[] {
  const identifiers = [
    ...request.emails.map((v) => identifierKey("email", v)),
    ...request.phones.map((v) => identifierKey("phone", v)),
    ...request.identifiers.map((i) => identifierKey(i.kind, i.value)),
  ];
  return [...new Set(identifiers.flatMap((i) => (i ? [saltedKey(salt, i)] : [])))];
}

/** `er_20261201T101500Z_3f9a1c2b`: sortable, unique. */
export function newErasureId(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `er_${stamp}_${randomBytes(4).toString("hex")}`;
}
