import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PullIncompleteError } from "../../../../functions/core/pull/errors.js";
import { type PullDeps, runPull } from "../../../../functions/core/pull/run-pull.js";
import type { PullConnection } from "../../../../functions/core/pull/source.js";
import { createEnvSecrets } from "../../../../functions/platform/env-secrets.js";
import { hubspotPullSource } from "../../../../functions/sources/hubspot/index.js";
import { crmStream, HUBSPOT_CRM_STREAMS } from "../../../../functions/sources/hubspot/pull.js";
import {
  type HubspotSandbox,
  startHubspotSandbox,
} from "../../../../functions/sources/hubspot/sandbox.js";
import {
  associate,
  emptySandboxData,
  type HubspotSandboxData,
} from "../../../../functions/sources/hubspot/sandbox-data.js";
import {
  capturingLogger,
  createLake,
  fixedClock,
  type Lake,
  ndjsonLines,
} from "../../handlers/harness.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const TOKEN = "pat-eu1-sandbox";
const at = (second: number) => new Date(Date.UTC(2026, 1, 1) + second * 1000).toISOString();

function contacts(n: number, sameInstantEvery = 1): HubspotSandboxData["contacts"] {
  return Array.from({ length: n }, (_, i) => {
    const modified = at(Math.floor(i / sameInstantEvery));
    return {
      id: String(1000 + i),
      properties: {
        email: `person${i}@example.com`,
        firstname: "P",
        lastmodifieddate: modified,
        createdate: at(0),
      },
      createdAt: at(0),
      updatedAt: modified,
    };
  });
}

let lake: Lake;
let sandbox: HubspotSandbox | undefined;
beforeEach(async () => {
  lake = await createLake();
});
afterEach(async () => {
  await sandbox?.close();
  await lake.cleanup();
});

async function start(
  data: HubspotSandboxData,
  options: { searchPerSecond?: number; searchWindow?: number } = {},
) {
  sandbox = await startHubspotSandbox({ data, token: TOKEN, ...options });
  return sandbox;
}

function connection(url: string, token = TOKEN): PullConnection {
  return {
    id: "eu",
    businessUnit: "Europe",
    settings: { baseUrl: url },
    secrets: createEnvSecrets({ HUBSPOT_ACCESS_TOKEN: token }),
  };
}

function deps(): PullDeps {
  return {
    store: lake.store,
    clock: fixedClock(NOW),
    logger: capturingLogger().logger,
    fetch: globalThis.fetch,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    retry: {
      retries: 3,
      minBackoffMs: 5,
      maxBackoffMs: 20,
      maxRateLimitWaits: 20,
      maxRateLimitWaitMs: 5_000,
    },
  };
}

async function landed(stream: string): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  for (const key of await lake.keys(`raw/hubspot/${stream}/`))
    lines.push(...ndjsonLines(await lake.read(key)));
  return lines;
}

describe("HubSpot pull", () => {
  it("pulls contacts changed since the high-water mark with their companies, and deals with their stage history", async () => {
    const data = emptySandboxData();
    data.contacts = contacts(3);
    data.companies = [
      {
        id: "77",
        properties: { name: "Acme", hs_lastmodifieddate: at(5) },
        createdAt: at(0),
        updatedAt: at(5),
      },
    ];
    data.deals = [
      {
        id: "900",
        properties: {
          dealname: "Big",
          amount: "1200.50",
          dealstage: "closedwon",
          hs_lastmodifieddate: at(9),
        },
        createdAt: at(1),
        updatedAt: at(9),
        stageHistory: [
          { value: "appointmentscheduled", timestamp: at(1) },
          { value: "closedwon", timestamp: at(9) },
        ],
      },
    ];
    associate(data, "contacts", "1000", "companies", "77");
    associate(data, "deals", "900", "contacts", "1001");
    associate(data, "deals", "900", "companies", "77");
    const vendor = await start(data);
    for (const stream of ["contacts", "companies", "deals"]) {
      const outcome = await runPull(deps(), {
        source: hubspotPullSource,
        connection: connection(vendor.url),
        stream,
      });
      expect(outcome.status, stream).toBe("done");
    }
    const people = await landed("contacts");
    expect(people.map((l) => l._record_id).sort()).toEqual([
      "1000:2026-02-01T00:00:00.000Z",
      "1001:2026-02-01T00:00:01.000Z",
      "1002:2026-02-01T00:00:02.000Z",
    ]);
    const first = people.find((l) => String(l._record_id).startsWith("1000:"))?.payload as {
      associations: { companies: string[] };
    };
    expect(first.associations.companies).toEqual(["77"]);
    const [deal] = await landed("deals");
    expect(deal?.payload).toMatchObject({
      associations: { contacts: ["1001"], companies: ["77"] },
      propertiesWithHistory: {
        dealstage: [{ value: "closedwon" }, { value: "appointmentscheduled" }],
      },
    });
    // Only what changed after the high-water mark comes in the next run.
    const contact = data.contacts[1];
    if (contact) contact.properties.lastmodifieddate = "2026-03-01T12:30:00.000Z";
    const later = { ...deps(), clock: fixedClock(new Date("2026-03-01T13:00:00Z")) };
    const next = await runPull(later, {
      source: hubspotPullSource,
      connection: connection(vendor.url),
      stream: "contacts",
    });
    expect(next).toMatchObject({ status: "done", records: 1 });
  });

  it("re-anchors the search filter at the 10,000-result window and lands every contact once, even when several share an instant", async () => {
    // A window of 1,000 (instead of HubSpot's 10,000) in both sandbox and client exercises the
    // same re-anchoring on 2,300 contacts; three contacts share each instant.
    const data = emptySandboxData();
    data.contacts = contacts(2_300, 3);
    const vendor = await start(data, { searchPerSecond: 1000, searchWindow: 1_000 });
    const outcome = await runPull(deps(), {
      source: { ...hubspotPullSource, streams: { contacts: withWindow(1_000) } },
      connection: connection(vendor.url),
      stream: "contacts",
    });
    expect(outcome).toMatchObject({ status: "done", records: 2_300 });
    const ids = (await landed("contacts")).map((l) => l._record_id);
    expect(new Set(ids).size).toBe(2_300);
    expect(vendor.requests.filter((r) => r.status === 400)).toHaveLength(0);
  });

  it("keeps to HubSpot's 5 searches a second: after a 429 the next search waits", async () => {
    const data = emptySandboxData();
    data.contacts = contacts(1_400);
    const vendor = await start(data);
    const outcome = await runPull(deps(), {
      source: hubspotPullSource,
      connection: connection(vendor.url),
      stream: "contacts",
    });
    expect(outcome).toMatchObject({ status: "done", records: 1_400 });
    const searches = vendor.requests.filter((r) => r.path.endsWith("/search"));
    const limited = searches.findIndex((r) => r.status === 429);
    expect(limited).toBeGreaterThan(-1);
    const after = searches[limited + 1];
    expect((after?.at ?? 0) - (searches[limited]?.at ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it("stops at once with the token refused and says to check the credentials, without landing anything", async () => {
    const data = emptySandboxData();
    data.contacts = contacts(5);
    const vendor = await start(data);
    const error = await runPull(deps(), {
      source: hubspotPullSource,
      connection: connection(vendor.url, "revoked"),
      stream: "contacts",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PullIncompleteError);
    expect((error as Error).message).toMatch(
      /HTTP 401.*INVALID_AUTHENTICATION.*check the connection's credentials/,
    );
    expect(await lake.keys("raw/")).toEqual([]);
    expect(vendor.requests).toHaveLength(1);
  });

  it("pulls owners updated in the window once, although the owners API lists them all every time", async () => {
    const data = emptySandboxData();
    data.owners = [1, 2, 3].map((i) => ({
      id: String(i),
      email: `rep${i}@example.com`,
      firstName: "Rep",
      lastName: String(i),
      userId: i,
      createdAt: at(0),
      updatedAt: at(i),
      archived: false,
    }));
    const vendor = await start(data);
    await runPull(deps(), {
      source: hubspotPullSource,
      connection: connection(vendor.url),
      stream: "owners",
    });
    const later = { ...deps(), clock: fixedClock(new Date("2026-03-02T12:00:00Z")) };
    const again = await runPull(later, {
      source: hubspotPullSource,
      connection: connection(vendor.url),
      stream: "owners",
    });
    expect(again.records).toBe(0);
    expect((await landed("owners")).map((l) => l._record_id).sort()).toEqual([
      "1:2026-02-01T00:00:01.000Z",
      "2:2026-02-01T00:00:02.000Z",
      "3:2026-02-01T00:00:03.000Z",
    ]);
  });
});

function withWindow(window: number) {
  return crmStream(HUBSPOT_CRM_STREAMS.contacts, { searchWindow: window });
}
