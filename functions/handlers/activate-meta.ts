import type { SyncConfig } from "../core/activation/sync-config.js";
import type { MetaAudienceClient } from "../destinations/meta/client.js";
import { metaSender } from "../destinations/meta/sender.js";
import type { CloudEvent } from "../platform/cloudevents.js";
import type { Logger } from "../platform/logger.js";
import type { Clock, ObjectStore, Warehouse } from "../platform/ports.js";
import { type ActivationOutcome, activateBatch } from "./activate-destination.js";
import { refuseUnconfigured } from "./activation-targets.js";

export { type ActivationOutcome, DEFAULT_MAX_DELIVERIES } from "./activate-destination.js";

export interface ActivateMetaDeps {
  readonly warehouse: Warehouse;
  readonly store: ObjectStore;
  readonly meta: MetaAudienceClient;
  readonly logger: Logger;
  readonly clock: Clock;
  /**
   * The audience this deployment syncs to (META_AUDIENCE_ID): a message naming another is
   * refused. With `syncs`, each configured Meta sync's audience is accepted for that sync.
   */
  readonly audienceId?: string;
  readonly syncs?: readonly SyncConfig[];
  readonly maxDeliveries?: number;
}

/** The `activate-meta` function: a batch to Meta Custom Audiences (see activate-destination). */
export function activateMeta(
  deps: ActivateMetaDeps,
  event: CloudEvent<unknown>,
): Promise<ActivationOutcome> {
  return activateBatch(
    {
      ...deps,
      sender: metaSender(deps.meta),
      refuse: refuseUnconfigured("meta", deps.syncs ?? [], deps.audienceId),
    },
    event,
  );
}
