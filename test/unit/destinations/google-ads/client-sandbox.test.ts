import { createHash } from "node:crypto";
import type { IngestionServiceClient } from "@google-ads/datamanager";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createGoogleAdsClient,
  dataManagerIngestion,
  type GoogleAdsClient,
  type GoogleAudienceMember,
} from "../../../../functions/destinations/google-ads/client.js";
import { readGoogleFailure } from "../../../../functions/destinations/google-ads/errors.js";
import {
  type GoogleAdsSandbox,
  startGoogleAdsSandbox,
} from "../../../../functions/destinations/google-ads/sandbox.js";

const LIST = "1234567890/555";
const DEST = { customerId: "1234567890", userListId: "555" };
const sha = (v: string) => createHash("sha256").update(v).digest("hex");
const member = (i: number, consent = true): GoogleAudienceMember => ({
  userIdentifiers: [{ emailAddress: sha(`m${i}@example.com`) }],
  ...(consent ? { consent: { adUserData: true, adPersonalization: false } } : {}),
});
const members = (n: number) => Array.from({ length: n }, (_, i) => member(i));

describe("Google Ads client against the Data Manager sandbox (platform limits)", () => {
  let sandbox: GoogleAdsSandbox;
  let ingestion: IngestionServiceClient;
  let client: GoogleAdsClient;
  let sleeps: number[];
  beforeEach(async () => {
    sandbox = await startGoogleAdsSandbox({ userLists: [LIST] });
    ingestion = dataManagerIngestion({
      baseUrl: sandbox.baseUrl,
      accessToken: sandbox.accessToken,
    });
    sleeps = [];
    client = createGoogleAdsClient({
      ingestion,
      retry: { retries: 3, minTimeoutMs: 100, maxTimeoutMs: 1_000 },
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0,
    });
  });
  afterEach(async () => {
    await ingestion.close();
    await sandbox.close();
  });

  const rawIngest = async (
    request: Parameters<IngestionServiceClient["ingestAudienceMembers"]>[0],
  ) => {
    try {
      await ingestion.ingestAudienceMembers(request);
      return "OK";
    } catch (error) {
      const f = readGoogleFailure(error);
      return `${f.status} ${f.reason ?? ""} ${f.memberIndexes.join(",")}`.trim();
    }
  };
  const destinations = [
    { operatingAccount: { accountId: "1234567890" }, productDestinationId: "555" },
  ];

  it("splits 25,000 members into requests of at most 10,000, and the list holds them all", async () => {
    const result = await client.send("add", DEST, members(25_000));
    expect(sandbox.requests.map((r) => [r.members, r.httpStatus])).toEqual([
      [10_000, 200],
      [10_000, 200],
      [5_000, 200],
    ]);
    expect(result.requests.map((r) => r.sent.length)).toEqual([10_000, 10_000, 5_000]);
    expect(sandbox.members(LIST)).toHaveLength(25_000);
  });

  it("refuses a request of 10,001 members whole, and takes exactly 10,000", async () => {
    const over = members(10_001).map((m) => ({
      userData: { userIdentifiers: [...m.userIdentifiers] },
      consent: { adUserData: "CONSENT_GRANTED" as const },
    }));
    expect(await rawIngest({ destinations, audienceMembers: over, encoding: "HEX" })).toBe(
      "INVALID_ARGUMENT TOO_MANY_AUDIENCE_MEMBERS",
    );
    expect(sandbox.members(LIST)).toEqual([]);
    expect(await rawIngest({ destinations, audienceMembers: over.slice(1), encoding: "HEX" })).toBe(
      "OK",
    );
    expect(sandbox.members(LIST)).toHaveLength(10_000);
  });

  it("refuses an add without consent, more than 10 identifiers, or a missing encoding, naming the member", async () => {
    const ok = {
      userData: { userIdentifiers: [{ emailAddress: sha("a@example.com") }] },
      consent: { adUserData: "CONSENT_GRANTED" as const },
    };
    const noConsent = { userData: ok.userData };
    const eleven = {
      ...ok,
      userData: {
        userIdentifiers: Array.from({ length: 11 }, (_, i) => ({
          emailAddress: sha(`${i}@x.com`),
        })),
      },
    };
    expect(
      await rawIngest({ destinations, audienceMembers: [ok, noConsent], encoding: "HEX" }),
    ).toBe("INVALID_ARGUMENT REQUIRED_FIELD_MISSING 1");
    expect(await rawIngest({ destinations, audienceMembers: [eleven], encoding: "HEX" })).toBe(
      "INVALID_ARGUMENT TOO_MANY_USER_IDENTIFIERS 0",
    );
    expect(await rawIngest({ destinations, audienceMembers: [ok] })).toBe(
      "INVALID_ARGUMENT REQUIRED_FIELD_MISSING",
    );
    expect(sandbox.members(LIST)).toEqual([]);
  });

  it("removes without consent: removal needs none", async () => {
    await client.send("add", DEST, members(3));
    await client.send("remove", DEST, [{ userIdentifiers: member(1).userIdentifiers }]);
    expect(sandbox.members(LIST)).toEqual(
      [{ email: sha("m0@example.com") }, { email: sha("m2@example.com") }].sort((a, b) =>
        a.email.localeCompare(b.email),
      ),
    );
  });

  it("sets aside a member Google names as malformed and lands the others", async () => {
    const bad: GoogleAudienceMember = {
      userIdentifiers: [{ emailAddress: "ann@example.com" }],
      consent: { adUserData: true, adPersonalization: true },
    };
    const result = await client.send("add", DEST, [member(0), bad, member(2)]);
    expect(result.rejected).toEqual([
      { index: 1, reason: "google_invalid_argument_invalid_sha256_format" },
    ]);
    expect(result.requests.map((r) => r.sent)).toEqual([[0, 2]]);
    expect(sandbox.members(LIST)).toHaveLength(2);
  });

  it("retries UNAVAILABLE with backoff, never retries INVALID_ARGUMENT or an unknown list", async () => {
    sandbox.failNext({ kind: "unavailable" }, 2);
    await client.send("add", DEST, members(2));
    expect(sleeps).toEqual([100, 200]);
    expect(sandbox.members(LIST)).toHaveLength(2);

    const before = sandbox.requests.length;
    await expect(client.send("add", { ...DEST, userListId: "999" }, members(1))).rejects.toThrow(
      /INVALID_ARGUMENT_INVALID_USER_LIST_ID/,
    );
    await expect(
      client.send("add", { ...DEST, customerId: "1111111111" }, members(1)),
    ).rejects.toThrow(/PERMISSION_DENIED \(grant the caller access/);
    expect(sandbox.requests.length - before).toBe(2);
  });
});
