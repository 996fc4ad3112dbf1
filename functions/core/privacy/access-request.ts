import { z } from "zod";
import { IdentifierKindSchema } from "./identifiers.js";

/**
 * An access request (GDPR art. 15): `unistack export`, a `{"kind":"export"}` message on the
 * privacy topic, or a vendor's data request (Shopify customers/data_request). Named like an
 * erasure request; nothing is removed.
 */
export const AccessRequestSchema = z
  .object({
    kind: z.literal("export"),
    requestId: z
      .string()
      .regex(/^ar_[A-Za-z0-9_-]{6,80}$/, "an access request id is ar_…")
      .optional(),
    origin: z.string().min(1).max(80).default("api"),
    emails: z.array(z.string().min(1).max(320)).max(100).default([]),
    phones: z.array(z.string().min(1).max(64)).max(100).default([]),
    contactIds: z.array(z.string().min(1).max(128)).max(100).default([]),
    identifiers: z
      .array(z.object({ kind: IdentifierKindSchema, value: z.string().min(1).max(320) }))
      .max(1000)
      .default([]),
  })
  .refine(
    (r) => r.emails.length + r.phones.length + r.contactIds.length + r.identifiers.length > 0,
    "name the person: emails, phones, contactIds or identifiers",
  );
export type AccessRequest = z.output<typeof AccessRequestSchema>;

export function parseAccessRequest(input: unknown): AccessRequest {
  const parsed = AccessRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "request"}: ${i.message}`);
    throw new Error(`invalid access request: ${issues.join("; ")}`);
  }
  return parsed.data;
}
