import { describe, expect, it } from "vitest";
import { runDuckDbGraph } from "../../functions/dataform/run-duckdb.js";
import { daysAgo, loadRaw, sendgridEvent, shopifyOrder, useGraphWarehouse } from "./fixtures.js";

const db = useGraphWarehouse();

async function contacts() {
  return db.warehouse.query("SELECT * FROM marts.dim_contacts ORDER BY email");
}

describe("identity", () => {
  it("resolves the same person in Shopify and SendGrid to one contact", async () => {
    await loadRaw(db.warehouse, {
      orders: [shopifyOrder({ id: "1001", email: " Alice@Example.COM ", createdAt: daysAgo(5) })],
      events: [
        sendgridEvent({
          id: "ev-1",
          email: "alice@example.com",
          event: "delivered",
          at: daysAgo(2),
        }),
        sendgridEvent({ id: "ev-2", email: "ALICE@example.com\t", event: "open", at: daysAgo(1) }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);

    const rows = await contacts();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ email: "alice@example.com", orders_count: 1 });
    const contactId = rows[0]?.contact_id;
    expect(contactId).toMatch(/^ct_[0-9a-f]{32}$/);
    const events = await db.warehouse.query(
      "SELECT DISTINCT contact_id FROM marts.fct_email_events",
    );
    expect(events).toEqual([{ contact_id: contactId }]);
    const orders = await db.warehouse.query("SELECT contact_id FROM marts.fct_orders");
    expect(orders).toEqual([{ contact_id: contactId }]);
  });

  it("normalizes emails with inner whitespace and keeps the raw value beside them", async () => {
    await loadRaw(db.warehouse, {
      orders: [shopifyOrder({ id: "1002", email: "Bob @ Example .com", createdAt: daysAgo(1) })],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(
      await db.warehouse.query("SELECT email_raw, email FROM staging.stg_shopify__orders"),
    ).toEqual([{ email_raw: "Bob @ Example .com", email: "bob@example.com" }]);
  });

  it("gives each order with a blocked or malformed email a contact of its own and attributes no email event to a blocked address", async () => {
    const junk = ["test@test.com", "NULL", " none ", "-1", "", "not-an-email.com"];
    await loadRaw(db.warehouse, {
      orders: junk.map((email, i) => shopifyOrder({ id: `20${i}`, email, createdAt: daysAgo(1) })),
      events: [
        sendgridEvent({ id: "ev-j", email: "Test@Test.com", event: "open", at: daysAgo(1) }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);

    const rows = await contacts();
    expect(rows).toHaveLength(junk.length);
    expect(rows.every((row) => row.email === null && row.orders_count === 1)).toBe(true);
    const orders = await db.warehouse.query(
      "SELECT COUNT(*) AS n, COUNT(DISTINCT contact_id) AS contacts FROM marts.fct_orders",
    );
    expect(orders).toEqual([{ n: junk.length, contacts: junk.length }]);
    expect(await db.warehouse.query("SELECT contact_id FROM marts.fct_email_events")).toEqual([
      { contact_id: null },
    ]);
    const flagged = await db.warehouse.query(
      "SELECT DISTINCT identifier_value, is_blocked FROM staging.int_identifiers__unioned WHERE identifier_type = 'email' ORDER BY 1",
    );
    expect(flagged).toEqual(
      ["-1", "none", "not-an-email.com", "null", "test@test.com"].map((value) => ({
        identifier_value: value,
        is_blocked: true,
      })),
    );
  });

  it("keeps every contact's id when new data arrives and gives new people new ids", async () => {
    await loadRaw(db.warehouse, {
      orders: [
        shopifyOrder({ id: "3001", email: "alice@example.com", createdAt: daysAgo(10) }),
        shopifyOrder({ id: "3002", email: "bob@example.com", createdAt: daysAgo(9) }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    const emailContacts =
      "SELECT node_value AS email, contact_id, assigned_at FROM staging.int_identity__node_contacts WHERE node_type = 'email' ORDER BY email";
    const before = await db.warehouse.query(emailContacts);

    await loadRaw(db.warehouse, {
      orders: [
        shopifyOrder({ id: "3003", email: "Alice@Example.com", createdAt: daysAgo(1) }),
        shopifyOrder({ id: "3004", email: "carol@example.com", createdAt: daysAgo(1) }),
      ],
      events: [
        sendgridEvent({ id: "ev-3", email: "dave@example.com", event: "open", at: daysAgo(1) }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    const after = await db.warehouse.query(emailContacts);

    expect(after.slice(0, 2)).toEqual(before);
    expect(after.map((row) => row.email)).toEqual([
      "alice@example.com",
      "bob@example.com",
      "carol@example.com",
      "dave@example.com",
    ]);
    expect(new Set(after.map((row) => row.contact_id)).size).toBe(4);
    // The second run appended only the changes: two new contacts and their email nodes.
    const [changes] = await db.warehouse.query(
      "SELECT COUNT(*) AS n FROM staging.int_identity__contact_ledger WHERE changed_at > (SELECT MIN(changed_at) FROM staging.int_identity__contact_ledger)",
    );
    expect(changes).toEqual({ n: 4 });
    const alice = (await contacts()).find((row) => row.email === "alice@example.com");
    expect(alice).toMatchObject({ contact_id: before[0]?.contact_id, orders_count: 2 });
  });
});

describe("orders", () => {
  it("counts a raw record delivered twice once and keeps the latest version of an order", async () => {
    const first = shopifyOrder({
      id: "820982911946154508",
      email: "erin@example.com",
      createdAt: daysAgo(4),
      totalPrice: "40.00",
    });
    const updated = shopifyOrder({
      id: "820982911946154508",
      email: "erin@example.com",
      createdAt: daysAgo(4),
      updatedAt: daysAgo(3),
      totalPrice: "35.50",
    });
    await loadRaw(db.warehouse, { orders: [updated, first, first, updated] });
    await runDuckDbGraph(db.warehouse, db.graph);

    expect(await db.warehouse.query("SELECT order_id, total_price FROM marts.fct_orders")).toEqual([
      { order_id: "820982911946154508", total_price: 35.5 },
    ]);
    expect(await contacts()).toMatchObject([
      { email: "erin@example.com", orders_count: 1, total_spent: 35.5 },
    ]);
  });

  it("leaves cancelled orders out of a contact's totals", async () => {
    await loadRaw(db.warehouse, {
      orders: [
        shopifyOrder({
          id: "4001",
          email: "finn@example.com",
          createdAt: daysAgo(20),
          totalPrice: "12.00",
        }),
        shopifyOrder({
          id: "4002",
          email: "finn@example.com",
          createdAt: daysAgo(2),
          totalPrice: "99.00",
          cancelledAt: daysAgo(1),
        }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(await contacts()).toMatchObject([
      { orders_count: 1, total_spent: 12, first_name: null },
    ]);
  });
});
