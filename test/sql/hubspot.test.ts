import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runPull } from "../../functions/core/pull/run-pull.js";
import { rawTableSpec } from "../../functions/core/raw-table.js";
import { runDuckDbGraph } from "../../functions/dataform/run-duckdb.js";
import { createEnvSecrets } from "../../functions/platform/env-secrets.js";
import { hubspotPullSource } from "../../functions/sources/hubspot/index.js";
import { startHubspotSandbox } from "../../functions/sources/hubspot/sandbox.js";
import { associate, emptySandboxData } from "../../functions/sources/hubspot/sandbox-data.js";
import { ensureLocalDeclarations } from "../../functions/sources/local-declarations.js";
import { capturingLogger, createLake, fixedClock, type Lake } from "../unit/handlers/harness.js";
import { repoRoot, useGraphWarehouse } from "./fixtures.js";

const db = useGraphWarehouse();
const NOW = new Date("2026-03-01T12:00:00Z");

let lake: Lake;
beforeEach(async () => {
  lake = await createLake();
});
afterEach(() => lake.cleanup());

const at = (day: number) => new Date(Date.UTC(2026, 1, day)).toISOString();

describe("HubSpot staging models", () => {
  it("turn pulled CRM pages into the latest contact, company, deal and owner, and the deal's stage history", async () => {
    const data = emptySandboxData();
    const contact = (modified: string, email: string | null) => ({
      id: "501",
      properties: {
        email,
        firstname: "Ana",
        lastname: "Ruiz",
        lifecyclestage: "lead",
        hubspot_owner_id: "7001",
        hs_email_optout: "false",
        createdate: at(1),
        lastmodifieddate: modified,
      },
      createdAt: at(1),
      updatedAt: modified,
    });
    data.contacts = [contact(at(2), "  Ana.Ruiz@Example.COM ")];
    data.companies = [
      {
        id: "77",
        properties: { name: "Acme", domain: "ACME.example", hs_lastmodifieddate: at(2) },
        createdAt: at(1),
        updatedAt: at(2),
      },
    ];
    data.deals = [
      {
        id: "900",
        properties: {
          dealname: "Acme renewal",
          amount: "1200.50",
          deal_currency_code: "EUR",
          dealstage: "closedwon",
          pipeline: "default",
          closedate: at(9),
          hs_lastmodifieddate: at(9),
        },
        createdAt: at(3),
        updatedAt: at(9),
        stageHistory: [
          { value: "appointmentscheduled", timestamp: at(3) },
          { value: "contractsent", timestamp: at(6) },
          { value: "closedwon", timestamp: at(9) },
        ],
      },
    ];
    data.owners = [
      {
        id: "7001",
        email: "Rep@Sales.example",
        firstName: "R",
        lastName: "P",
        userId: 1,
        createdAt: at(1),
        updatedAt: at(1),
        archived: false,
      },
    ];
    associate(data, "contacts", "501", "companies", "77");
    associate(data, "deals", "900", "contacts", "501");
    associate(data, "deals", "900", "companies", "77");
    const sandbox = await startHubspotSandbox({ data, token: "t" });
    const pull = async (now: Date) => {
      for (const stream of Object.keys(hubspotPullSource.streams)) {
        await runPull(
          {
            store: lake.store,
            clock: fixedClock(now),
            logger: capturingLogger().logger,
            fetch: globalThis.fetch,
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          },
          {
            source: hubspotPullSource,
            connection: {
              id: "eu",
              businessUnit: "Europe",
              settings: { baseUrl: sandbox.url },
              secrets: createEnvSecrets({ HUBSPOT_ACCESS_TOKEN: "t" }),
            },
            stream,
          },
        );
      }
    };
    try {
      await pull(NOW);
      // The contact changes later: a second version is pulled; staging keeps the newer one.
      data.contacts = [contact("2026-03-01T12:30:00.000Z", "ana@example.com")];
      await pull(new Date("2026-03-01T14:00:00Z"));
    } finally {
      await sandbox.close();
    }
    for (const stream of ["contacts", "companies", "deals", "owners"]) {
      const keys = await lake.keys(`raw/hubspot/${stream}/`);
      await db.warehouse.load({
        table: rawTableSpec("hubspot", stream),
        sourceUris: keys.map((k) => lake.store.uriOf(k)),
        jobId: `hubspot_${stream}`,
      });
    }
    await ensureLocalDeclarations(db.warehouse, db.graph, repoRoot);
    await runDuckDbGraph(db.warehouse, db.graph);

    expect(
      await db.warehouse.query(
        "SELECT contact_id, email_raw, email, primary_company_id, email_opt_out FROM staging.stg_hubspot__contacts",
      ),
    ).toEqual([
      {
        contact_id: "501",
        email_raw: "ana@example.com",
        email: "ana@example.com",
        primary_company_id: "77",
        email_opt_out: false,
      },
    ]);
    expect(
      await db.warehouse.query("SELECT company_id, domain FROM staging.stg_hubspot__companies"),
    ).toEqual([{ company_id: "77", domain: "acme.example" }]);
    const [deal] = await db.warehouse.query(
      "SELECT deal_id, amount, is_closed_won, company_id, contact_id FROM staging.stg_hubspot__deals",
    );
    expect(deal).toMatchObject({
      deal_id: "900",
      is_closed_won: true,
      company_id: "77",
      contact_id: "501",
    });
    expect(Number(deal?.amount)).toBe(1200.5);
    const stages = await db.warehouse.query(
      "SELECT deal_stage, entered_at FROM staging.stg_hubspot__deal_stage_changes ORDER BY entered_at",
    );
    expect(stages.map((s) => s.deal_stage)).toEqual([
      "appointmentscheduled",
      "contractsent",
      "closedwon",
    ]);
    expect(
      await db.warehouse.query("SELECT owner_id, email FROM staging.stg_hubspot__owners"),
    ).toEqual([{ owner_id: "7001", email: "rep@sales.example" }]);
  });
});
