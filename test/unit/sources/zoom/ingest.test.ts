import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { signZoomDelivery } from "../../../../functions/cli/demo/synthetic/sign-zoom.js";
import {
  type IngestRequest,
  ingestWebhook,
} from "../../../../functions/core/ingest/ingest-webhook.js";
import { zoomEncryptedToken } from "../../../../functions/sources/zoom/extract.js";
import { ZOOM_SECRET, ZOOM_SECRET_PREVIOUS } from "../../../../functions/sources/zoom/verify.js";
import {
  capturingLogger,
  createLake,
  fixedClock,
  ingestDeps,
  type Lake,
  ndjsonLines,
} from "../../handlers/harness.js";
import { zoomApi, zoomVectors } from "./vectors.js";

const NOW = new Date("2026-11-30T15:00:00Z");
const SECRET = "UB_rdTwhTruoYCMr6x6-MQ";

let lake: Lake;
let logs: ReturnType<typeof capturingLogger>;
beforeEach(async () => {
  lake = await createLake();
  logs = capturingLogger();
});
afterEach(() => lake.cleanup());

function deps(env: Record<string, string> = { [ZOOM_SECRET]: SECRET }, maxBodyBytes?: number) {
  return ingestDeps(lake, {
    env,
    clock: fixedClock(NOW),
    logger: logs.logger,
    ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
  });
}

function request(
  body: string,
  options: { secret?: string; at?: Date; signedBody?: string } = {},
): IngestRequest {
  const stamp = Math.floor((options.at ?? NOW).getTime() / 1000);
  return {
    source: "zoom",
    method: "POST",
    url: "/webhooks/zoom",
    headers: {
      "content-type": "application/json; charset=utf-8",
      ...signZoomDelivery(options.secret ?? SECRET, stamp, options.signedBody ?? body),
    },
    rawBody: Buffer.from(body),
  };
}

async function rawLines(stream: string) {
  const keys = await lake.keys(`raw/zoom/${stream}/`);
  return (await Promise.all(keys.map((k) => lake.read(k)))).flatMap(ndjsonLines);
}

describe("the Zoom webhook through the ingest use case", () => {
  it.each(Object.entries(zoomApi.webhooks))(
    "lands Zoom's documented %s payload in its stream with a stable record id",
    async (event, payload) => {
      const stream = event.includes("participant")
        ? "participant_events"
        : event.includes("registration")
          ? "registration_events"
          : "webinar_events";
      const response = await ingestWebhook(deps(), request(JSON.stringify(payload)));
      expect(response).toEqual({
        status: 200,
        body: { accepted: 1, quarantined: 0, duplicate: 0 },
      });
      const [line] = await rawLines(stream);
      expect(line?.payload).toEqual(payload);
      expect(line?._record_id).toMatch(
        new RegExp(`^${event.replace(".", "\\.")}:4444AAAiAAAAAiAiAiiAii==:`),
      );
    },
  );

  it("keys a participant event by the participant and the instant they joined", async () => {
    const joined = zoomApi.webhooks["webinar.participant_joined"];
    await ingestWebhook(deps(), request(JSON.stringify(joined)));
    const [line] = await rawLines("participant_events");
    expect(line?._record_id).toBe(
      "webinar.participant_joined:4444AAAiAAAAAiAiAiiAii==:55555AAAiAAAAAiAiAiiAii:2021-07-13T21:44:51Z",
    );
    expect(await lake.keys("raw/zoom/participant_events/dt=2021-07-13/")).toHaveLength(1);
  });

  it("answers endpoint.url_validation with {plainToken, encryptedToken} and lands nothing", async () => {
    const [vector] = zoomVectors.url_validation.vectors;
    if (!vector) throw new Error("zoom-webhook.json lost its url_validation vector");
    const body = JSON.stringify({
      payload: { plainToken: vector.plainToken },
      event_ts: NOW.getTime(),
      event: "endpoint.url_validation",
    });
    const response = await ingestWebhook(
      deps({ [ZOOM_SECRET]: vector.secret_token }),
      request(body, { secret: vector.secret_token }),
    );
    expect(response.status).toBe(200);
    expect(response.reply).toEqual({
      plainToken: vector.plainToken,
      encryptedToken: vector.expected_encryptedToken,
    });
    expect(await lake.keys("")).toEqual([]);
  });

  it("answers the validation with the secret Zoom signed it with while the token is rotated", async () => {
    const [vector] = zoomVectors.url_validation.vectors;
    if (!vector) throw new Error("zoom-webhook.json lost its url_validation vector");
    const body = JSON.stringify({
      payload: { plainToken: vector.plainToken },
      event: "endpoint.url_validation",
    });
    const env = { [ZOOM_SECRET]: "new-token", [ZOOM_SECRET_PREVIOUS]: vector.secret_token };
    const response = await ingestWebhook(deps(env), request(body, { secret: vector.secret_token }));
    expect(response.reply?.encryptedToken).toBe(vector.expected_encryptedToken);
  });

  it("refuses an unsigned url_validation with 401 instead of answering it", async () => {
    const body = JSON.stringify({
      payload: { plainToken: "abc" },
      event: "endpoint.url_validation",
    });
    const unsigned = { ...request(body), headers: { "content-type": "application/json" } };
    const response = await ingestWebhook(deps(), unsigned);
    expect(response).toEqual({ status: 401, body: { error: "missing_signature" } });
    expect(response.reply).toBeUndefined();
  });

  it("lands a delivery Zoom retries three times once", async () => {
    const body = JSON.stringify(zoomApi.webhooks["webinar.registration_created"]);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await ingestWebhook(deps(), request(body)));
    expect(answers.map((a) => a.body)).toEqual([
      { accepted: 1, quarantined: 0, duplicate: 0 },
      { accepted: 0, quarantined: 0, duplicate: 1 },
      { accepted: 0, quarantined: 0, duplicate: 1 },
    ]);
    expect(await rawLines("registration_events")).toHaveLength(1);
  });
});

describe("hostile and broken Zoom deliveries", () => {
  const genuine = JSON.stringify(zoomApi.webhooks["webinar.participant_left"]);

  it("refuses a tampered body with 401 and lands nothing", async () => {
    const tampered = genuine.replace("Jill Chill", "Jill Chilll");
    const response = await ingestWebhook(deps(), request(tampered, { signedBody: genuine }));
    expect(response).toEqual({ status: 401, body: { error: "invalid_signature" } });
    expect(await lake.keys("")).toEqual([]);
  });

  it("refuses a replay of a genuine delivery signed 6 minutes ago", async () => {
    const at = new Date(NOW.getTime() - 360_000);
    const response = await ingestWebhook(deps(), request(genuine, { at }));
    expect(response).toEqual({ status: 401, body: { error: "timestamp_outside_replay_window" } });
  });

  it("keeps a truncated (but signed) body byte for byte in quarantine and answers 400", async () => {
    const truncated = genuine.slice(0, 80);
    const response = await ingestWebhook(deps(), request(truncated));
    expect(response.status).toBe(400);
    const [key] = await lake.keys("quarantine/zoom/unparsed/");
    expect(key).toBeDefined();
    expect(await lake.keys("raw/")).toEqual([]);
  });

  it("refuses a body over the size limit with 413 before verifying it", async () => {
    const big = JSON.stringify({ ...JSON.parse(genuine), padding: "x".repeat(2048) });
    const response = await ingestWebhook(deps(undefined, 1024), request(big));
    expect(response.status).toBe(413);
    expect(await lake.keys("")).toEqual([]);
  });

  it("quarantines an event with wrong types, with the field paths as reasons", async () => {
    const event = structuredClone(zoomApi.webhooks["webinar.participant_joined"]) as {
      event_ts: unknown;
      payload: { object: { participant: Record<string, unknown> } };
    };
    event.payload.object.participant.join_time = 1626230691;
    event.event_ts = "yesterday";
    const response = await ingestWebhook(deps(), request(JSON.stringify(event)));
    expect(response.body).toEqual({ accepted: 0, quarantined: 1, duplicate: 0 });
    const [line] = (
      await Promise.all(
        (await lake.keys("quarantine/zoom/participant_events/")).map((k) => lake.read(k)),
      )
    ).flatMap(ndjsonLines);
    expect(line?.reasons).toEqual([
      expect.stringMatching(/^event_ts: /),
      expect.stringMatching(/^payload\.object\.participant\.join_time: /),
    ]);
  });

  it("keeps an event it does not subscribe to, quarantined as unrouted", async () => {
    const meeting = JSON.parse(zoomVectors.signature_verification.vectors[1]?.raw_body ?? "{}");
    const response = await ingestWebhook(deps(), request(JSON.stringify(meeting)));
    expect(response.body).toEqual({ accepted: 0, quarantined: 1, duplicate: 0 });
    expect(await lake.keys("quarantine/zoom/unrouted/")).toHaveLength(1);
  });

  it("logs no email, name or header value of a Zoom delivery", async () => {
    await ingestWebhook(deps(), request(genuine));
    await ingestWebhook(deps(), request(genuine.replace("Jill", "Jil"), { signedBody: genuine }));
    const text = logs.lines().join("\n");
    expect(text).not.toContain("jchill@example.com");
    expect(text).not.toContain("Jill");
    expect(text).not.toMatch(/v0=[0-9a-f]{64}/);
  });
});

describe("the Zoom endpoint check over HTTP (the ingest service)", () => {
  it("answers Zoom's url_validation POST with exactly {plainToken, encryptedToken} as JSON", async () => {
    const { startIngestServer } = await import("../../../../functions/handlers/ingest-server.js");
    const server = await startIngestServer({ deps: deps() });
    try {
      const body = JSON.stringify({
        payload: { plainToken: "qgg8vlvZRS6UYooatFL8Aw" },
        event_ts: NOW.getTime(),
        event: "endpoint.url_validation",
      });
      const signed = request(body);
      const response = await fetch(`${server.url}/webhooks/zoom`, {
        method: "POST",
        headers: signed.headers as Record<string, string>,
        body,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({
        plainToken: "qgg8vlvZRS6UYooatFL8Aw",
        encryptedToken: zoomEncryptedToken(SECRET, "qgg8vlvZRS6UYooatFL8Aw"),
      });
    } finally {
      await server.close();
    }
  });
});
