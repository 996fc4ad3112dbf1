import { z } from "zod";
import { EpochMillisSchema, IsoInstantSchema } from "../timestamps.js";

/**
 * Zoom webinar webhooks (developers.zoom.us/docs/api/webhooks/): the body is one event,
 * `{event, event_ts, payload: {account_id, object}}`. Loose: Zoom adds fields and raw keeps them
 * all; strict on what the models read. Webinar ids are 64-bit numbers Zoom sends as a number or a
 * string depending on the event (compare webinar.participant_joined with
 * webinar.registration_created), so both are accepted.
 */
export const ZoomIdSchema = z.union([
  z.string().regex(/^\d{1,20}$/, "expected a numeric id"),
  z.number().int().nonnegative(),
  z.bigint().nonnegative(),
]);

export const ZoomWebinarSchema = z.looseObject({
  /** One occurrence (instance) of the webinar; a recurring webinar has one uuid per occurrence. */
  uuid: z.string().min(1),
  id: ZoomIdSchema,
  host_id: z.string().optional(),
  topic: z.string().optional(),
  type: z.number().int().optional(),
  start_time: IsoInstantSchema.optional(),
  end_time: IsoInstantSchema.optional(),
  duration: z.number().int().nonnegative().optional(),
  timezone: z.string().optional(),
});

export const ZoomRegistrantSchema = z.looseObject({
  id: z.string().min(1),
  email: z.string().min(1),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  status: z.string().optional(),
  join_url: z.string().optional(),
  tracking_source: z
    .looseObject({ id: z.string().optional(), source_name: z.string().optional() })
    .optional(),
});

const ParticipantBase = {
  user_id: z.string().optional(),
  user_name: z.string().optional(),
  id: z.string().optional(),
  email: z.string().optional(),
  registrant_id: z.string().optional(),
  participant_user_id: z.string().optional(),
  participant_uuid: z.string().optional(),
};

const envelope = <E extends string, O extends z.ZodType>(events: readonly [E, ...E[]], object: O) =>
  z.looseObject({
    event: z.enum(events),
    event_ts: EpochMillisSchema,
    payload: z.looseObject({ account_id: z.string().min(1), object }),
  });

export const WEBINAR_EVENTS = [
  "webinar.created",
  "webinar.updated",
  "webinar.deleted",
  "webinar.started",
  "webinar.ended",
] as const;
export const REGISTRATION_EVENTS = [
  "webinar.registration_created",
  "webinar.registration_approved",
  "webinar.registration_cancelled",
  "webinar.registration_denied",
] as const;

export const ZoomWebinarEventSchema = envelope(WEBINAR_EVENTS, ZoomWebinarSchema);

export const ZoomRegistrationEventSchema = envelope(
  REGISTRATION_EVENTS,
  ZoomWebinarSchema.extend({ registrant: ZoomRegistrantSchema }),
);

/** Joined carries `join_time`, left `leave_time` (and `leave_reason`): one instant each. */
export const ZoomParticipantEventSchema = z.discriminatedUnion("event", [
  envelope(
    ["webinar.participant_joined"],
    ZoomWebinarSchema.extend({
      participant: z.looseObject({ ...ParticipantBase, join_time: IsoInstantSchema }),
    }),
  ),
  envelope(
    ["webinar.participant_left"],
    ZoomWebinarSchema.extend({
      participant: z.looseObject({
        ...ParticipantBase,
        leave_time: IsoInstantSchema,
        leave_reason: z.string().optional(),
      }),
    }),
  ),
]);

export type ZoomWebinarEvent = z.infer<typeof ZoomWebinarEventSchema>;
export type ZoomRegistrationEvent = z.infer<typeof ZoomRegistrationEventSchema>;
export type ZoomParticipantEvent = z.infer<typeof ZoomParticipantEventSchema>;

/** Webhook event → stream. Any other event is kept, quarantined as unrouted. */
export const ZOOM_EVENT_STREAMS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(WEBINAR_EVENTS.map((e) => [e, "webinar_events"])),
  ...Object.fromEntries(REGISTRATION_EVENTS.map((e) => [e, "registration_events"])),
  "webinar.participant_joined": "participant_events",
  "webinar.participant_left": "participant_events",
};

/** Zoom's endpoint check: answered with `{plainToken, encryptedToken}`, never landed. */
export const URL_VALIDATION_EVENT = "endpoint.url_validation";

export const ZoomUrlValidationSchema = z.object({
  event: z.literal(URL_VALIDATION_EVENT),
  payload: z.object({ plainToken: z.string().min(1).max(256) }),
  event_ts: z.number().optional(),
});
