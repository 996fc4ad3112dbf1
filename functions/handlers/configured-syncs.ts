import { z } from "zod";
import type { SyncConfigInput } from "../core/activation/sync-config.js";

/** The audience syncs a deployment runs, from its environment (docs/destinations.md). */
export const SyncEnvSchema = z.object({
  META_AUDIENCE_ID: z
    .string()
    .regex(/^\d+$/, "set META_AUDIENCE_ID to the numeric Custom Audience id"),
});

/** Recent purchasers → a Meta Custom Audience, gated on ad_user_data consent. */
export function recentPurchasersToMeta(audienceId: string): SyncConfigInput {
  return {
    id: "meta_recent_purchasers",
    segment: { dataset: "marts", table: "seg_recent_purchasers" },
    destination: "meta",
    audienceId,
    requiredConsent: ["ad_user_data"],
  };
}

export function configuredSyncs(
  env: Readonly<Record<string, string | undefined>>,
): SyncConfigInput[] {
  const parsed = SyncEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `sync configuration is invalid: ${parsed.error.issues.map((i) => i.message).join("; ")}`,
    );
  }
  return [recentPurchasersToMeta(parsed.data.META_AUDIENCE_ID)];
}
