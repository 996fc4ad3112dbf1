import type { SyncOf } from "../core/activation/sync-config.js";
import type { GoogleAdsClient } from "../destinations/google-ads/client.js";
import { googleAdsSender } from "../destinations/google-ads/sender.js";
import type { CloudEvent } from "../platform/cloudevents.js";
import type { Logger } from "../platform/logger.js";
import type { Clock, ObjectStore, Warehouse } from "../platform/ports.js";
import { type ActivationOutcome, activateBatch } from "./activate-destination.js";
import { refuseUnconfigured } from "./activation-targets.js";

export interface ActivateGoogleAdsDeps {
  readonly warehouse: Warehouse;
  readonly store: ObjectStore;
  readonly google: GoogleAdsClient;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The Google Ads syncs of this deployment: a message for any other target is refused. */
  readonly syncs: readonly SyncOf<"google_ads">[];
  readonly maxDeliveries?: number;
}

/** The `activate-google-ads` function: a batch to a Customer Match list (see activate-destination). */
export function activateGoogleAds(
  deps: ActivateGoogleAdsDeps,
  event: CloudEvent<unknown>,
): Promise<ActivationOutcome> {
  return activateBatch(
    {
      ...deps,
      sender: googleAdsSender(deps.google, deps.syncs),
      refuse: refuseUnconfigured("google_ads", deps.syncs),
    },
    event,
  );
}
