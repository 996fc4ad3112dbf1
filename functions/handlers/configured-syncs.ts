import { z } from "zod";
import {
  type DestinationType,
  parseSyncsConfig,
  type SyncConfig,
  type SyncInputOf,
} from "../core/activation/sync-config.js";

/**
 * The syncs a deployment runs, from its environment (docs/destinations.md, "Configuration"):
 * `UNISTACK_SYNCS` holds the whole sync configuration as JSON (`{"syncs": [...]}`, validated by
 * `SyncsConfigSchema`); without it, `META_AUDIENCE_ID` alone means the one Meta sync of earlier
 * versions (recent purchasers → that Custom Audience).
 */
export const SyncEnvSchema = z.object({
  UNISTACK_SYNCS: z.string().min(1).optional(),
  META_AUDIENCE_ID: z
    .string()
    .regex(/^\d+$/, "set META_AUDIENCE_ID to the numeric Custom Audience id")
    .optional(),
});

/** Recent purchasers → a Meta Custom Audience, gated on ad_user_data consent. */
export function recentPurchasersToMeta(audienceId: string): SyncInputOf<"meta"> {
  return {
    id: "meta_recent_purchasers",
    segment: { dataset: "marts", table: "seg_recent_purchasers" },
    destination: "meta",
    audienceId,
    requiredConsent: ["ad_user_data"],
  };
}

/**
 * Destinations this version delivers to: each has an activate function (functions/index.ts)
 * and a local sandbox. A sync to any other destination type parses (the schema is the contract
 * for what comes next) but is refused here, so a deployment never plans batches nothing sends.
 */
export const DELIVERABLE_DESTINATIONS: readonly DestinationType[] = [
  "meta",
  "google_ads",
  "sendgrid",
  "hubspot",
];

/** Destinations a purchase takes the purchaser out of at once (retargeting audiences). */
export const REALTIME_REMOVE_DESTINATIONS: readonly DestinationType[] = ["meta", "google_ads"];

export function configuredSyncs(env: Readonly<Record<string, string | undefined>>): SyncConfig[] {
  return deliverable(readSyncs(env));
}

function deliverable(syncs: SyncConfig[]): SyncConfig[] {
  for (const sync of syncs) {
    if (!DELIVERABLE_DESTINATIONS.includes(sync.destination)) {
      throw new Error(
        `sync configuration is invalid: sync ${sync.id} goes to ${sync.destination}, which this version cannot deliver to yet (deliverable: ${DELIVERABLE_DESTINATIONS.join(", ")}); remove it from UNISTACK_SYNCS`,
      );
    }
    const rule = sync.realtime?.onPurchase;
    if (rule === "upsert") {
      throw new Error(
        `sync configuration is invalid: sync ${sync.id} has the realtime rule "upsert" (purchaser to the CRM), which this version does not run yet; remove "realtime"`,
      );
    }
    if (rule === "remove" && !REALTIME_REMOVE_DESTINATIONS.includes(sync.destination)) {
      throw new Error(
        `sync configuration is invalid: sync ${sync.id} has the realtime rule "remove", which only ad audiences take (${REALTIME_REMOVE_DESTINATIONS.join(", ")}); remove "realtime"`,
      );
    }
  }
  return syncs;
}

function readSyncs(env: Readonly<Record<string, string | undefined>>): SyncConfig[] {
  const parsed = SyncEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `sync configuration is invalid: ${parsed.error.issues.map((i) => i.message).join("; ")}`,
    );
  }
  const { UNISTACK_SYNCS, META_AUDIENCE_ID } = parsed.data;
  if (UNISTACK_SYNCS !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(UNISTACK_SYNCS);
    } catch {
      throw new Error(
        'UNISTACK_SYNCS is not JSON: set it to {"syncs": [...]} (docs/destinations.md)',
      );
    }
    return parseSyncsConfig(Array.isArray(json) ? { syncs: json } : json, "UNISTACK_SYNCS").syncs;
  }
  if (META_AUDIENCE_ID !== undefined) {
    return parseSyncsConfig({ syncs: [recentPurchasersToMeta(META_AUDIENCE_ID)] }).syncs;
  }
  throw new Error(
    "sync configuration is invalid: set UNISTACK_SYNCS to the sync configuration (or META_AUDIENCE_ID for the single Meta sync)",
  );
}

const MaxDeliveries = z.coerce
  .number()
  .int()
  .min(1, "ACTIVATE_MAX_DELIVERIES is at least 1")
  .max(100, "keep ACTIVATE_MAX_DELIVERIES below the push subscription's max delivery attempts")
  .optional();

/** What an `activate-<destination>` function reads from its environment. */
export interface ActivateSettings {
  readonly syncs: readonly SyncConfig[];
  readonly maxDeliveries?: number;
}

export function activateSettings(
  destination: DestinationType,
  env: Readonly<Record<string, string | undefined>>,
): ActivateSettings {
  const budget = MaxDeliveries.safeParse(env.ACTIVATE_MAX_DELIVERIES);
  if (!budget.success) {
    throw new Error(
      `activate-${destination} configuration is invalid: ${budget.error.issues.map((i) => i.message).join("; ")}`,
    );
  }
  const syncs = configuredSyncs(env).filter((s) => s.destination === destination);
  if (syncs.length === 0) {
    throw new Error(
      `activate-${destination} configuration is invalid: no sync to ${destination} is configured (UNISTACK_SYNCS)`,
    );
  }
  return { syncs, ...(budget.data !== undefined ? { maxDeliveries: budget.data } : {}) };
}

/** activate-meta's settings; with META_AUDIENCE_ID alone, the one audience it may send to. */
export function activateMetaSettings(env: Readonly<Record<string, string | undefined>>): {
  audienceId?: string;
  syncs?: readonly SyncConfig[];
  maxDeliveries?: number;
} {
  const settings = activateSettings("meta", env);
  if (env.UNISTACK_SYNCS === undefined && env.META_AUDIENCE_ID !== undefined) {
    return {
      audienceId: env.META_AUDIENCE_ID,
      ...(settings.maxDeliveries !== undefined ? { maxDeliveries: settings.maxDeliveries } : {}),
    };
  }
  return settings;
}
