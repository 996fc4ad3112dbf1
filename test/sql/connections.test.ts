import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runPull } from "../../functions/core/pull/run-pull.js";
import { rawTableSpec } from "../../functions/core/raw-table.js";
import { rawTableSpecs } from "../../functions/dataform/declarations.js";
import { runDuckDbGraph } from "../../functions/dataform/run-duckdb.js";
import { createEnvSecrets } from "../../functions/platform/env-secrets.js";
import { hubspotPullSource } from "../../functions/sources/hubspot/index.js";
import { startHubspotSandbox } from "../../functions/sources/hubspot/sandbox.js";
import { emptySandboxData } from "../../functions/sources/hubspot/sandbox-data.js";
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
});
