import type { RawLine } from "../../functions/core/raw-table.js";
import { zoomApi } from "../unit/sources/zoom/vectors.js";
import { daysAgo, rawRow } from "./fixtures.js";

/** Raw records of the person-naming sources identity reads, as load-raw lands them. */
export type Json = Record<string, unknown>;

export function hubspotContact(
  id: string,
  properties: Json,
  at = daysAgo(3),
  companies: string[] = [],
): RawLine {
  return rawRow("hubspot", "contacts", `contact:${id}:${at}`, {
    id,
    properties: { createdate: at, lastmodifieddate: at, ...properties },
    associations: companies.length > 0 ? { companies } : {},
  });
}

export function hubspotCompany(id: string, properties: Json): RawLine {
  const at = daysAgo(30);
  return rawRow("hubspot", "companies", `company:${id}:${at}`, {
    id,
    properties: { createdate: at, hs_lastmodifieddate: at, ...properties },
  });
}

export function shopifyCustomer(customer: Json & { id: number }, at = daysAgo(4)): RawLine {
  return rawRow("shopify", "customers", `customer:${customer.id}:${at}`, {
    created_at: at,
    updated_at: at,
    ...customer,
  });
}

export function zoomRegistration(registrant: Json, at = daysAgo(2)): RawLine {
  const event = structuredClone(zoomApi.webhooks["webinar.registration_created"]) as Json & {
    event_ts: number;
    payload: { object: Json & { registrant: Json } };
  };
  event.event_ts = Date.parse(at);
  event.payload.object.registrant = { ...event.payload.object.registrant, ...registrant };
  return rawRow("zoom", "registration_events", `registration:${String(registrant.id)}`, event);
}

export function zoomJoin(participant: Json, at = daysAgo(1)): RawLine {
  const event = structuredClone(zoomApi.webhooks["webinar.participant_joined"]) as Json & {
    event_ts: number;
    payload: { object: Json & { participant: Json } };
  };
  event.event_ts = Date.parse(at);
  event.payload.object.participant = {
    ...event.payload.object.participant,
    join_time: at,
    ...participant,
  };
  return rawRow(
    "zoom",
    "participant_events",
    `webinar.participant_joined:${String(participant.participant_uuid)}:${at}`,
    event,
  );
}
