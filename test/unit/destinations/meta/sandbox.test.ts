import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../../../../functions/destinations/meta/normalize.js";
import {
  type MetaSandbox,
  SANDBOX_ACCESS_TOKEN,
  startMetaSandbox,
} from "../../../../functions/destinations/meta/sandbox.js";

const AUDIENCE = "23850000000000001";
const hashOf = (i: number) => sha256Hex(`person${i}@example.com`);

interface Call {
  method?: "POST" | "DELETE";
  token?: string | null;
  audience?: string;
  payload?: unknown;
  session?: unknown;
  json?: boolean;
}

interface Answer {
  audience_id?: string;
  session_id?: string;
  num_received?: number;
  num_invalid_entries?: number;
  invalid_entry_samples?: Record<string, string>;
  error?: { message: string; type?: string; code: number; error_subcode?: number };
}

async function call(sandbox: MetaSandbox, c: Call = {}): Promise<{ status: number; body: Answer }> {
  const params: Record<string, string> = {};
  if (c.payload !== undefined) params.payload = JSON.stringify(c.payload);
  if (c.session !== undefined) params.session = JSON.stringify(c.session);
  const token = c.token === undefined ? SANDBOX_ACCESS_TOKEN : c.token;
  const response = await fetch(`${sandbox.baseUrl}/v24.0/${c.audience ?? AUDIENCE}/users`, {
    method: c.method ?? "POST",
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      "content-type": c.json ? "application/json" : "application/x-www-form-urlencoded",
    },
    body: c.json
      ? JSON.stringify({ payload: c.payload, session: c.session })
      : new URLSearchParams(params),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

describe("Meta sandbox", () => {
  let sandbox: MetaSandbox;
  beforeEach(async () => {
    sandbox = await startMetaSandbox({ audiences: [AUDIENCE] });
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it("keeps the hashed emails added to an audience and forgets the ones removed", async () => {
    const added = await call(sandbox, {
      payload: { schema: "EMAIL_SHA256", data: [hashOf(1), hashOf(2), hashOf(3)] },
      session: { session_id: 42, batch_seq: 1, last_batch_flag: true, estimated_num_total: 3 },
    });
    expect(added).toEqual({
      status: 200,
      body: {
        audience_id: AUDIENCE,
        session_id: "42",
        num_received: 3,
        num_invalid_entries: 0,
        invalid_entry_samples: {},
      },
    });
    const removed = await call(sandbox, {
      method: "DELETE",
      json: true,
      payload: { schema: ["EMAIL"], data: [[hashOf(2)]] },
    });
    expect(removed.body.num_received).toBe(1);
    expect(sandbox.members(AUDIENCE)).toEqual([hashOf(1), hashOf(3)].sort());
  });

  it("counts an unhashed email as an invalid entry, shows it in the samples and does not add it", async () => {
    const answer = await call(sandbox, {
      payload: {
        schema: "EMAIL_SHA256",
        data: [hashOf(1), "Person2@Example.com", hashOf(3).toUpperCase()],
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.num_received).toBe(3);
    expect(answer.body.num_invalid_entries).toBe(2);
    expect(Object.keys(answer.body.invalid_entry_samples ?? {})).toEqual([
      "Person2@Example.com",
      hashOf(3).toUpperCase(),
    ]);
    expect(sandbox.members(AUDIENCE)).toEqual([hashOf(1)]);
  });

  it("refuses a batch of 10,001 rows with error 100 and changes nothing", async () => {
    const data = Array.from({ length: 10_001 }, (_, i) => hashOf(i));
    const answer = await call(sandbox, { payload: { schema: "EMAIL_SHA256", data } });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 100, type: "OAuthException" });
    expect(answer.body.error?.message).toContain("10001");
    expect(sandbox.members(AUDIENCE)).toEqual([]);
  });

  it("accepts a batch of exactly 10,000 rows", async () => {
    const data = Array.from({ length: 10_000 }, (_, i) => hashOf(i));
    const answer = await call(sandbox, { payload: { schema: "EMAIL_SHA256", data } });
    expect(answer.body.num_received).toBe(10_000);
    expect(sandbox.members(AUDIENCE)).toHaveLength(10_000);
  });

  it("refuses a call without an access token, and one with a token it does not know", async () => {
    const payload = { schema: "EMAIL_SHA256", data: [hashOf(1)] };
    const missing = await call(sandbox, { token: null, payload });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 104, type: "OAuthException" });
    const wrong = await call(sandbox, { token: "stolen", payload });
    expect(wrong.body.error).toMatchObject({ code: 190 });
    expect(sandbox.members(AUDIENCE)).toEqual([]);
  });

  it("refuses an audience that does not exist with code 100, subcode 33", async () => {
    const answer = await call(sandbox, {
      audience: "999",
      payload: { schema: "EMAIL_SHA256", data: [hashOf(1)] },
    });
    expect(answer.body.error).toMatchObject({ code: 100, error_subcode: 33 });
  });

  it("refuses a missing payload, an unknown schema, empty data and a malformed session", async () => {
    const answers = await Promise.all([
      call(sandbox, {}),
      call(sandbox, { payload: { schema: "EMAIL_MD5", data: [hashOf(1)] } }),
      call(sandbox, { payload: { schema: "EMAIL_SHA256", data: [] } }),
      call(sandbox, {
        payload: { schema: "EMAIL_SHA256", data: [hashOf(1)] },
        session: { session_id: -1, batch_seq: 0, last_batch_flag: "yes" },
      }),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body.error?.code).toBe(100);
    }
    expect(sandbox.members(AUDIENCE)).toEqual([]);
  });

  it("answers queued faults in order, then serves normally", async () => {
    sandbox.failNext({ kind: "rate_limit", code: 17, status: 429, retryAfterSeconds: 7 });
    sandbox.failNext({ kind: "server_error" });
    const payload = { schema: "EMAIL_SHA256", data: [hashOf(1)] };
    const first = await fetch(`${sandbox.baseUrl}/v24.0/${AUDIENCE}/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${SANDBOX_ACCESS_TOKEN}` },
      body: new URLSearchParams({ payload: JSON.stringify(payload) }),
    });
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("7");
    expect(((await first.json()) as { error: { code: number } }).error.code).toBe(17);
    expect((await call(sandbox, { payload })).status).toBe(500);
    expect((await call(sandbox, { payload })).status).toBe(200);
    expect(sandbox.requests.map((r) => r.status)).toEqual([429, 500, 200]);
  });
});

describe("Meta sandbox persistence", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "unistack-meta-sandbox-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps the audience across a restart when given a state file", async () => {
    const statePath = join(dir, "meta-sandbox.json");
    const first = await startMetaSandbox({ statePath, audiences: [AUDIENCE] });
    await call(first, { payload: { schema: "EMAIL_SHA256", data: [hashOf(1), hashOf(2)] } });
    await first.close();

    const second = await startMetaSandbox({ statePath });
    expect(second.members(AUDIENCE)).toEqual([hashOf(1), hashOf(2)].sort());
    await call(second, {
      method: "DELETE",
      payload: { schema: "EMAIL_SHA256", data: [hashOf(1)] },
    });
    const inspected = await fetch(`${second.baseUrl}/_sandbox/audiences/${AUDIENCE}`);
    expect(((await inspected.json()) as { EMAIL: string[] }).EMAIL).toEqual([hashOf(2)]);
    await second.close();
  });

  it("journals every applied upload with its session, across a restart; a resent batch changes nothing", async () => {
    const statePath = join(dir, "meta-journal.json");
    const session = (seq: number) => ({ session_id: 77, batch_seq: seq, last_batch_flag: false });
    const first = await startMetaSandbox({ statePath, audiences: [AUDIENCE] });
    const batch = { schema: "EMAIL_SHA256", data: [hashOf(1), hashOf(2)] };
    await call(first, { payload: batch, session: session(1) });
    await first.close();

    const second = await startMetaSandbox({ statePath });
    await call(second, { payload: batch, session: session(1) });
    await call(second, {
      method: "DELETE",
      payload: { schema: "EMAIL_SHA256", data: [hashOf(3)] },
    });
    expect(second.uploads().map((u) => [u.op, u.sessionId, u.batchSeq, u.rows, u.changed])).toEqual(
      [
        ["add", 77, 1, 2, 2],
        ["add", 77, 1, 2, 0],
        ["remove", null, null, 1, 0],
      ],
    );
    const [original, resent] = second.uploads();
    expect(resent?.digest).toBe(original?.digest);
    await second.close();
  });
});
