import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runPull } from "../../functions/core/pull/run-pull.js";
import type { PullSource } from "../../functions/core/pull/source.js";
import { rawTableSpec } from "../../functions/core/raw-table.js";
import { rawTableSpecs } from "../../functions/dataform/declarations.js";
import { runDuckDbGraph } from "../../functions/dataform/run-duckdb.js";
import { createEnvSecrets } from "../../functions/platform/env-secrets.js";
import { googleAdsPullSource } from "../../functions/sources/google-ads/index.js";
import { startGoogleAdsSandbox } from "../../functions/sources/google-ads/sandbox.js";
import { googleAdsSandboxData } from "../../functions/sources/google-ads/sandbox-data.js";
import { hubspotPullSource } from "../../functions/sources/hubspot/index.js";
import { startHubspotSandbox } from "../../functions/sources/hubspot/sandbox.js";
import { emptySandboxData } from "../../functions/sources/hubspot/sandbox-data.js";
import { createZoomPullSource, createZoomTokens } from "../../functions/sources/zoom/index.js";
import { startZoomSandbox } from "../../functions/sources/zoom/sandbox.js";
import { zoomSandboxData } from "../../functions/sources/zoom/sandbox-data.js";
import { capturingLogger, createLake, fixedClock, type Lake } from "../unit/handlers/harness.js";
import { localGa4Export, useGraphWarehouse } from "./fixtures.js";

const db = useGraphWarehouse();
const NOW = new Date("2026-03-01T12:00:00Z");

let lake: Lake;
beforeEach(async () => {
  lake = await createLake();
});
afterEach(() => lake.cleanup());

/** A portal whose only contact has HubSpot id 501 (ids are per portal: both portals have one). */
function portal(email: string) {
  const data = emptySandboxData();
  const at = "2026-02-02T00:00:00.000Z";
  data.contacts = [
    {
      id: "501",
      properties: { email, firstname: "Ana", createdate: at, lastmodifieddate: at },
      createdAt: at,
      updatedAt: at,
    },
  ];
  return data;
}

describe("several connections of one source in staging", () => {
  it("keep two HubSpot portals' contact 501 apart, each with its connection and business unit", async () => {
    const portals = [
      { id: "eu", businessUnit: "Europe", email: "ana@eu.example" },
      { id: "us", businessUnit: "Americas", email: "ana@us.example" },
    ];
    for (const p of portals) {
      const sandbox = await startHubspotSandbox({ data: portal(p.email), token: `t-${p.id}` });
      try {
        await runPull(
          {
            store: lake.store,
            clock: fixedClock(NOW),
            logger: capturingLogger().logger,
            fetch: globalThis.fetch,
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          },
          {
            source: hubspotPullSource,
            connection: {
              id: p.id,
              businessUnit: p.businessUnit,
              settings: { baseUrl: sandbox.url },
              secrets: createEnvSecrets({ HUBSPOT_ACCESS_TOKEN: `t-${p.id}` }),
            },
            stream: "contacts",
          },
        );
      } finally {
        await sandbox.close();
      }
    }
    const keys = await lake.keys("raw/hubspot/contacts/");
    expect(keys).toHaveLength(2);
    await db.warehouse.load({
      table: rawTableSpec("hubspot", "contacts"),
      sourceUris: keys.map((k) => lake.store.uriOf(k)),
      jobId: "hubspot_contacts_two_portals",
    });
    for (const spec of rawTableSpecs(db.graph)) await db.warehouse.ensureTable(spec);
    // The graph also reads the GA4 export (declared, not loaded): an empty one here.
    await localGa4Export().ensure(db.warehouse);
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(
      await db.warehouse.query(
        "SELECT connection_id, business_unit, contact_id, email FROM staging.stg_hubspot__contacts ORDER BY connection_id",
      ),
    ).toEqual([
      { connection_id: "eu", business_unit: "Europe", contact_id: "501", email: "ana@eu.example" },
      {
        connection_id: "us",
        business_unit: "Americas",
        contact_id: "501",
        email: "ana@us.example",
      },
    ]);
  });

  it("read rows landed before connections existed as connection and business unit 'default'", async () => {
    await db.warehouse.insertRows(rawTableSpec("shopify", "customers"), [
      {
        _record_id: "7:2026-01-01T00:00:00Z",
        _source: "shopify",
        _stream: "customers",
        _received_at: "2026-01-01T00:00:00Z",
        _batch_id: "b",
        _object: "raw/shopify/customers/dt=2026-01-01/b.ndjson",
        payload: JSON.stringify({
          id: 7,
          email: "old@example.com",
          created_at: "2026-01-01T00:00:00Z",
          updated_at: "2026-01-01T00:00:00Z",
        }),
      },
    ]);
    for (const spec of rawTableSpecs(db.graph)) await db.warehouse.ensureTable(spec);
    // The graph also reads the GA4 export (declared, not loaded): an empty one here.
    await localGa4Export().ensure(db.warehouse);
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(
      await db.warehouse.query(
        "SELECT connection_id, business_unit, customer_id FROM staging.stg_shopify__customers",
      ),
    ).toEqual([{ connection_id: "default", business_unit: "default", customer_id: "7" }]);
  });

  it("keep two Zoom accounts' and two Google Ads logins' identical ids apart, per connection", async () => {
    const people = Array.from({ length: 30 }, (_, i) => ({
      email: `person${i}@example.com`,
      firstName: "Ana",
      lastName: `Lima${i}`,
    }));
    const units = [
      { id: "eu", businessUnit: "Europe" },
      { id: "us", businessUnit: "Americas" },
    ];
    const deps = {
      store: lake.store,
      clock: fixedClock(NOW),
      logger: capturingLogger().logger,
      fetch: globalThis.fetch,
      sleep: async () => undefined,
    };
    const pullAll = async (
      source: PullSource,
      streams: string[],
      unit: (typeof units)[0],
      settings: Record<string, unknown>,
      env: Record<string, string>,
    ) => {
      for (const stream of streams) {
        await runPull(deps, {
          source,
          connection: { ...unit, settings, secrets: createEnvSecrets(env) },
          stream,
        });
      }
    };
    for (const unit of units) {
      // The same seed: both accounts hold the same webinar, registrant and campaign ids.
      const zoom = await startZoomSandbox({
        data: zoomSandboxData({ seed: 1, now: NOW, people }),
        clientId: "c",
        clientSecret: "s",
      });
      const ads = await startGoogleAdsSandbox({
        data: googleAdsSandboxData({ seed: 1, now: NOW }),
        accessToken: "ya29",
        developerToken: "dev",
      });
      try {
        await pullAll(
          createZoomPullSource(createZoomTokens()),
          ["participant_events", "poll_answers"],
          unit,
          { apiUrl: `${zoom.url}/v2`, oauthUrl: zoom.url },
          { ZOOM_ACCOUNT_ID: zoom.data.accountId, ZOOM_CLIENT_ID: "c", ZOOM_CLIENT_SECRET: "s" },
        );
        await pullAll(
          googleAdsPullSource,
          ["campaign_stats"],
          unit,
          { baseUrl: ads.url, customerId: "1234567890", lookbackDays: 1, backfillDays: 1 },
          { GOOGLE_ADS_ACCESS_TOKEN: "ya29", GOOGLE_ADS_DEVELOPER_TOKEN: "dev" },
        );
      } finally {
        await zoom.close();
        await ads.close();
      }
    }
    for (const [source, stream] of [
      ["zoom", "participant_events"],
      ["zoom", "poll_answers"],
      ["google_ads", "campaign_stats"],
    ] as const) {
      const keys = await lake.keys(`raw/${source}/${stream}/`);
      await db.warehouse.load({
        table: rawTableSpec(source, stream),
        sourceUris: keys.map((k) => lake.store.uriOf(k)),
        jobId: `${source}_${stream}_two_connections`,
      });
    }
    for (const spec of rawTableSpecs(db.graph)) await db.warehouse.ensureTable(spec);
    await localGa4Export().ensure(db.warehouse);
    await runDuckDbGraph(db.warehouse, db.graph);
    const perConnection = (table: string) =>
      db.warehouse.query(
        `SELECT connection_id, business_unit, COUNT(*)::INT AS n FROM staging.${table} GROUP BY 1, 2 ORDER BY 1`,
      );
    for (const table of [
      "stg_zoom__participants",
      "stg_zoom__webinars",
      "stg_zoom__poll_answers",
      "stg_google_ads__campaign_stats",
    ]) {
      const rows = (await perConnection(table)) as {
        connection_id: string;
        business_unit: string;
        n: number;
      }[];
      expect(
        rows.map((r) => [r.connection_id, r.business_unit]),
        table,
      ).toEqual([
        ["eu", "Europe"],
        ["us", "Americas"],
      ]);
      expect(rows[0]?.n, table).toBe(rows[1]?.n);
      expect(rows[0]?.n, table).toBeGreaterThan(0);
    }
  });
});
