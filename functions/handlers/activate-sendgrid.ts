import type { SyncOf } from "../core/activation/sync-config.js";
import type { SendgridClient } from "../destinations/sendgrid/client.js";
import { sendgridSender } from "../destinations/sendgrid/sender.js";
import type { CloudEvent } from "../platform/cloudevents.js";
import type { Logger } from "../platform/logger.js";
import type { Clock, ObjectStore, Warehouse } from "../platform/ports.js";
import { type ActivationOutcome, activateBatch } from "./activate-destination.js";
import { refuseUnconfigured } from "./activation-targets.js";

export interface ActivateSendgridDeps {
  readonly warehouse: Warehouse;
  readonly store: ObjectStore;
  readonly sendgrid: SendgridClient;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The SendGrid syncs of this deployment: a message for any other list is refused. */
  readonly syncs: readonly SyncOf<"sendgrid">[];
  readonly maxDeliveries?: number;
}

/** The `activate-sendgrid` function: a batch of contacts to a Marketing list (see activate-destination). */
export function activateSendgrid(
  deps: ActivateSendgridDeps,
  event: CloudEvent<unknown>,
): Promise<ActivationOutcome> {
  return activateBatch(
    {
      ...deps,
      sender: sendgridSender(deps.sendgrid, deps.syncs),
      refuse: refuseUnconfigured("sendgrid", deps.syncs),
    },
    event,
  );
}
