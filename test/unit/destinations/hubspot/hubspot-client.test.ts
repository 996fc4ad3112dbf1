import { afterEach, describe, expect, it } from "vitest";
import {
  createHubspotClient,
  hubspotClientOptionsFromEnv,
} from "../../../../functions/destinations/hubspot/client.js";
import {
  type HubspotSandbox,
  startHubspotSandbox,
} from "../../../../functions/destinations/hubspot/sandbox.js";

/** The HubSpot client against the sandbox: batch limits, HubSpot's rate limits, errors. */

describe("HubSpot client and sandbox", () => {
  let sandbox: HubspotSandbox;
  let t = 0;
  const waits: number[] = [];
  const client = (extra: Partial<Parameters<typeof createHubspotClient>[0]> = {}) =>
    createHubspotClient({
      accessToken: sandbox.accessToken,
      baseUrl: sandbox.baseUrl,
      now: () => new Date(t),
      sleep: async (ms) => {
        waits.push(ms);
        t += ms;
      },
      random: () => 0.5,
      ...extra,
    });
  const start = async (options: Partial<Parameters<typeof startHubspotSandbox>[0]> = {}) => {
    t = Date.UTC(2026, 11, 1);
    waits.length = 0;
    sandbox = await startHubspotSandbox({ owners: ["501"], now: () => t, ...options });
    open = true;
  };
  let open = false;
  afterEach(async () => {
    if (open) await sandbox.close();
    open = false;
  });

  it("upserts 250 contacts by email in calls of at most 100, and again without duplicates", async () => {
    await start();
    const contacts = Array.from({ length: 250 }, (_, i) => ({
      email: `p${i}@example.com`,
      properties: { firstname: `P${i}` },
    }));
    const first = await client().upsertContacts(contacts);
    const second = await client().upsertContacts(contacts);

    expect(first.ids.size).toBe(250);
    expect(second.ids).toEqual(first.ids);
    expect(sandbox.contacts()).toHaveLength(250);
    expect(sandbox.calls.map((c) => c.inputs)).toEqual([100, 100, 50, 100, 100, 50]);
  });

  it("the sandbox refuses a batch of 101 inputs and an unknown property, as HubSpot does", async () => {
    await start();
    const post = (body: unknown) =>
      fetch(`${sandbox.baseUrl}/crm/v3/objects/contacts/batch/upsert`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${sandbox.accessToken}`,
          "content-type": "application/json",
        },
        body: JSON.stringify(body),
      });
    const tooMany = Array.from({ length: 101 }, (_, i) => ({
      idProperty: "email",
      id: `p${i}@example.com`,
      properties: {},
    }));
    const refused = await post({ inputs: tooMany });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ category: "VALIDATION_ERROR" });
    const unknown = await post({
      inputs: [{ idProperty: "email", id: "a@example.com", properties: { shoe_size: "9" } }],
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ category: "PROPERTY_DOESNT_EXIST" });
    expect(sandbox.contacts()).toEqual([]);
  });

  it("paces itself under the app's 10-second limit instead of hitting 429", async () => {
    await start({ requestsPer10s: 5 });
    const hubspot = client({ requestsPer10s: 5 });
    for (let i = 0; i < 12; i++) {
      await hubspot.upsertContacts([{ email: `p${i}@example.com`, properties: {} }]);
    }
    expect(sandbox.calls.filter((c) => c.status === 429)).toEqual([]);
    expect(sandbox.contacts()).toHaveLength(12);
    expect(waits.reduce((a, b) => a + b, 0)).toBe(20_000);
  });

  it("on a 429 without Retry-After waits the interval HubSpot names, exactly", async () => {
    await start({ requestsPer10s: 2 });
    // The client believes it may send 10 per 10 s: the sandbox (2) answers 429 with its window.
    const hubspot = client({ requestsPer10s: 10 });
    for (let i = 0; i < 3; i++) {
      await hubspot.upsertContacts([{ email: `p${i}@example.com`, properties: {} }]);
    }
    expect(sandbox.calls.map((c) => c.status)).toEqual([200, 200, 429, 200]);
    expect(waits).toEqual([10_000]);
  });

  it("names the token on 401 without retrying, and never echoes it", async () => {
    await start();
    const error = await client({ accessToken: "pat-wrong" })
      .upsertContacts([{ email: "a@example.com", properties: {} }])
      .catch((e: unknown) => e as Error);
    expect(String(error)).toContain(
      "HTTP 401 INVALID_AUTHENTICATION (check HUBSPOT_PRIVATE_APP_TOKEN)",
    );
    expect(String(error)).not.toContain("pat-wrong");
    expect(sandbox.calls).toHaveLength(1);
  });

  it("reads its settings from the environment and refuses a missing token", () => {
    expect(() => hubspotClientOptionsFromEnv({})).toThrow(/set HUBSPOT_PRIVATE_APP_TOKEN/);
    expect(
      hubspotClientOptionsFromEnv({
        HUBSPOT_PRIVATE_APP_TOKEN: "pat-x",
        HUBSPOT_REQUESTS_PER_10S: "190",
      }),
    ).toEqual({ accessToken: "pat-x", requestsPer10s: 190 });
  });
});
