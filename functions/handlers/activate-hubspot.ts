import type { SyncOf } from "../core/activation/sync-config.js";
import type { HubspotClient } from "../destinations/hubspot/client.js";
import { hubspotSender } from "../destinations/hubspot/sender.js";
import { sleep as realSleep } from "../destinations/retry.js";
import type { CloudEvent } from "../platform/cloudevents.js";
import type { Logger } from "../platform/logger.js";
import type { Clock, ObjectStore, Warehouse } from "../platform/ports.js";
import { type ActivationOutcome, activateBatch } from "./activate-destination.js";
import { refuseUnconfigured } from "./activation-targets.js";

export interface ActivateHubspotDeps {
  readonly warehouse: Warehouse;
  readonly store: ObjectStore;
  readonly hubspot: HubspotClient;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The HubSpot syncs of this deployment: a message for any other sync is refused. */
  readonly syncs: readonly SyncOf<"hubspot">[];
  readonly maxDeliveries?: number;
  /** HubSpot search's indexing lag the task ledger allows for (default 60 s). */
  readonly searchLagMs?: number;
  readonly maxLagWaitMs?: number;
  /** How soon after its intent a task create must start (default 10 s). */
  readonly intentWindowMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The `activate-hubspot` function: a batch of contacts to upsert, or of routed leads to write as
 * tasks exactly once (see destinations/hubspot/sender.ts and activate-destination).
 */
export function activateHubspot(
  deps: ActivateHubspotDeps,
  event: CloudEvent<unknown>,
): Promise<ActivationOutcome> {
  return activateBatch(
    {
      ...deps,
      sender: hubspotSender({
        client: deps.hubspot,
        store: deps.store,
        now: () => deps.clock.now(),
        sleep: deps.sleep ?? realSleep,
        syncs: deps.syncs,
        ...(deps.searchLagMs !== undefined ? { searchLagMs: deps.searchLagMs } : {}),
        ...(deps.maxLagWaitMs !== undefined ? { maxLagWaitMs: deps.maxLagWaitMs } : {}),
        ...(deps.intentWindowMs !== undefined ? { intentWindowMs: deps.intentWindowMs } : {}),
      }),
      refuse: refuseUnconfigured("hubspot", deps.syncs),
    },
    event,
  );
}
