import { describe, expect, it } from "vitest";
import { runDuckDbGraph } from "../../functions/dataform/run-duckdb.js";
import { daysAgo, loadRaw, shopifyOrder, useGraphWarehouse } from "./fixtures.js";
import { hubspotContact, shopifyCustomer } from "./identity-fixtures.js";

const db = useGraphWarehouse();

describe("golden record: survivorship per attribute", () => {
  it("takes each attribute from the most trusted source that has a usable value, else the most recent", async () => {
    const customerSeen = daysAgo(1);
    const laterOrder = daysAgo(2);
    const crmSeen = daysAgo(20);
    await loadRaw(db.warehouse, {
      orders: [
        shopifyOrder({
          id: "9301",
          createdAt: daysAgo(10),
          customerId: "556",
          zip: "1010",
          countryCode: "AT",
        }),
        shopifyOrder({
          id: "9302",
          createdAt: laterOrder,
          customerId: "556",
          zip: "1020",
          countryCode: "AT",
        }),
      ],
      lines: [
        // The CRM is trusted first, even when older: but "n/a" is no first name.
        hubspotContact(
          "811",
          {
            email: "ann@example.com",
            firstname: "n/a",
            lastname: "Lee-Smith",
            company: "Acme GmbH",
            country: "DE",
          },
          crmSeen,
        ),
        shopifyCustomer(
          {
            id: 556,
            email: "ann@example.com",
            phone: "+43 664 9182736",
            first_name: "Ann",
            last_name: "Lee",
            default_address: { country_code: "AT" },
          },
          customerSeen,
        ),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    const rows = await db.warehouse.query(
      "SELECT email, email_source, phone, phone_source, first_name, first_name_source, last_name, last_name_source, country_code, country_code_source, zip, zip_source, zip_updated_at, company, company_source, company_updated_at FROM marts.dim_contacts",
    );
    expect(rows).toEqual([
      {
        email: "ann@example.com",
        email_source: "hubspot:contact",
        phone: "+436649182736",
        phone_source: "shopify:customer",
        first_name: "Ann",
        first_name_source: "shopify:customer",
        last_name: "Lee-Smith",
        last_name_source: "hubspot:contact",
        country_code: "DE",
        country_code_source: "hubspot:contact",
        // Only orders carry a postcode: the latest order's wins.
        zip: "1020",
        zip_source: "shopify:order",
        zip_updated_at: new Date(laterOrder),
        company: "Acme GmbH",
        company_source: "hubspot:contact",
        company_updated_at: new Date(crmSeen),
      },
    ]);
  });

  it("prefers a personal email to a more recent role address of the same source", async () => {
    await loadRaw(db.warehouse, {
      orders: [
        shopifyOrder({
          id: "9401",
          createdAt: daysAgo(9),
          email: "eva.kim@example.com",
          customerId: "601",
        }),
        shopifyOrder({
          id: "9402",
          createdAt: daysAgo(1),
          email: "info@kim-shop.example",
          customerId: "601",
        }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(await db.warehouse.query("SELECT email, email_source FROM marts.dim_contacts")).toEqual([
      { email: "eva.kim@example.com", email_source: "shopify:order" },
    ]);
  });
});
