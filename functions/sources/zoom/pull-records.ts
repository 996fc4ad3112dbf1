import type { PulledRecord } from "../../core/pull/source.js";

/**
 * Zoom API answers → pulled records. Registrants and participants are written as the webhook
 * events they stand for (the same envelope, event names and fields), so they share the webhook
 * streams' contract and record ids; `pulled` names the endpoint a record was read from. A value
 * the contract refuses (a row without a join time) is quarantined by the pull like any record.
 */
export type ItemKind = "registrants" | "participants" | "polls" | "questions";

interface Occurrence {
  readonly id: string;
  readonly uuid: string;
  readonly topic?: string | undefined;
  readonly host_id?: string | undefined;
  readonly start_time?: string | undefined;
}

/** Ids above 2^53 parse as bigint: written as strings, which the contracts accept for ids. */
const json = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
const record = (value: unknown): PulledRecord => ({
  value: JSON.parse(json(value)),
  json: json(value),
});

type Json = Record<string, unknown>;
const list = (value: unknown, key: string): Json[] => {
  const items = (value as Json | null)?.[key];
  return Array.isArray(items)
    ? items.filter((i): i is Json => typeof i === "object" && i !== null)
    : [];
};
const str = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * Zoom's report instants (`2019-02-01T12:34:12Z`) as the webhooks write them: whole seconds, UTC
 * (a stay's record id holds its join time, so both paths must spell it alike). `undefined` when
 * absent or unreadable: the contract then quarantines the record.
 */
export function webhookInstant(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function webinarObject(target: Occurrence) {
  return {
    uuid: target.uuid,
    id: target.id,
    ...(target.host_id !== undefined ? { host_id: target.host_id } : {}),
    ...(target.topic !== undefined ? { topic: target.topic } : {}),
    ...(webhookInstant(target.start_time) ? { start_time: webhookInstant(target.start_time) } : {}),
  };
}

function registrantRecords(value: unknown, target: Occurrence, accountId: string) {
  return list(value, "registrants").map((registrant) =>
    record({
      event: "webinar.registration_created",
      // The registration's creation: Zoom's create_time (seconds), where the webhook has the
      // delivery's event_ts (milliseconds); staging keeps one row per registrant either way.
      event_ts: Date.parse(String(registrant.create_time ?? "")) || null,
      payload: {
        account_id: accountId,
        object: { ...webinarObject(target), registrant },
      },
      pulled: { endpoint: "GET /webinars/{webinarId}/registrants" },
    }),
  );
}

/** One report row = one stay: its join event and, when Zoom knows it, its leave event. */
function participantRecords(value: unknown, target: Occurrence, accountId: string) {
  return list(value, "participants").flatMap((row) => {
    const participant = {
      ...(str(row.participant_uuid) ? { participant_uuid: row.participant_uuid } : {}),
      ...(str(row.user_id) ? { user_id: row.user_id } : {}),
      ...(str(row.id) ? { id: row.id } : {}),
      ...(str(row.name) ? { user_name: row.name } : {}),
      ...(str(row.user_email) ? { email: row.user_email } : {}),
      ...(str(row.registrant_id) ? { registrant_id: row.registrant_id } : {}),
      ...(str(row.participant_user_id) ? { participant_user_id: row.participant_user_id } : {}),
      ...(str(row.customer_key) ? { customer_key: row.customer_key } : {}),
    };
    const joined = webhookInstant(row.join_time);
    const left = webhookInstant(row.leave_time);
    const event = (name: string, at: string | undefined, extra: Json) =>
      record({
        event: name,
        event_ts: at ? Date.parse(at) : null,
        payload: {
          account_id: accountId,
          object: { ...webinarObject(target), participant: { ...participant, ...extra } },
        },
        pulled: { endpoint: "GET /report/webinars/{webinarId}/participants" },
      });
    const out = [event("webinar.participant_joined", joined, { join_time: joined ?? null })];
    if (row.leave_time !== undefined) {
      out.push(event("webinar.participant_left", left, { leave_time: left ?? null }));
    }
    return out;
  });
}

function pollRecords(value: unknown, target: Occurrence) {
  return list(value, "questions").flatMap((person) => {
    const { question_details: _details, ...participant } = person;
    return list(person, "question_details").map((answer) =>
      record({ webinar: webinarObject(target), participant, answer }),
    );
  });
}

function questionRecords(value: unknown, target: Occurrence) {
  return list(value, "questions").flatMap((person) => {
    const { question_details: _details, ...asker } = person;
    return list(person, "question_details").map((question) =>
      record({ webinar: webinarObject(target), asker, question }),
    );
  });
}

export function itemRecords(
  kind: ItemKind,
  value: unknown,
  target: Occurrence,
  accountId: string,
): PulledRecord[] {
  if (kind === "registrants") return registrantRecords(value, target, accountId);
  if (kind === "participants") return participantRecords(value, target, accountId);
  if (kind === "polls") return pollRecords(value, target);
  return questionRecords(value, target);
}
