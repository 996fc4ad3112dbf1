import { webhookPath } from "../../../sources/registry.js";
import { createRng, DAY_MS, HOUR_MS, isoMillis, MINUTE_MS, type SyntheticDelivery } from "./kit.js";
import type { SyntheticPerson } from "./people.js";

const TOPICS = [
  "Customer data 101: one view of every customer",
  "From email clicks to pipeline: attribution for B2B",
  "Consent-first audiences for ads",
] as const;

export interface ZoomRunOutput {
  readonly deliveries: SyntheticDelivery[];
  readonly sentMs: number[];
  readonly webinars: number;
  readonly registrations: number;
  /** Distinct people who attended at least once. */
  readonly attendees: number;
}

/**
 * The webinars of the demo's first run, as Zoom's webhooks send them (one event per request):
 * three one-hour webinars in the window (the last one a day before its end), registrations from
 * the people (B2B people with a company five times as likely; about a hundred per webinar at the
 * default 3,000 people, so the demo's send stage grows by ~2 s), about 60 % of registrants attend
 * for a random share of the hour, some drop out and rejoin. Other runs (and run 0: no webinars)
 * add nothing.
 * Deterministic for (seed, people, window).
 */
export function zoomRunDeliveries(input: {
  readonly seed: number;
  readonly run: number;
  readonly people: readonly SyntheticPerson[];
  readonly windowStartMs: number;
  readonly windowEndMs: number;
}): ZoomRunOutput {
  const out: { body: unknown; atMs: number }[] = [];
  let registrations = 0;
  const attended = new Set<string>();
  if (input.run !== 1)
    return { deliveries: [], sentMs: [], webinars: 0, registrations, attendees: 0 };
  const rng = createRng(input.seed, "zoom", input.people.length);
  const span = input.windowEndMs - input.windowStartMs;
  TOPICS.forEach((topic, w) => {
    // Spread over the window; the last webinar ends a day before the window does.
    const startMs =
      Math.floor((input.windowEndMs - DAY_MS - HOUR_MS - (span * (2 - w)) / 3.2) / HOUR_MS) *
      HOUR_MS;
    const endMs = startMs + HOUR_MS;
    const id = String(81_000_000_000 + w * 1_111);
    const uuid = `demo${w}${rng.uuid().slice(0, 18)}==`;
    const webinar = {
      uuid,
      id,
      topic,
      type: 5,
      duration: 60,
      timezone: "UTC",
      host_id: "demohost",
    };
    const event = (name: string, atMs: number, object: Record<string, unknown>) =>
      out.push({
        atMs,
        body: { event: name, event_ts: atMs, payload: { account_id: "demo-account", object } },
      });
    event("webinar.created", startMs - 20 * DAY_MS, { ...webinar, start_time: isoMillis(startMs) });
    for (const person of input.people) {
      if (!rng.chance(person.company ? 0.07 : 0.015)) continue;
      registrations++;
      const registrant = {
        id: `demoreg${w}${person.personId}`,
        email: person.email,
        first_name: person.firstName,
        last_name: person.lastName,
        status: "approved",
        country: person.countryCode,
        ...(person.company ? { org: person.company } : {}),
      };
      const registeredMs = startMs - rng.int(1, 14) * DAY_MS - rng.int(0, 23) * HOUR_MS;
      event("webinar.registration_created", registeredMs, { ...webinar, registrant });
      if (!rng.chance(0.6)) continue;
      attended.add(person.personId);
      const participant = {
        participant_uuid: `demop${w}${person.personId}`,
        user_name: `${person.firstName} ${person.lastName}`,
        email: person.email,
        registrant_id: registrant.id,
      };
      // Joined in the first 10 minutes, stayed a random share of the hour; 1 in 5 dropped out
      // and came back.
      const joinMs = startMs + rng.int(0, 10) * MINUTE_MS;
      const leaveMs = Math.min(endMs, joinMs + rng.int(5, 60) * MINUTE_MS);
      const stays: [number, number][] = rng.chance(0.2)
        ? [
            [joinMs, joinMs + Math.floor((leaveMs - joinMs) / 3)],
            [joinMs + Math.floor((leaveMs - joinMs) / 2), leaveMs],
          ]
        : [[joinMs, leaveMs]];
      for (const [from, to] of stays) {
        event("webinar.participant_joined", from, {
          ...webinar,
          participant: { ...participant, join_time: isoSeconds(from) },
        });
        event("webinar.participant_left", to, {
          ...webinar,
          participant: { ...participant, leave_time: isoSeconds(to), leave_reason: "left" },
        });
      }
    }
    event("webinar.started", startMs, { ...webinar, start_time: isoSeconds(startMs) });
    event("webinar.ended", endMs, {
      ...webinar,
      start_time: isoSeconds(startMs),
      end_time: isoSeconds(endMs),
    });
  });
  out.sort((a, b) => a.atMs - b.atMs);
  return {
    deliveries: out.map(({ body, atMs }) => ({
      source: "zoom" as const,
      path: webhookPath("zoom"),
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      sentAt: isoMillis(atMs),
    })),
    sentMs: out.map(({ atMs }) => atMs),
    webinars: TOPICS.length,
    registrations,
    attendees: attended.size,
  };
}

/** Zoom's own instants have whole seconds (`2026-11-03T10:00:00Z`). */
function isoSeconds(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}
