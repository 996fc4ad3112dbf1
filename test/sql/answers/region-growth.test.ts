import { describe, expect, it } from "vitest";
import { runDuckDbGraph } from "../../../functions/dataform/run-duckdb.js";
import { daysAgo, shopifyOrder, useGraphWarehouse } from "../fixtures.js";
import { EMPTY_CORE, loadRawTables, rawLine } from "./raw-fixtures.js";

const db = useGraphWarehouse();
const NOW = Date.now();
const at = daysAgo(3, NOW);

function crm(stream: string, id: string, properties: Record<string, string>, associations = {}) {
  return rawLine("hubspot", stream, `${id}:${at}`, {
    id,
    properties: { ...properties, lastmodifieddate: at, hs_lastmodifieddate: at, createdate: at },
    associations,
  });
}

const deal = (id: string, company: string, stage: string, amount: string) =>
  crm("deals", id, { dealstage: stage, amount, closedate: at }, { companies: [company] });

describe("growth potential per region", () => {
  it("combines consented leads, CRM conversion and open pipeline per region", async () => {
    const subscribed = { state: "subscribed", at };
    await loadRawTables(db.warehouse, {
      ...EMPTY_CORE,
      "shopify.orders": [
        // A customer (not a lead), two consented leads (only cancelled orders) and one without consent.
        shopifyOrder({
          id: "1",
          email: "buyer@de.example",
          countryCode: "DE",
          createdAt: at,
          emailConsent: subscribed,
        }),
        shopifyOrder({
          id: "2",
          email: "lead@de.example",
          countryCode: "DE",
          createdAt: at,
          cancelledAt: at,
          emailConsent: subscribed,
          banner: { adUserData: "granted", adPersonalization: "granted" },
        }),
        shopifyOrder({
          id: "3",
          email: "nolead@de.example",
          countryCode: "AT",
          createdAt: at,
          cancelledAt: at,
          emailConsent: { state: "not_subscribed", at },
        }),
        shopifyOrder({
          id: "4",
          email: "lead@fr.example",
          countryCode: "FR",
          createdAt: at,
          cancelledAt: at,
          emailConsent: subscribed,
        }),
      ],
      "hubspot.companies": [
        crm("companies", "c1", { name: "Acme GmbH", country: "Germany" }),
        crm("companies", "c2", { name: "Lumière", country: "FR" }),
      ],
      "hubspot.contacts": [
        crm("contacts", "h1", {
          email: "h1@acme.example",
          lifecyclestage: "lead",
          country: "Germany",
        }),
        crm("contacts", "h2", {
          email: "h2@acme.example",
          lifecyclestage: "opportunity",
          country: "germany",
        }),
        crm("contacts", "h3", {
          email: "h3@acme.example",
          lifecyclestage: "customer",
          country: "DE",
        }),
        crm("contacts", "h4", {
          email: "h4@lumiere.example",
          lifecyclestage: "lead",
          country: "France",
        }),
      ],
      "hubspot.deals": [
        deal("d1", "c1", "closedwon", "1000"),
        deal("d2", "c1", "closedlost", "500"),
        deal("d3", "c1", "appointmentscheduled", "2000"),
        deal("d4", "c2", "qualifiedtobuy", "800"),
      ],
      "hubspot.owners": [],
      "hubspot.events": [],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    const rows = await db.warehouse.query(
      `SELECT region, contacts, gdpr_valid_leads, ad_consented_leads, crm_leads, crm_opportunities,
         crm_customers, lead_to_opportunity_pct, opportunity_to_customer_pct, win_rate_pct,
         open_pipeline, avg_won_amount, expected_from_pipeline, expected_from_leads,
         growth_potential, growth_share_pct
       FROM reports.rpt_region_growth ORDER BY region`,
    );
    expect(rows).toEqual([
      {
        region: "DACH",
        // Three shop contacts and the three CRM contacts (Germany, germany, DE): the identity
        // graph makes every CRM contact a contact.
        contacts: 6,
        gdpr_valid_leads: 1,
        ad_consented_leads: 1,
        crm_leads: 3,
        crm_opportunities: 2,
        crm_customers: 1,
        lead_to_opportunity_pct: 66.67,
        opportunity_to_customer_pct: 50,
        win_rate_pct: 50,
        open_pipeline: 2000,
        avg_won_amount: 1000,
        // 2000 × 0.5 + 1 × (2 + 10 × 0.5) / (3 + 10) × 0.5 × 1000
        expected_from_pipeline: 1000,
        expected_from_leads: 269.23,
        growth_potential: 1269.23,
        growth_share_pct: 66.92,
      },
      {
        region: "France",
        contacts: 2,
        gdpr_valid_leads: 1,
        ad_consented_leads: 0,
        crm_leads: 1,
        crm_opportunities: 0,
        crm_customers: 0,
        lead_to_opportunity_pct: 0,
        opportunity_to_customer_pct: null,
        win_rate_pct: null,
        open_pipeline: 800,
        // No won deal of its own: the overall average; rates shrunk towards the overall ones.
        avg_won_amount: 1000,
        expected_from_pipeline: 400,
        expected_from_leads: 227.27,
        growth_potential: 627.27,
        growth_share_pct: 33.08,
      },
    ]);
  });
});
