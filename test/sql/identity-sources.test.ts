import { describe, expect, it } from "vitest";
import { compileProject } from "../../functions/dataform/compile.js";
import { runDuckDbGraph } from "../../functions/dataform/run-duckdb.js";
import { ga4Event, yyyymmdd } from "../fixtures/ga4/export-rows.js";
import {
  daysAgo,
  loadRaw,
  localGa4Export,
  repoRoot,
  shopifyOrder,
  useGraphWarehouse,
} from "./fixtures.js";
import {
  hubspotContact,
  shopifyCustomer,
  zoomJoin,
  zoomRegistration,
} from "./identity-fixtures.js";

const db = useGraphWarehouse();

async function contactOf(): Promise<Map<string, string>> {
  const rows = await db.warehouse.query<{ record_key: string; contact_id: string }>(
    "SELECT record_key, contact_id FROM staging.int_identity__record_contacts",
  );
  return new Map(rows.map((r) => [r.record_key, r.contact_id]));
}

describe("identity graph: every person-naming source", () => {
  it("makes one contact of a HubSpot contact, a Shopify customer, a Zoom registrant and their order and stay", async () => {
    await loadRaw(db.warehouse, {
      // The order carries only the customer id: no email, no phone.
      orders: [shopifyOrder({ id: "9101", createdAt: daysAgo(5), email: null, customerId: "555" })],
      lines: [
        hubspotContact("801", {
          email: " Ann.Lee@Example.com",
          phone: "+49 30 1234 5611",
          firstname: "Ann",
          lastname: "Lee",
          company: "Acme GmbH",
          country: "DE",
        }),
        // The shop account shares the phone (written nationally) with the CRM contact.
        shopifyCustomer({
          id: 555,
          email: null,
          phone: "030 1234 5611",
          first_name: "Ann",
          last_name: "Lee",
          default_address: { country_code: "DE" },
        }),
        // The registrant shares the email with the CRM contact.
        zoomRegistration({
          id: "reg-ann",
          email: "ann.lee@example.com",
          first_name: "Ann",
          last_name: "Lee",
          country: "DE",
        }),
        // The stay names only the registrant id.
        zoomJoin({ participant_uuid: "p-ann", email: "", registrant_id: "reg-ann" }),
        // Someone else entirely.
        hubspotContact("802", { email: "bob@example.org", firstname: "Bob", lastname: "Ray" }),
      ],
    });
    // The site logs Ann's shop customer id as GA4 user_id; nothing declares what it holds.
    await localGa4Export().write(db.warehouse, [
      {
        day: yyyymmdd(new Date(daysAgo(1))),
        rows: [
          ga4Event({
            name: "page_view",
            at: new Date(daysAgo(1)),
            userId: "555",
            userPseudoId: "1.1",
          }),
        ],
      },
    ]);
    await runDuckDbGraph(db.warehouse, db.graph);
    const contacts = await contactOf();
    const ann = contacts.get("hubspot:contact:801") ?? "";
    expect(ann).toMatch(/^ct_[0-9a-f]{32}$/);
    const annRecords = [...contacts].filter(([, id]) => id === ann).map(([key]) => key);
    expect(annRecords.sort()).toEqual([
      "hubspot:contact:801",
      "shopify:customer:555",
      "shopify:order:9101",
      expect.stringMatching(/^zoom:attendance:/),
      "zoom:registration:1234567890:reg-ann",
    ]);
    expect(contacts.get("hubspot:contact:802")).not.toBe(ann);
    // An undeclared GA4 user_id (and every pseudo id) stays out of the graph.
    expect([...contacts.keys()].filter((key) => key.startsWith("ga4:"))).toEqual([]);
    // The links say which key joined them.
    expect(
      await db.warehouse.query(
        "SELECT DISTINCT identifier_type FROM staging.int_identity__nodes WHERE node_key IN (SELECT node_key FROM staging.int_identity__node_contacts WHERE contact_id = @ann) ORDER BY 1",
        { ann },
      ),
    ).toEqual([
      { identifier_type: "email" },
      { identifier_type: "hubspot_contact_id" },
      { identifier_type: "phone" },
      { identifier_type: "shopify_customer_id" },
      { identifier_type: "zoom_registrant_id" },
    ]);
    expect(
      await db.warehouse.query(
        "SELECT COUNT(*) AS contacts FROM marts.dim_contacts WHERE contact_id = @ann",
        { ann },
      ),
    ).toEqual([{ contacts: 1 }]);
  });

  it("links records without any email through the CRM contact id and the shop customer id", async () => {
    await loadRaw(db.warehouse, {
      orders: [
        shopifyOrder({ id: "9201", createdAt: daysAgo(5), email: null, customerId: "777" }),
        shopifyOrder({ id: "9202", createdAt: daysAgo(6), email: null, customerId: "778" }),
      ],
      lines: [
        shopifyCustomer({ id: 777, email: null, first_name: "Eva", last_name: "Kim" }),
        hubspotContact("901", { firstname: "Eva", lastname: "Kim" }),
        hubspotContact("902", { firstname: "Eva", lastname: "Kim" }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    const contacts = await contactOf();
    expect(contacts.get("shopify:order:9201")).toBe(contacts.get("shopify:customer:777"));
    // Another customer id: another account, another contact.
    expect(contacts.get("shopify:order:9202")).not.toBe(contacts.get("shopify:customer:777"));
    // Each CRM contact is a person even without email or phone.
    expect(contacts.get("hubspot:contact:901")).toMatch(/^ct_/);
    expect(contacts.get("hubspot:contact:902")).toMatch(/^ct_/);
  });

  it("links a GA4 user to the shop account when its user_id is declared a shop customer id", async () => {
    const events = [
      ga4Event({ name: "page_view", at: new Date(daysAgo(1)), userId: "555", userPseudoId: "1.1" }),
    ];
    await loadRaw(db.warehouse, {
      lines: [shopifyCustomer({ id: 555, email: "ann@example.com" })],
    });
    await localGa4Export().write(db.warehouse, [
      { day: yyyymmdd(new Date(daysAgo(1))), rows: events },
    ]);

    const declared = await compileProject({
      projectDir: repoRoot,
      target: "duckdb",
      vars: { identity_ga4_user_id: "shopify_customer_id" },
    });
    await runDuckDbGraph(db.warehouse, declared);
    const contacts = await contactOf();
    expect(contacts.get("ga4:user:555")).toBe(contacts.get("shopify:customer:555"));
    expect(
      await db.warehouse.query(
        "SELECT identifier_type, raw_value FROM staging.int_identifiers__ga4_users",
      ),
    ).toEqual([{ identifier_type: "shopify_customer_id", raw_value: "555" }]);
  });

  it("refuses a GA4 user_id declared as a type it cannot be", async () => {
    await expect(
      compileProject({
        projectDir: repoRoot,
        target: "duckdb",
        vars: { identity_ga4_user_id: "email" },
      }),
    ).rejects.toThrow(
      /identity_ga4_user_id must be one of shopify_customer_id, hubspot_contact_id/,
    );
  });
});
