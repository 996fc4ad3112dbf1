import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PullIncompleteError } from "../../../../functions/core/pull/errors.js";
import { runPull } from "../../../../functions/core/pull/run-pull.js";
import { createEnvSecrets } from "../../../../functions/platform/env-secrets.js";
import { participantEventsStream } from "../../../../functions/sources/zoom/extract.js";
import {
  createZoomPullSource,
  createZoomTokens,
} from "../../../../functions/sources/zoom/index.js";
import { zoomPathId } from "../../../../functions/sources/zoom/pull-api.js";
import { itemRecords } from "../../../../functions/sources/zoom/pull-records.js";
import { startZoomSandbox, type ZoomSandbox } from "../../../../functions/sources/zoom/sandbox.js";
import { zoomSandboxData } from "../../../../functions/sources/zoom/sandbox-data.js";
import {
  capturingLogger,
  createLake,
  fixedClock,
  type Lake,
  ndjsonLines,
} from "../../handlers/harness.js";
import { zoomApi } from "./vectors.js";

const NOW = new Date("2026-03-10T06:00:00Z");
const people = Array.from({ length: 40 }, (_, i) => ({
  email: `person${i}@example.com`,
  firstName: `First${i}`,
  lastName: `Last${i}`,
}));
let lake: Lake;
let sandbox: ZoomSandbox;
let t = NOW.getTime();
beforeEach(async () => {
  lake = await createLake();
  t = NOW.getTime();
  sandbox = await startZoomSandbox({
    data: zoomSandboxData({ seed: 7, now: NOW, people }),
    clientId: "cid",
    clientSecret: "csecret",
    tokenTtlSeconds: 3600,
    reportsPerSecond: 2,
    now: () => t,
  });
});
afterEach(async () => {
  await sandbox.close();
  await lake.cleanup();
});

function env(over: Record<string, string> = {}) {
  return {
    ZOOM_ACCOUNT_ID: sandbox.data.accountId,
    ZOOM_CLIENT_ID: "cid",
    ZOOM_CLIENT_SECRET: "csecret",
    ...over,
  };
}

function pull(
  stream: string,
  options: {
    env?: Record<string, string>;
    waits?: number[];
    tokens?: ReturnType<typeof createZoomTokens>;
  } = {},
) {
  const tokens = options.tokens ?? createZoomTokens(() => t);
  return runPull(
    {
      store: lake.store,
      clock: fixedClock(new Date(t)),
      logger: capturingLogger().logger,
      fetch: globalThis.fetch,
      // Time passes only while the pull waits, so the sandbox's per-second limit is exact.
      sleep: async (ms) => {
        options.waits?.push(ms);
        t += ms;
      },
    },
    {
      source: createZoomPullSource(tokens),
      connection: {
        id: "default",
        businessUnit: "default",
        settings: { apiUrl: `${sandbox.url}/v2`, oauthUrl: sandbox.url, pageSize: 5 },
        secrets: createEnvSecrets(options.env ?? env()),
      },
      stream,
    },
  );
}

async function landed(stream: string) {
  const lines: Record<string, unknown>[] = [];
  for (const key of await lake.keys(`raw/zoom/${stream}/`))
    lines.push(...ndjsonLines(await lake.read(key)));
  return lines;
}

describe("Zoom pull", () => {
  it("lands every stay of the participants report as its join and leave events, through 429s and pages, with one token", async () => {
    const waits: number[] = [];
    const tokens = createZoomTokens(() => t);
    const outcome = await pull("participant_events", { waits, tokens });
    expect(outcome.status).toBe("done");
    const stays = sandbox.data.webinars.flatMap((w) => w.participants);
    expect(stays.length).toBeGreaterThan(5); // more than one page of 5
    const lines = await landed("participant_events");
    expect(lines).toHaveLength(stays.length * 2);
    const events = lines.map((l) => (l.payload as { event: string }).event).sort();
    expect(events.filter((e) => e === "webinar.participant_joined")).toHaveLength(stays.length);
    // The first occurrence's uuid begins with "/": only a double-encoded path reaches it.
    const uuids = new Set(
      lines.map(
        (l) => (l.payload as { payload: { object: { uuid: string } } }).payload.object.uuid,
      ),
    );
    expect(uuids).toEqual(new Set(sandbox.data.webinars.map((w) => w.occurrenceUuid)));
    expect(sandbox.requests.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(waits.every((ms) => ms === 1000)).toBe(true);
    expect(sandbox.tokensIssued()).toBe(1);
    expect(tokens.issued()).toBe(1);
  });

  it("gives a pulled stay the record id the webhook gives the same join, so both land once", () => {
    const hook = structuredClone(zoomApi.webhooks["webinar.participant_joined"]) as {
      payload: { object: { uuid: string; id: string; participant: Record<string, unknown> } };
    };
    const p = hook.payload.object.participant;
    const [joined] = itemRecords(
      "participants",
      {
        participants: [
          {
            id: p.id,
            user_id: p.user_id,
            name: p.user_name,
            user_email: p.email,
            registrant_id: p.registrant_id,
            // Zoom's reports write the instant with or without fractions; the webhook without.
            join_time: "2021-07-13T21:44:51.000Z",
            leave_time: "2021-07-13T22:44:51Z",
            duration: 3600,
          },
        ],
      },
      { id: hook.payload.object.id, uuid: hook.payload.object.uuid },
      "AAAAAABBBB",
    );
    const pulled = participantEventsStream.check(joined?.value);
    const webhook = participantEventsStream.check(hook);
    expect(pulled.ok && webhook.ok).toBe(true);
    expect(pulled.ok && pulled.recordId).toBe(webhook.ok && webhook.recordId);
  });

  it("pulls registrants of every status, polls and Q&A into their streams", async () => {
    await pull("registration_events");
    await pull("poll_answers");
    await pull("questions");
    const registrants = sandbox.data.webinars.flatMap((w) => w.registrants);
    const registrations = await landed("registration_events");
    expect(registrations).toHaveLength(registrants.length);
    const statuses = new Set(
      registrations.map(
        (l) =>
          (l.payload as { payload: { object: { registrant: { status: string } } } }).payload.object
            .registrant.status,
      ),
    );
    expect(statuses).toEqual(new Set(["approved", "pending", "denied"]));
    expect(await landed("poll_answers")).toHaveLength(
      sandbox.data.webinars.flatMap((w) => w.polls).length,
    );
    const questions = await landed("questions");
    expect(questions).toHaveLength(sandbox.data.webinars.flatMap((w) => w.questions).length);
    expect(questions[0]?.payload).toMatchObject({
      question: { question_status: "answered", answer_details: [{ name: "Host" }] },
    });
  });

  it("asks for a new token when the cached one expired, and once more when Zoom answers 401", async () => {
    const tokens = createZoomTokens(() => t);
    await pull("poll_answers", { tokens });
    expect(sandbox.tokensIssued()).toBe(1);
    t += 3600 * 1000; // the hour is over: the cache renews before calling
    await pull("questions", { tokens });
    expect(sandbox.tokensIssued()).toBe(2);
    sandbox.faults.push({ status: 401, body: { code: 124, message: "Invalid access token." } });
    t += 1000;
    const outcome = await pull("registration_events", { tokens });
    expect(outcome.status).toBe("done");
    expect(sandbox.tokensIssued()).toBe(3);
  });

  it("stops on wrong app credentials with Zoom's error and never the secret in the message", async () => {
    const error = await pull("questions", {
      env: env({ ZOOM_CLIENT_SECRET: "wrong-secret-value" }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PullIncompleteError);
    const message = (error as Error).message;
    expect(message).toContain("HTTP 401 invalid_client");
    expect(message).toContain("ZOOM_CLIENT_SECRET");
    expect(message).not.toContain("wrong-secret-value");
  });

  it("reads an expired next_page_token's list again from its first page, landing each record once", async () => {
    sandbox.expirePageTokens = 1;
    const outcome = await pull("participant_events");
    expect(outcome.status).toBe("done");
    expect(sandbox.requests.filter((r) => r.status === 400)).toHaveLength(1);
    const lines = await landed("participant_events");
    const stays = sandbox.data.webinars.flatMap((w) => w.participants);
    // The first page was read twice; its records keep their ids, so staging counts them once.
    expect(lines.length).toBeGreaterThan(stays.length * 2);
    expect(new Set(lines.map((l) => l._record_id)).size).toBe(stays.length * 2);
  });

  it("encodes a webinar uuid with '/' twice, any other once", () => {
    expect(zoomPathId("/ajXp112QmuoKj4854875==")).toBe("%252FajXp112QmuoKj4854875%253D%253D");
    expect(zoomPathId("ajXp//112Qmuo==")).toBe("ajXp%252F%252F112Qmuo%253D%253D");
    expect(zoomPathId("4444AAAiAAAAAiAiAiiAii==")).toBe("4444AAAiAAAAAiAiAiiAii%3D%3D");
    expect(zoomPathId("1234567890")).toBe("1234567890");
  });
});
