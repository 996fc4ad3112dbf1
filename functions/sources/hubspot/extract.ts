import { compactJson, jsonArrayElements } from "../../core/ingest/json-text.js";
import type {
  Extraction,
  JsonBody,
  StreamContract,
  WebhookDelivery,
} from "../../core/ingest/source.js";
import { defineStream } from "../stream-contract.js";
import { type HubspotWebhookEvent, HubspotWebhookEventSchema } from "./contracts.js";

/** The CRM objects whose webhook events we land (`<object>.<event>`); others are unrouted. */
export const HUBSPOT_EVENT_OBJECTS = ["contact", "company", "deal"] as const;

/**
 * Record id of a webhook event. HubSpot says `eventId` alone is not guaranteed unique, and
 * `attemptNumber` changes on each retry, so the id is the portal, subscription, event, object and
 * time: a retried delivery has the same id and lands once.
 */
export function hubspotEventRecordId(event: HubspotWebhookEvent): string {
  return [event.portalId, event.subscriptionId, event.eventId, event.objectId, event.occurredAt]
    .map(String)
    .join(":");
}

export const eventsStream: StreamContract = defineStream({
  schema: HubspotWebhookEventSchema,
  recordId: hubspotEventRecordId,
  eventTime: (event) => new Date(event.occurredAt),
  recordIdHint: () => undefined,
});

/**
 * A HubSpot webhook POST is a JSON array of up to 100 events; each is a record of stream `events`.
 * An event about an object we do not model (`ticket.creation`, …) is kept as unrouted, never
 * dropped; a body that is not an array is kept the same way.
 */
export function extractHubspotDelivery(_delivery: WebhookDelivery, body: JsonBody): Extraction {
  if (!Array.isArray(body.value)) {
    const json = compactJson(body.text);
    const reason = "body is not an array of events (HubSpot posts a JSON array)";
    return { records: [{ stream: undefined, unroutedReason: reason, value: body.value, json }] };
  }
  const values: unknown[] = body.value;
  const texts = jsonArrayElements(body.text);
  if (texts.length !== values.length) {
    throw new Error(`split ${texts.length} events but parsed ${values.length}: a scanner bug`);
  }
  return {
    records: values.map((value, i) => {
      const json = texts[i] as string;
      const type = (value as { subscriptionType?: unknown } | null)?.subscriptionType;
      const object = typeof type === "string" ? type.split(".")[0] : undefined;
      if (typeof type === "string" && !HUBSPOT_EVENT_OBJECTS.includes(object as never)) {
        return {
          stream: undefined,
          unroutedReason: "subscriptionType names an object with no stream",
          value,
          json,
        };
      }
      return { stream: "events", value, json };
    }),
  };
}
