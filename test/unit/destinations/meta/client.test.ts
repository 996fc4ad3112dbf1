import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createMetaClient,
  type MetaAudienceClient,
} from "../../../../functions/destinations/meta/client.js";
import { metaClientOptionsFromEnv } from "../../../../functions/destinations/meta/config.js";
import { MetaApiError } from "../../../../functions/destinations/meta/errors.js";
import { sha256Hex } from "../../../../functions/destinations/meta/normalize.js";
import {
  type MetaSandbox,
  startMetaSandbox,
} from "../../../../functions/destinations/meta/sandbox.js";

const AUDIENCE = "23850000000000002";
const hashes = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => sha256Hex(`person${from + i}@example.com`));
const FAST = { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxRetryAfterMs: 5_000 };

async function failure(promise: Promise<unknown>): Promise<MetaApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof MetaApiError)) throw new Error(`expected a MetaApiError, got ${error}`);
  return error;
}

describe("Meta client against the sandbox", () => {
  let sandbox: MetaSandbox;
  let client: MetaAudienceClient;
  beforeEach(async () => {
    sandbox = await startMetaSandbox({ audiences: [AUDIENCE] });
    client = createMetaClient({
      accessToken: sandbox.accessToken,
      baseUrl: sandbox.baseUrl,
      retry: FAST,
    });
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it("adds hashes with POST and removes them with DELETE", async () => {
    const [added] = await client.send("add", AUDIENCE, hashes(3));
    expect(added).toMatchObject({ rows: 3, numReceived: 3, numInvalidEntries: 0, attempts: 1 });
    await client.send("remove", AUDIENCE, hashes(1));
    expect(sandbox.members(AUDIENCE)).toEqual(hashes(2, 1).sort());
    expect(sandbox.requests.map((r) => [r.method, r.rows])).toEqual([
      ["POST", 3],
      ["DELETE", 1],
    ]);
  });

  it("splits 25,000 hashes into requests of at most 10,000 tied by one upload session", async () => {
    const results = await client.send("add", AUDIENCE, hashes(25_000), {
      sessionId: 7,
      batchSeq: 1,
      lastBatch: true,
      estimatedTotal: 25_000,
    });
    expect(results.map((r) => r.numReceived)).toEqual([10_000, 10_000, 5_000]);
    expect(sandbox.requests.map((r) => r.session)).toEqual([
      { session_id: 7, batch_seq: 1, last_batch_flag: false, estimated_num_total: 25_000 },
      { session_id: 7, batch_seq: 2, last_batch_flag: false, estimated_num_total: 25_000 },
      { session_id: 7, batch_seq: 3, last_batch_flag: true, estimated_num_total: 25_000 },
    ]);
    expect(sandbox.members(AUDIENCE)).toHaveLength(25_000);
  });

  it("waits out Retry-After on a 429 before trying again, then lands the rows", async () => {
    sandbox.failNext({ kind: "rate_limit", code: 17, status: 429, retryAfterSeconds: 1 });
    const [result] = await client.send("add", AUDIENCE, hashes(2));
    expect(result?.attempts).toBe(2);
    const [limited, accepted] = sandbox.requests;
    expect([limited?.status, accepted?.status]).toEqual([429, 200]);
    expect((accepted?.at.getTime() ?? 0) - (limited?.at.getTime() ?? 0)).toBeGreaterThanOrEqual(
      990,
    );
    expect(sandbox.members(AUDIENCE)).toEqual(hashes(2).sort());
  });

  it("backs off and retries rate-limit codes 4, 17, 613 and a server error", async () => {
    for (const code of [4, 17, 613] as const) sandbox.failNext({ kind: "rate_limit", code });
    sandbox.failNext({ kind: "server_error", status: 503 });
    const retrying = createMetaClient({
      accessToken: sandbox.accessToken,
      baseUrl: sandbox.baseUrl,
      retry: { ...FAST, retries: 4 },
    });
    const [result] = await retrying.send("add", AUDIENCE, hashes(1));
    expect(result?.attempts).toBe(5);
    expect(sandbox.requests.map((r) => r.errorCode ?? r.status)).toEqual([4, 17, 613, 2, 200]);
    expect(sandbox.members(AUDIENCE)).toEqual(hashes(1));
  });

  it("never retries code 100 / subcode 1713230 (audience upload blocked)", async () => {
    sandbox.failNext({ kind: "graph_error", code: 100, subcode: 1_713_230 }, 5);
    const error = await failure(client.send("add", AUDIENCE, hashes(2)));
    expect(error).toMatchObject({ kind: "permanent", code: 100, subcode: 1_713_230, attempts: 1 });
    expect(error.retryable).toBe(false);
    expect(error.label).toBe("meta_100_1713230");
    expect(error.message).toContain("Audience Manager");
    expect(sandbox.requests).toHaveLength(1);
    expect(sandbox.members(AUDIENCE)).toEqual([]);
  });

  it("does not retry other 4xx answers such as an unknown audience", async () => {
    const error = await failure(client.send("add", "404404", hashes(1)));
    expect(error).toMatchObject({ kind: "permanent", code: 100, subcode: 33 });
    expect(error.message).toContain("audienceId");
    expect(sandbox.requests).toHaveLength(1);
  });

  it("gives up after a bounded number of attempts and says the failure is transient", async () => {
    sandbox.failNext({ kind: "server_error" }, 10);
    const error = await failure(client.send("add", AUDIENCE, hashes(1)));
    expect(error).toMatchObject({ kind: "transient", status: 500, attempts: 4 });
    expect(error.retryable).toBe(true);
    expect(sandbox.requests).toHaveLength(4);
  });

  it("does not sleep through a Retry-After longer than allowed: it fails as retryable at once", async () => {
    sandbox.failNext({ kind: "rate_limit", code: 613, status: 429, retryAfterSeconds: 3600 });
    const error = await failure(client.send("add", AUDIENCE, hashes(1)));
    expect(error).toMatchObject({ kind: "rate_limited", retryAfterMs: 3_600_000, attempts: 1 });
    expect(sandbox.requests).toHaveLength(1);
  });

  it("reports the invalid entries Meta counted in the batch result", async () => {
    const [result] = await client.send("add", AUDIENCE, [...hashes(2), "not-a-hash"]);
    expect(result).toMatchObject({ numReceived: 3, numInvalidEntries: 1 });
    expect(Object.keys(result?.invalidEntrySamples ?? {})).toEqual(["not-a-hash"]);
  });

  it("keeps personal data out of its error messages", async () => {
    sandbox.failNext({ kind: "graph_error", code: 100, message: "Invalid parameter" });
    const error = await failure(client.send("add", AUDIENCE, hashes(1)));
    expect(error.message).not.toContain(hashes(1)[0]);
    expect(error.message).not.toContain(sandbox.accessToken);
  });

  it("treats an unreachable Graph host as transient", async () => {
    const base = sandbox.baseUrl;
    await sandbox.close();
    const offline = createMetaClient({
      accessToken: "t",
      baseUrl: base,
      retry: { ...FAST, retries: 1 },
    });
    const error = await failure(offline.send("add", AUDIENCE, hashes(1)));
    expect(error).toMatchObject({ kind: "transient", attempts: 2, label: "network" });
    sandbox = await startMetaSandbox();
  });

  it("is refused by Meta without a token", async () => {
    const anonymous = createMetaClient({ accessToken: "", baseUrl: sandbox.baseUrl, retry: FAST });
    const error = await failure(anonymous.send("add", AUDIENCE, hashes(1)));
    expect(error).toMatchObject({ kind: "permanent", code: 104 });
    expect(error.message).toContain("META_ACCESS_TOKEN");
  });
});

describe("Meta client waits", () => {
  let sandbox: MetaSandbox;
  beforeEach(async () => {
    sandbox = await startMetaSandbox({ audiences: [AUDIENCE] });
  });
  afterEach(async () => {
    await sandbox.close();
  });
  const recording = (random = 0.5) => {
    const waits: number[] = [];
    const client = createMetaClient({
      accessToken: sandbox.accessToken,
      baseUrl: sandbox.baseUrl,
      retry: { retries: 3, minTimeoutMs: 10_000, maxTimeoutMs: 60_000, maxRetryAfterMs: 30_000 },
      sleep: async (ms) => void waits.push(ms),
      random: () => random,
    });
    return { client, waits };
  };

  it("waits exactly what Retry-After asks, with no backoff of its own on top", async () => {
    const { client, waits } = recording();
    sandbox.failNext({ kind: "rate_limit", code: 17, status: 429, retryAfterSeconds: 3 }, 2);
    await client.send("add", AUDIENCE, hashes(1));
    expect(waits).toEqual([3_000, 3_000]);
  });

  it("backs off exponentially with jitter when no Retry-After is given", async () => {
    const { client, waits } = recording(0.5);
    sandbox.failNext({ kind: "server_error", status: 503 }, 3);
    await client.send("add", AUDIENCE, hashes(1));
    expect(waits).toEqual([15_000, 30_000, 60_000]);
  });
});

describe("Meta client configuration", () => {
  it("reads the token, version and base URL from the environment, with defaults", () => {
    expect(metaClientOptionsFromEnv({ META_ACCESS_TOKEN: "abc" })).toEqual({
      accessToken: "abc",
      apiVersion: "v24.0",
      baseUrl: "https://graph.facebook.com",
    });
    expect(
      metaClientOptionsFromEnv({
        META_ACCESS_TOKEN: "abc",
        META_API_VERSION: "v25.0",
        META_BASE_URL: "http://127.0.0.1:4000",
      }),
    ).toMatchObject({ apiVersion: "v25.0", baseUrl: "http://127.0.0.1:4000" });
  });

  it("names the variable to set when the token is missing or the version is malformed", () => {
    expect(() => metaClientOptionsFromEnv({})).toThrow(/META_ACCESS_TOKEN/);
    expect(() =>
      metaClientOptionsFromEnv({ META_ACCESS_TOKEN: "a", META_API_VERSION: "24" }),
    ).toThrow(/META_API_VERSION/);
  });
});
