import { createHash } from "node:crypto";

/**
 * What a local Zoom account holds: webinars of one host, each with one past occurrence, its
 * registrants (all three statuses), the participants report (a stay per join, some people drop
 * out and rejoin), poll answers and Q&A. Everything in the Zoom API's own JSON shapes, drawn from
 * a seed over the people given (the demo's synthetic people), so the same seed gives the same
 * account.
 */
export interface ZoomSandboxPerson {
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
}

type Json = Record<string, unknown>;

export interface ZoomSandboxWebinar {
  readonly id: string;
  /** The webinar's uuid (its list entry) and its past occurrence's uuid. */
  readonly uuid: string;
  readonly occurrenceUuid: string;
  readonly topic: string;
  readonly hostId: string;
  readonly startTime: string;
  readonly registrants: readonly Json[];
  readonly participants: readonly Json[];
  readonly polls: readonly Json[];
  readonly questions: readonly Json[];
}

export interface ZoomSandboxData {
  readonly accountId: string;
  readonly webinars: ZoomSandboxWebinar[];
}

const draw = (seed: number, key: string) =>
  createHash("sha256").update(`${seed}:${key}`).digest().readUInt32BE(0) / 0x1_0000_0000;
const token = (seed: number, key: string, length = 22) =>
  createHash("sha256").update(`${seed}:${key}`).digest("base64url").slice(0, length);
const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

const TOPICS = ["Spring collection preview", "Care guide: getting the most out of it"];
const POLL = { id: "798fGJEWrA", question: "How did you hear about this webinar?" };
const POLL_ANSWERS = ["Newsletter", "Social media", "A friend", "Search"];
const QUESTIONS = ["Is there a discount for webinar attendees?", "When does the collection ship?"];

export function zoomSandboxData(input: {
  seed: number;
  now: Date;
  people: readonly ZoomSandboxPerson[];
}): ZoomSandboxData {
  const { seed } = input;
  const hostId = token(seed, "host");
  const webinars = TOPICS.map((topic, w): ZoomSandboxWebinar => {
    // Ended 3 and 10 days ago, one hour long.
    const start = input.now.getTime() - (3 + w * 7) * 86_400_000;
    // Zoom's uuids are base64: some begin with "/" or hold "//" (the double-encoding case).
    const occurrenceUuid = w === 0 ? `/${token(seed, `occ${w}`)}==` : `${token(seed, `occ${w}`)}==`;
    const registrants: Json[] = [];
    const participants: Json[] = [];
    const polls: Json[] = [];
    const questions: Json[] = [];
    input.people.forEach((person, i) => {
      const r = (k: string) => draw(seed, `${w}:${i}:${k}`);
      if (r("registered") > 0.3) return;
      const status = r("status") < 0.85 ? "approved" : r("status") < 0.95 ? "pending" : "denied";
      const registrantId = token(seed, `reg:${w}:${i}`);
      registrants.push({
        id: registrantId,
        email: person.email,
        first_name: person.firstName,
        last_name: person.lastName,
        status,
        create_time: iso(start - Math.floor(r("created") * 14 * 86_400_000)),
        join_url: `https://example.zoom.us/w/${registrantId}`,
      });
      if (status !== "approved" || r("attended") > 0.6) return;
      const userId = token(seed, `part:${w}:${i}`);
      const stays = r("rejoin") < 0.2 ? 2 : 1;
      let at = start + Math.floor(r("late") * 15 * 60_000);
      for (let s = 0; s < stays; s++) {
        const minutes = 5 + Math.floor(r(`stay${s}`) * 40);
        participants.push({
          id: "",
          user_id: userId,
          name: `${person.firstName} ${person.lastName}`,
          user_email: person.email,
          join_time: iso(at),
          leave_time: iso(at + minutes * 60_000),
          duration: minutes * 60,
          registrant_id: registrantId,
          status: "in_meeting",
          failover: false,
        });
        at += (minutes + 3) * 60_000;
      }
      if (r("poll") < 0.7) {
        polls.push({
          name: `${person.firstName} ${person.lastName}`,
          email: person.email,
          question_details: [
            {
              question: POLL.question,
              answer: POLL_ANSWERS[Math.floor(r("answer") * POLL_ANSWERS.length)],
              polling_id: POLL.id,
              date_time: iso(start + 20 * 60_000 + Math.floor(r("answered") * 120_000)),
            },
          ],
        });
      }
      if (r("asked") < 0.25) {
        const created = start + 30 * 60_000 + Math.floor(r("askedAt") * 20 * 60_000);
        questions.push({
          user_id: userId,
          name: `${person.firstName} ${person.lastName}`,
          email: person.email,
          question_details: [
            {
              question_id: token(seed, `q:${w}:${i}`, 11),
              question: QUESTIONS[Math.floor(r("which") * QUESTIONS.length)],
              create_time: iso(created),
              question_status: "answered",
              answer_details: [
                {
                  user_id: hostId,
                  name: "Host",
                  content: "Yes — see the link in the chat.",
                  create_time: iso(created + 60_000),
                  type: "default",
                },
              ],
            },
          ],
        });
      }
    });
    return {
      id: String(81_000_000_000 + seed * 10 + w),
      uuid: `${token(seed, `webinar${w}`)}==`,
      occurrenceUuid,
      topic,
      hostId,
      startTime: iso(start),
      registrants,
      participants,
      polls,
      questions,
    };
  });
  return { accountId: token(seed, "account", 12), webinars };
}
