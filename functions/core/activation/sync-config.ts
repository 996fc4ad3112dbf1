import { z } from "zod";

/**
 * A sync: which segment goes to which destination audience, and which consent purposes a
 * contact must have granted to be sent. Consent is never assumed: at least one purpose is
 * required, and a contact without every required purpose is not a member.
 */

export const CONSENT_PURPOSES = ["email_marketing", "ad_user_data", "ad_personalization"] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** Dataset and table names go into SQL as identifiers (they cannot be parameters): keep them plain. */
const SqlIdentifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,1023}$/, "use letters, digits and underscores only");

export const SyncConfigSchema = z.object({
  /** Stable id; part of object keys and of every ops row (`meta_recent_purchasers`). */
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "use lower-case letters, digits, _ and -"),
  segment: z.object({ dataset: SqlIdentifier, table: SqlIdentifier }),
  destination: z.literal("meta"),
  /** Add and remove members of an audience (the only mode audiences have). */
  mode: z.literal("membership").default("membership"),
  /** Meta Custom Audience id (numeric). */
  audienceId: z.string().regex(/^\d+$/, "a Meta audience id is numeric"),
  requiredConsent: z
    .array(z.enum(CONSENT_PURPOSES))
    .min(1, "name at least one consent purpose, e.g. ad_user_data")
    .transform((purposes) => [...new Set(purposes)]),
  /** Rows per batch (one request to Meta); Meta takes at most 10,000. */
  batchSize: z.number().int().min(1).max(10_000).default(10_000),
});
export type SyncConfigInput = z.input<typeof SyncConfigSchema>;
export type SyncConfig = z.output<typeof SyncConfigSchema>;

export function parseSyncConfig(input: unknown): SyncConfig {
  const parsed = SyncConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "sync"}: ${i.message}`);
    throw new Error(`invalid sync configuration: ${issues.join("; ")}`);
  }
  return parsed.data;
}
