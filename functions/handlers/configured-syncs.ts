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

/** What `activate-meta` reads from its environment: the one audience it may send to, its budget. */
export const ActivateEnvSchema = SyncEnvSchema.extend({
  ACTIVATE_MAX_DELIVERIES: z.coerce
    .number()
    .int()
    .min(1, "ACTIVATE_MAX_DELIVERIES is at least 1")
    .max(100, "keep ACTIVATE_MAX_DELIVERIES below the push subscription's max delivery attempts")
    .optional(),
});

export function activateMetaSettings(env: Readonly<Record<string, string | undefined>>): {
  audienceId: string;
  maxDeliveries?: number;
} {
  const parsed = ActivateEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `activate-meta configuration is invalid: ${parsed.error.issues.map((i) => i.message).join("; ")}`,
    );
  }
  const { META_AUDIENCE_ID, ACTIVATE_MAX_DELIVERIES } = parsed.data;
  return {
    audienceId: META_AUDIENCE_ID,
    ...(ACTIVATE_MAX_DELIVERIES !== undefined ? { maxDeliveries: ACTIVATE_MAX_DELIVERIES } : {}),
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
