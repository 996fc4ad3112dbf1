import type { ActivationPointer } from "../core/activation/batches.js";
import {
  type DestinationType,
  type SyncConfig,
  syncTarget,
} from "../core/activation/sync-config.js";

/**
 * Which messages an activate function may act on: the syncs configured for its destination,
 * each to its own target (audience, list), never a target a message names by itself (a
 * forged or stale message must not send members to another audience). `fallbackTarget` is the
 * one audience of a deployment configured by META_AUDIENCE_ID alone.
 */
export function refuseUnconfigured(
  destination: DestinationType,
  syncs: readonly SyncConfig[],
  fallbackTarget?: string,
): (pointer: ActivationPointer) => string | undefined {
  const targets = new Map(
    syncs.filter((s) => s.destination === destination).map((s) => [s.id, syncTarget(s)]),
  );
  return (pointer) => {
    const configured = targets.get(pointer.syncId) ?? fallbackTarget;
    if (configured === undefined) {
      return `sync ${pointer.syncId} is not configured for ${destination} in this deployment: not sent`;
    }
    if (pointer.target !== configured) {
      return `message names ${pointer.target}, this function syncs ${configured} for ${pointer.syncId}: not sent`;
    }
    return undefined;
  };
}
