import type { SourceCatalog } from "../../core/ingest/source.js";

const WEBINAR_PII = ["$.payload.operator", "$.payload.object.host_email"];
/** The host and the operator who changed the webinar: Zoom users of the account, by email. */
const WEBINAR_IDS = [
  { path: "$.payload.operator", kind: "email" },
  { path: "$.payload.object.host_email", kind: "email" },
] as const;

export const zoomCatalog: SourceCatalog = {
  source: "zoom",
  owner: "field marketing team (Zoom Webinars account admin)",
  description:
    "Zoom Webinars: webinar, registration and participant webhooks signed with x-zm-signature (HMAC-SHA256 of v0:<timestamp>:<body>, 300 s window, endpoint URL validation answered), and a pull (Server-to-Server OAuth) of registrants, the participants report, polls and Q&A; pulled registrants and participants land in the webhook streams, shaped as the events they stand for.",
  streams: {
    webinar_events: {
      description:
        "webinar.created/updated/deleted/started/ended, one row per event; record id `<event>:<webinar uuid>:<event_ts>`.",
      piiPaths: WEBINAR_PII,
      identifiers: WEBINAR_IDS,
      // Webinars are occasional: a week without one is normal.
      freshnessTargetHours: 24 * 7,
      consentSignals: [],
    },
    registration_events: {
      description:
        "webinar.registration_created/approved/cancelled/denied; record id `<event>:<webinar uuid>:<registrant id>:<event_ts>`.",
      piiPaths: [
        ...WEBINAR_PII,
        "$.payload.object.registrant.email",
        "$.payload.object.registrant.first_name",
        "$.payload.object.registrant.last_name",
        "$.payload.object.registrant.address",
        "$.payload.object.registrant.city",
        "$.payload.object.registrant.zip",
        "$.payload.object.registrant.state",
        "$.payload.object.registrant.phone",
        "$.payload.object.registrant.org",
        "$.payload.object.registrant.job_title",
        "$.payload.object.registrant.comments",
        "$.payload.object.registrant.custom_questions",
        "$.payload.object.registrant.join_url",
      ],
      identifiers: [
        ...WEBINAR_IDS,
        { path: "$.payload.object.registrant.email", kind: "email" },
        { path: "$.payload.object.registrant.id", kind: "zoom_registrant_id" },
      ],
      freshnessTargetHours: 24 * 7,
      consentSignals: [],
    },
    participant_events: {
      description:
        "webinar.participant_joined/left; record id `<event>:<webinar uuid>:<participant>:<join or leave time>`.",
      piiPaths: [
        "$.payload.object.participant.email",
        "$.payload.object.participant.user_name",
        "$.payload.object.participant.phone_number",
        "$.payload.object.participant.customer_key",
      ],
      identifiers: [
        { path: "$.payload.object.participant.email", kind: "email" },
        { path: "$.payload.object.participant.registrant_id", kind: "zoom_registrant_id" },
      ],
      freshnessTargetHours: 24 * 7,
      consentSignals: [],
    },
    poll_answers: {
      description:
        "Pulled only (GET /report/webinars/{uuid}/polls): one row per poll answer of a past occurrence, `{webinar, participant, answer}`; record id `<uuid>:<polling_id>:<sha(question)>:<sha(participant)>:<date_time>`.",
      piiPaths: [
        "$.participant.email",
        "$.participant.name",
        "$.participant.first_name",
        "$.participant.last_name",
        "$.answer.answer",
      ],
      identifiers: [{ path: "$.participant.email", kind: "email" }],
      freshnessTargetHours: 24 * 7,
      consentSignals: [],
    },
    questions: {
      description:
        "Pulled only (GET /report/webinars/{uuid}/qa): one row per Q&A question of a past occurrence with its answers, `{webinar, asker, question}`; record id `<uuid>:<question_id>` (a later pull with new answers is a newer version).",
      piiPaths: [
        "$.asker.email",
        "$.asker.name",
        "$.asker.user_id",
        "$.question.question",
        "$.question.answer_details",
      ],
      identifiers: [{ path: "$.asker.email", kind: "email" }],
      freshnessTargetHours: 24 * 7,
      consentSignals: [],
    },
  },
};
