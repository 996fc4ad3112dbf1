import {
  parseSyncsConfig,
  type SyncConfig,
  syncTarget,
} from "../../core/activation/sync-config.js";
import { configuredSyncs, recentPurchasersToMeta } from "../../handlers/configured-syncs.js";
import type { DemoState } from "../demo/demo-state.js";

/**
 * The syncs of a local deployment (the folder `unistack demo` fills): `UNISTACK_SYNCS` when it is
 * set (the same JSON and checks as in the cloud), else the demo's one sync (recent purchasers →
 * the Meta sandbox's audience).
 */
export function localSyncs(
  state: DemoState,
  env: Readonly<Record<string, string | undefined>>,
): SyncConfig[] {
  if (env.UNISTACK_SYNCS !== undefined) {
    return configuredSyncs({ UNISTACK_SYNCS: env.UNISTACK_SYNCS });
  }
  return parseSyncsConfig({ syncs: [recentPurchasersToMeta(state.metaAudienceId)] }).syncs;
}

/** The syncs `--sync ID` names (all without it); an unknown id is an error naming the known ones. */
export function selectSyncs(syncs: readonly SyncConfig[], id: string | undefined): SyncConfig[] {
  if (id === undefined) return [...syncs];
  const found = syncs.filter((s) => s.id === id);
  if (found.length === 0) {
    throw new Error(
      `no sync "${id}" is configured here (configured: ${syncs.map((s) => s.id).join(", ")})`,
    );
  }
  return found;
}

/**
 * Why a sync cannot be sent from this local deployment, or `undefined` when it can. Locally
 * only the demo's Meta sandbox (its one audience) answers; a dry run plans any sync, since it
 * reads the warehouse only.
 */
export function notSendableLocally(sync: SyncConfig, state: DemoState): string | undefined {
  if (sync.destination === "meta" && sync.audienceId === state.metaAudienceId) return undefined;
  return `sync ${sync.id} goes to ${sync.destination} ${syncTarget(sync)}, which has no sandbox in this local deployment (the demo's Meta sandbox holds audience ${state.metaAudienceId}): use --dry-run to see its plan`;
}
