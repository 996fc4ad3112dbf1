import { describe, expect, it } from "vitest";
import { runDuckDbGraph } from "../../functions/dataform/run-duckdb.js";
import { daysAgo, loadRaw, shopifyOrder, useGraphWarehouse } from "./fixtures.js";
import { hubspotCompany, hubspotContact } from "./identity-fixtures.js";

const db = useGraphWarehouse();

describe("accounts (B2B)", () => {
  it("links contacts to CRM companies by association or domain, makes corporate domains accounts and never free-mail ones", async () => {
    await loadRaw(db.warehouse, {
      orders: [
        // Same company domain as the CRM company, no CRM contact: linked by domain.
        shopifyOrder({ id: "9501", createdAt: daysAgo(3), email: "kai@acme.example" }),
        // A corporate domain no company claims: a domain account of two contacts.
        shopifyOrder({ id: "9502", createdAt: daysAgo(4), email: "mo@globex.example" }),
        shopifyOrder({ id: "9503", createdAt: daysAgo(5), email: "liv@Globex.example" }),
        // Free mail: no account.
        shopifyOrder({ id: "9504", createdAt: daysAgo(6), email: "sam@gmail.com" }),
      ],
      lines: [
        hubspotCompany("77", {
          name: "Acme GmbH",
          domain: "https://www.Acme.example/",
          country: "Germany",
          industry: "MANUFACTURING",
        }),
        hubspotCompany("78", { name: "Initech", domain: "initech.example" }),
        // Associated in the CRM although the email is free mail.
        hubspotContact("821", { email: "ann.private@gmail.com" }, daysAgo(2), ["77"]),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(
      await db.warehouse.query(
        "SELECT email, account_id, account_link FROM marts.dim_contacts ORDER BY email",
      ),
    ).toEqual([
      {
        email: "ann.private@gmail.com",
        account_id: "hubspot:company:77",
        account_link: "crm_association",
      },
      {
        email: "kai@acme.example",
        account_id: "hubspot:company:77",
        account_link: "company_domain",
      },
      {
        email: "liv@globex.example",
        account_id: "domain:globex.example",
        account_link: "email_domain",
      },
      {
        email: "mo@globex.example",
        account_id: "domain:globex.example",
        account_link: "email_domain",
      },
      { email: "sam@gmail.com", account_id: null, account_link: null },
    ]);
    expect(
      await db.warehouse.query(
        "SELECT account_id, account_type, hubspot_company_id, name, domain, country, contacts_count FROM marts.dim_accounts ORDER BY account_id",
      ),
    ).toEqual([
      {
        account_id: "domain:globex.example",
        account_type: "email_domain",
        hubspot_company_id: null,
        name: "globex.example",
        domain: "globex.example",
        country: null,
        contacts_count: 2,
      },
      {
        account_id: "hubspot:company:77",
        account_type: "crm_company",
        hubspot_company_id: "77",
        name: "Acme GmbH",
        domain: "acme.example",
        country: "Germany",
        contacts_count: 2,
      },
      {
        account_id: "hubspot:company:78",
        account_type: "crm_company",
        hubspot_company_id: "78",
        name: "Initech",
        domain: "initech.example",
        country: null,
        contacts_count: 0,
      },
    ]);
  });
});
