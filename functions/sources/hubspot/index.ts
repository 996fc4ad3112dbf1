import type { WebhookSource } from "../../core/ingest/source.js";
import type { PullSource } from "../../core/pull/source.js";
import { eventsStream, extractHubspotDelivery } from "./extract.js";
import { crmStream, HUBSPOT_CRM_STREAMS, ownersStream } from "./pull.js";
import { HUBSPOT_SECRET, HUBSPOT_SECRET_PREVIOUS, verifyHubspotDelivery } from "./verify.js";

export { hubspotCatalog } from "./catalog.js";

/** HubSpot webhooks (v3 signature): change events of contacts, companies and deals. */
export const hubspotSource: WebhookSource = {
  name: "hubspot",
  streams: { events: eventsStream },
  secretNames: [HUBSPOT_SECRET, HUBSPOT_SECRET_PREVIOUS],
  replayHeaders: ["X-HubSpot-Request-Timestamp"],
  verify: verifyHubspotDelivery,
  extract: extractHubspotDelivery,
};

/** HubSpot's incremental pull: CRM search with a high-water mark, plus owners. */
export const hubspotPullSource: PullSource = {
  name: "hubspot",
  streams: {
    contacts: crmStream(HUBSPOT_CRM_STREAMS.contacts),
    companies: crmStream(HUBSPOT_CRM_STREAMS.companies),
    deals: crmStream(HUBSPOT_CRM_STREAMS.deals),
    owners: ownersStream,
  },
};
