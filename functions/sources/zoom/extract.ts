import { createHmac } from "node:crypto";
import { compactJson } from "../../core/ingest/json-text.js";
import type {
  EndpointReply,
  Extraction,
  JsonBody,
  StreamContract,
  VerifyContext,
  WebhookDelivery,
} from "../../core/ingest/source.js";
import { defineStream } from "../stream-contract.js";
import {
  URL_VALIDATION_EVENT,
  ZOOM_EVENT_STREAMS,
  type ZoomParticipantEvent,
  ZoomParticipantEventSchema,
  ZoomRegistrationEventSchema,
  ZoomUrlValidationSchema,
  ZoomWebinarEventSchema,
} from "./contracts.js";
import { signingSecret } from "./verify.js";

/**
 * Zoom sends no delivery or event id, and a retry re-sends the same body. Record ids are built
 * from what identifies the event itself: the event name, the webinar occurrence (uuid), the
 * person, and the instant the event is about (join/leave time; event_ts otherwise).
 */
function field(value: unknown, ...path: string[]): string {
  let at: unknown = value;
  for (const key of path) {
    if (typeof at !== "object" || at === null) return "unknown";
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === "string" || typeof at === "number" || typeof at === "bigint"
    ? String(at)
    : "unknown";
}

/** The participant as Zoom identifies them across joins: the per-webinar uuid, else ids, else email. */
function participantKey(participant: ZoomParticipantEvent["payload"]["object"]["participant"]) {
  return (
    participant.participant_uuid ??
    participant.user_id ??
    participant.id ??
    participant.registrant_id ??
    participant.email ??
    participant.user_name ??
    "anonymous"
  );
}

export const webinarEventsStream: StreamContract = defineStream({
  schema: ZoomWebinarEventSchema,
  recordId: (e) => `${e.event}:${e.payload.object.uuid}:${e.event_ts}`,
  eventTime: (e) => new Date(e.event_ts),
  recordIdHint: (v) =>
    `${field(v, "event")}:${field(v, "payload", "object", "uuid")}:${field(v, "event_ts")}`,
});

export const registrationEventsStream: StreamContract = defineStream({
  schema: ZoomRegistrationEventSchema,
  recordId: (e) =>
    `${e.event}:${e.payload.object.uuid}:${e.payload.object.registrant.id}:${e.event_ts}`,
  eventTime: (e) => new Date(e.event_ts),
  recordIdHint: (v) =>
    `${field(v, "event")}:${field(v, "payload", "object", "uuid")}:${field(v, "payload", "object", "registrant", "id")}:${field(v, "event_ts")}`,
});

/** When the participant joined (joined events) or left (left events). */
function participantInstant(e: ZoomParticipantEvent): string {
  return e.event === "webinar.participant_joined"
    ? e.payload.object.participant.join_time
    : e.payload.object.participant.leave_time;
}

export const participantEventsStream: StreamContract = defineStream({
  schema: ZoomParticipantEventSchema,
  recordId: (e) =>
    `${e.event}:${e.payload.object.uuid}:${participantKey(e.payload.object.participant)}:${participantInstant(e)}`,
  eventTime: (e) => new Date(participantInstant(e)),
  recordIdHint: (v) =>
    `${field(v, "event")}:${field(v, "payload", "object", "uuid")}:${field(v, "event_ts")}`,
});

/** One event per body; the event name picks the stream; other events are kept as unrouted. */
export function extractZoomDelivery(_delivery: WebhookDelivery, body: JsonBody): Extraction {
  const event =
    typeof body.value === "object" && body.value !== null && !Array.isArray(body.value)
      ? (body.value as Record<string, unknown>).event
      : undefined;
  const stream = typeof event === "string" ? ZOOM_EVENT_STREAMS[event] : undefined;
  const json = compactJson(body.text);
  if (stream) return { records: [{ stream, value: body.value, json }] };
  return {
    records: [
      {
        stream: undefined,
        unroutedReason: "Zoom event not subscribed by this pipeline: no stream is mapped to it",
        value: body.value,
        json,
      },
    ],
  };
}

/** hex HMAC-SHA256(secret, plainToken): Zoom's `encryptedToken`. */
export function zoomEncryptedToken(secret: string, plainToken: string): string {
  return createHmac("sha256", secret).update(plainToken).digest("hex");
}

/**
 * Zoom's endpoint URL validation (on saving the endpoint, then every 72 hours): answer
 * `{plainToken, encryptedToken}` with the secret that signed the request (during a rotation,
 * the one Zoom holds). A validation body that does not parse as one is landed as unrouted.
 */
export function respondToZoomValidation(
  delivery: WebhookDelivery,
  body: JsonBody,
  context: VerifyContext,
): EndpointReply | undefined {
  const parsed = ZoomUrlValidationSchema.safeParse(body.value);
  if (!parsed.success) return undefined;
  const secret = signingSecret(delivery, context);
  if (secret === undefined) return undefined;
  const { plainToken } = parsed.data.payload;
  return { body: { plainToken, encryptedToken: zoomEncryptedToken(secret, plainToken) } };
}

export { URL_VALIDATION_EVENT };
