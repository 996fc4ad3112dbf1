import { webhookPath } from "../../../sources/registry.js";
import {
  createRng,
  DAY_MS,
  isoMillis,
  MINUTE_MS,
  messyEmail,
  type Rng,
  type SyntheticDelivery,
} from "./kit.js";
import type { SyntheticPerson } from "./people.js";

/** One email sent to one person in a run; its events follow from it. */
export interface MessagePlan {
  readonly person: SyntheticPerson;
  readonly sentMs: number;
  /** The person unsubscribes through this message. */
  readonly unsubscribe: boolean;
}

export interface SendgridRunOutput {
  readonly deliveries: SyntheticDelivery[];
  /** Send time (ms) of each delivery, for ordering. */
  readonly sentMs: number[];
  /** Valid events sent, copies included. */
  readonly validEvents: number;
  readonly duplicatesWithinBatch: number;
  readonly duplicatesAcrossBatches: number;
  readonly invalidEvents: number;
  readonly unsubscribes: number;
  readonly byType: Readonly<Record<string, number>>;
}

type Event = Record<string, unknown>;

/** An event as posted: serialised at once, so the generator keeps text, not objects. */
interface PostedEvent {
  readonly timestamp: number;
  readonly type: string;
  readonly json: string;
}

const CATEGORIES: readonly (readonly string[])[] = [
  ["newsletter"],
  ["onboarding"],
  ["promo", "spring-sale"],
  ["product-news"],
];
const GROUPS = [10, 11];
const TEST_NETS = ["192.0.2.", "198.51.100.", "203.0.113."];

/** The events SendGrid would post about one message, each with a unique `sg_event_id`. */
function messageEvents(
  plan: MessagePlan,
  rng: Rng,
  userAgents: readonly string[],
  endMs: number,
): PostedEvent[] {
  const messageId = rng.id128().replace(/=+$/, "").replace(/[+/]/g, "x");
  // Members every event of this message shares, serialised once; events are written as text.
  const email = JSON.stringify(messyEmail(plan.person.email, rng));
  const category = JSON.stringify(rng.pick(CATEGORIES));
  const smtpId = `"<${messageId}@ismtpd0001p1lon1.sendgrid.net>"`;
  const sgMessageId = `"${messageId}.filterdrecv-5645d9c87f-abcde-1-0"`;
  const at = (ms: number) => Math.floor(Math.min(ms, endMs - 1000) / 1000);
  const event = (type: string, ms: number, extra?: Event): PostedEvent => {
    const timestamp = at(ms);
    const more = extra ? `,${JSON.stringify(extra).slice(1, -1)}` : "";
    const json =
      `{"email":${email},"timestamp":${timestamp},"smtp-id":${smtpId},"event":"${type}",` +
      `"category":${category},"sg_event_id":"${rng.id128()}","sg_message_id":${sgMessageId}${more}}`;
    return { timestamp, type, json };
  };
  const client = () => ({
    useragent: rng.pick(userAgents),
    ip: `${rng.pick(TEST_NETS)}${rng.int(1, 254)}`,
  });
  let t = plan.sentMs + rng.int(1, 30) * 1000;
  if (!plan.unsubscribe && rng.chance(0.03)) {
    return [
      event("bounce", t, {
        reason: "550 5.1.1 The email account does not exist",
        status: "5.1.1",
        type: "bounce",
      }),
    ];
  }
  const events = [event("delivered", t, { response: "250 OK" })];
  if (!plan.unsubscribe && rng.chance(0.003))
    return [...events, event("spamreport", t + rng.int(1, 600) * MINUTE_MS)];
  if (plan.unsubscribe || rng.chance(0.45)) {
    t += rng.int(5, 2 * 24 * 60) * MINUTE_MS;
    events.push(event("open", t, client()));
    if (rng.chance(0.3))
      events.push(event("open", t + rng.int(1, DAY_MS / MINUTE_MS) * MINUTE_MS, client()));
    if (rng.chance(0.35)) {
      t += rng.int(10, 600) * 1000;
      events.push(
        event("click", t, {
          ...client(),
          url: `https://shop.example.com/p/${rng.int(1, 40)}?utm_source=sendgrid`,
        }),
      );
    }
    if (plan.unsubscribe) events.push(event("unsubscribe", t + rng.int(10, 120) * 1000, client()));
    else if (rng.chance(0.005)) {
      events.push(
        event("group_resubscribe", t + 60_000, {
          ...client(),
          asm_group_id: rng.pick(GROUPS),
          url: "https://example.com/prefs",
        }),
      );
    }
  }
  return events;
}

/**
 * The Event Webhook deliveries of one run: every message's events in time order, posted in
 * batches of 50–400; some events repeated within a batch or again in the next one (as SendGrid
 * does), plus `badEvents` invalid ones (unknown event type or a timestamp that is not a number).
 */
export function sendgridRunDeliveries(input: {
  readonly seed: number;
  readonly run: number;
  readonly plans: readonly MessagePlan[];
  readonly userAgents: readonly string[];
  readonly windowEndMs: number;
  readonly badEvents: number;
}): SendgridRunOutput {
  const rng = createRng(input.seed, "sendgrid", input.run);
  const events = input.plans.flatMap((plan) =>
    messageEvents(plan, rng, input.userAgents, input.windowEndMs),
  );
  events.sort((a, b) => a.timestamp - b.timestamp);
  const byType: Record<string, number> = {};
  for (const e of events) byType[e.type] = (byType[e.type] ?? 0) + 1;
  const batches: string[][] = [];
  /** Newest event time (unix seconds) of each batch, before repeats are added. */
  const newest: number[] = [];
  for (let i = 0; i < events.length; ) {
    const size = rng.int(50, 400);
    const slice = events.slice(i, i + size);
    batches.push(slice.map((e) => e.json));
    newest.push(slice[slice.length - 1]?.timestamp ?? 0);
    i += size;
  }
  let duplicatesWithinBatch = 0;
  let duplicatesAcrossBatches = 0;
  batches.forEach((batch, b) => {
    const next = batches[b + 1];
    for (const e of [...batch]) {
      if (rng.chance(0.002)) {
        batch.push(e);
        duplicatesWithinBatch++;
      } else if (next && rng.chance(0.005)) {
        next.unshift(e);
        duplicatesAcrossBatches++;
      }
    }
  });
  const validEvents = events.length + duplicatesWithinBatch + duplicatesAcrossBatches;
  const someone = input.plans[0]?.person.email ?? "nobody@example.com";
  for (let k = 0; k < input.badEvents && batches.length > 0; k++) {
    const batch = rng.pick(batches);
    const bad = {
      email: someone,
      timestamp: k % 2 === 0 ? Math.floor(input.windowEndMs / 1000) - 60 : "yesterday",
      event: k % 2 === 0 ? "teleported" : "open",
      sg_event_id: rng.id128(),
    };
    batch.splice(rng.int(0, batch.length), 0, JSON.stringify(bad));
  }
  let lastMs = 0;
  const sentMs: number[] = [];
  const deliveries = batches.map((batch, b) => {
    lastMs = Math.max(lastMs, (newest[b] ?? 0) * 1000) + rng.int(1, 30) * 1000;
    sentMs.push(lastMs);
    return {
      source: "sendgrid" as const,
      path: webhookPath("sendgrid"),
      headers: { "Content-Type": "application/json" },
      body: `[${batch.join(",\r\n")}]\r\n`,
      sentAt: isoMillis(lastMs),
    };
  });
  return {
    deliveries,
    sentMs,
    validEvents,
    duplicatesWithinBatch,
    duplicatesAcrossBatches,
    invalidEvents: batches.length > 0 ? input.badEvents : 0,
    unsubscribes: byType.unsubscribe ?? 0,
    byType,
  };
}
