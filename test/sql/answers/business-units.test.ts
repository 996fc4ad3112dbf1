import { describe, expect, it } from "vitest";
import type { RawLine } from "../../../functions/core/raw-table.js";
import { runDuckDbGraph } from "../../../functions/dataform/run-duckdb.js";
import { daysAgo, shopifyOrder, useGraphWarehouse } from "../fixtures.js";
import { EMPTY_CORE, loadRawTables, rawLine, shopifyBasket } from "./raw-fixtures.js";

const db = useGraphWarehouse();
const at = daysAgo(3, Date.now());

/** A raw row as landed on a named connection (the loader copies both from the landing). */
const on = (connection: string, businessUnit: string, line: RawLine): RawLine => ({
  ...line,
  _connection: connection,
  _business_unit: businessUnit,
});
const europe = (line: RawLine) => on("eu-shop", "europe", line);
const americas = (line: RawLine) => on("us-shop", "americas", line);

function crm(stream: string, id: string, properties: Record<string, string>, associations = {}) {
  return rawLine("hubspot", stream, `${id}:${at}`, {
    id,
    properties: { ...properties, lastmodifieddate: at, hs_lastmodifieddate: at, createdate: at },
    associations,
  });
}

describe("answers of several business units", () => {
  it("keep two units apart in order lines and region growth: one row each, and a unit's filter sees only its own data", async () => {
    const subscribed = { state: "subscribed", at };
    await loadRawTables(db.warehouse, {
      ...EMPTY_CORE,
      "shopify.orders": [
        // Each shop sells the same product ids; every billing address is in Germany (DACH).
        europe(
          shopifyBasket({
            id: "101",
            email: "anna@eu.example",
            createdAt: at,
            totalPrice: "20.00",
            products: [
              [1, "Mug"],
              [2, "Tea"],
            ],
          }),
        ),
        americas(
          shopifyBasket({
            id: "201",
            email: "bob@us.example",
            createdAt: at,
            totalPrice: "10.00",
            products: [[1, "Mug"]],
          }),
        ),
        // A consented lead per shop (only a cancelled order), one more for Europe.
        ...["lead1@eu.example", "lead2@eu.example"].map((email, i) =>
          europe(
            shopifyOrder({
              id: `10${i + 2}`,
              email,
              countryCode: "DE",
              createdAt: at,
              cancelledAt: at,
              emailConsent: subscribed,
            }),
          ),
        ),
        americas(
          shopifyOrder({
            id: "202",
            email: "lead@us.example",
            countryCode: "AT",
            createdAt: at,
            cancelledAt: at,
            emailConsent: subscribed,
          }),
        ),
      ],
      // Two HubSpot portals, one per unit; both have a company "c1" (ids are per portal).
      "hubspot.companies": [
        on("eu-crm", "europe", crm("companies", "c1", { name: "Acme GmbH", country: "Germany" })),
        on("us-crm", "americas", crm("companies", "c1", { name: "Acme Inc", country: "France" })),
      ],
      "hubspot.contacts": [
        on(
          "eu-crm",
          "europe",
          crm("contacts", "h1", { email: "h1@acme.example", lifecyclestage: "opportunity" }),
        ),
        on(
          "us-crm",
          "americas",
          crm("contacts", "h2", { email: "h2@acme.example", lifecyclestage: "lead" }),
        ),
      ],
      "hubspot.deals": [
        on(
          "eu-crm",
          "europe",
          crm(
            "deals",
            "d1",
            { dealstage: "appointmentscheduled", amount: "1000", closedate: at },
            { companies: ["c1"] },
          ),
        ),
        on(
          "us-crm",
          "americas",
          crm(
            "deals",
            "d2",
            { dealstage: "qualifiedtobuy", amount: "300", closedate: at },
            { companies: ["c1"] },
          ),
        ),
      ],
      "hubspot.owners": [],
      "hubspot.events": [],
    });
    await runDuckDbGraph(db.warehouse, db.graph);

    expect(
      await db.warehouse.query(
        `SELECT order_id, connection_id, business_unit, COUNT(*) AS lines
         FROM marts.fct_order_items GROUP BY ALL ORDER BY order_id`,
      ),
    ).toEqual([
      { order_id: "101", connection_id: "eu-shop", business_unit: "europe", lines: 2 },
      { order_id: "201", connection_id: "us-shop", business_unit: "americas", lines: 1 },
    ]);
    // The same product sold by both shops counts per unit (bought-together needs both baskets).
    expect(
      await db.warehouse.query(
        `SELECT business_unit, COUNT(*) AS baskets FROM (
           SELECT DISTINCT business_unit, order_id FROM marts.fct_order_items WHERE product_id = '1'
         ) GROUP BY ALL ORDER BY business_unit`,
      ),
    ).toEqual([
      { business_unit: "americas", baskets: 1 },
      { business_unit: "europe", baskets: 1 },
    ]);

    const growth = (where: string) =>
      db.warehouse.query(
        `SELECT business_unit, region, contacts, gdpr_valid_leads, crm_leads, crm_opportunities,
           open_deals, open_pipeline
         FROM reports.rpt_region_growth WHERE ${where} ORDER BY business_unit, region`,
      );
    const europeRows = [
      // anna + two leads in Germany; the CRM contact (a contact of its own: the identity graph
      // reads CRM contacts) has no country (Unknown), the deal's company is the Europe portal's
      // c1 in Germany.
      {
        business_unit: "europe",
        region: "DACH",
        contacts: 3,
        gdpr_valid_leads: 2,
        crm_leads: 0,
        crm_opportunities: 0,
        open_deals: 1,
        open_pipeline: 1000,
      },
      {
        business_unit: "europe",
        region: "Unknown",
        contacts: 1,
        gdpr_valid_leads: 0,
        crm_leads: 1,
        crm_opportunities: 1,
        open_deals: 0,
        open_pipeline: 0,
      },
    ];
    const americasRows = [
      // bob (Germany) and the Austrian lead; the Americas portal's c1 is in France.
      {
        business_unit: "americas",
        region: "DACH",
        contacts: 2,
        gdpr_valid_leads: 1,
        crm_leads: 0,
        crm_opportunities: 0,
        open_deals: 0,
        open_pipeline: 0,
      },
      {
        business_unit: "americas",
        region: "France",
        contacts: 0,
        gdpr_valid_leads: 0,
        crm_leads: 0,
        crm_opportunities: 0,
        open_deals: 1,
        open_pipeline: 300,
      },
      {
        business_unit: "americas",
        region: "Unknown",
        contacts: 1,
        gdpr_valid_leads: 0,
        crm_leads: 1,
        crm_opportunities: 0,
        open_deals: 0,
        open_pipeline: 0,
      },
    ];
    expect(await growth("TRUE")).toEqual([...americasRows, ...europeRows]);
    // The row access policy of a unit (infra/reports-row-access.tf) filters on business_unit:
    // each unit's rows hold only its own shop's contacts and its own portal's pipeline.
    expect(await growth("business_unit = 'europe'")).toEqual(europeRows);
    expect(await growth("business_unit = 'americas'")).toEqual(americasRows);
  });
});
