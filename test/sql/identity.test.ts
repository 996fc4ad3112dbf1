import { describe, expect, it } from "vitest";
import { planMembershipDiff, type SegmentMember } from "../../functions/core/activation/diff.js";
import type { Identification } from "../../functions/core/activation/members.js";
import { runDuckDbGraph } from "../../functions/dataform/run-duckdb.js";
import { readSegmentMembers } from "../../functions/destinations/segment-reader.js";
import {
  daysAgo,
  loadRaw,
  type OrderFixture,
  sendgridEvent,
  shopifyOrder,
  useGraphWarehouse,
} from "./fixtures.js";

const db = useGraphWarehouse();

async function orderContacts(): Promise<Map<string, string>> {
  const rows = await db.warehouse.query<{ order_id: string; contact_id: string }>(
    "SELECT order_id, contact_id FROM marts.fct_orders",
  );
  return new Map(rows.map((r) => [r.order_id, r.contact_id]));
}

function order(id: string, fields: Omit<OrderFixture, "id" | "createdAt"> & { daysAgo?: number }) {
  return shopifyOrder({ id, createdAt: daysAgo(fields.daysAgo ?? 5), ...fields });
}

describe("identity graph: deterministic rules", () => {
  it("links orders by phone written in different formats and gives orders without email a contact", async () => {
    await loadRaw(db.warehouse, {
      orders: [
        order("7001", { email: "ann@example.com", phone: "+49 30 1234 5611", countryCode: "DE" }),
        order("7002", { email: null, phone: "030 / 1234-5611", countryCode: "DE" }),
        order("7003", { email: null, phone: "0049301234 5611", countryCode: "DE" }),
        order("7004", { email: null, countryCode: "DE" }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    const contacts = await orderContacts();
    expect(new Set([contacts.get("7001"), contacts.get("7002"), contacts.get("7003")]).size).toBe(
      1,
    );
    expect(contacts.get("7004")).toMatch(/^ct_[0-9a-f]{32}$/);
    expect(contacts.get("7004")).not.toBe(contacts.get("7001"));
    expect(
      await db.warehouse.query(
        "SELECT DISTINCT identifier_value FROM staging.int_identifiers__unioned WHERE identifier_type = 'phone'",
      ),
    ).toEqual([{ identifier_value: "+493012345611" }]);
    const edges = await db.warehouse.query(
      "SELECT node_a, node_b, rule FROM staging.int_identity__edges WHERE rule = 'same_record'",
    );
    expect(edges).toEqual([
      { node_a: "email:ann@example.com", node_b: "phone:+493012345611", rule: "same_record" },
    ]);
  });

  it("holds a chain of 60 emails linked through phones apart: more emails than one contact may hold", async () => {
    // Order i carries email i, phone i and phone i + 1: one path through 121 keys. The email cap
    // (5) says no person has 60 emails, so the component is split instead of merged.
    const chain = Array.from({ length: 60 }, (_, i) =>
      order(`81${String(i).padStart(3, "0")}`, {
        email: `link${i}@example.com`,
        phone: `+1 415 555 ${String(2000 + i)}`,
        countryCode: "US",
      }),
    ).map((line, i) => {
      const payload = JSON.parse(String(line.payload).replace(/^\{"id": (\d+),/, '{"id": "$1",'));
      payload.customer.phone = `+1 415 555 ${String(2000 + i + 1)}`;
      return {
        ...line,
        payload: JSON.stringify(payload).replace(/^\{"id":"(\d+)",/, '{"id": $1,'),
      };
    });
    await loadRaw(db.warehouse, { orders: chain });
    await runDuckDbGraph(db.warehouse, db.graph);
    const [row] = await db.warehouse.query(
      "SELECT COUNT(DISTINCT contact_id) AS contacts, COUNT(*) AS orders FROM marts.fct_orders",
    );
    expect(row).toEqual({ contacts: 60, orders: 60 });
    expect(
      await db.warehouse.query("SELECT COUNT(*) AS edges FROM staging.int_identity__edges"),
    ).toEqual([{ edges: 120 }]);
  });
});

describe("identity graph: guardrails", () => {
  it("does not link two people through a role address or a household email with two dates of birth", async () => {
    await loadRaw(db.warehouse, {
      orders: [
        order("7101", {
          email: "info@acme.example",
          firstName: "Ann",
          lastName: "Lee",
          customerId: "11",
        }),
        order("7102", {
          email: "info@acme.example",
          firstName: "Bob",
          lastName: "Ray",
          customerId: "12",
        }),
        order("7103", {
          email: "kims@home.example",
          firstName: "Eva",
          lastName: "Kim",
          birthDate: "1980-03-12",
        }),
        order("7104", {
          email: "kims@home.example",
          firstName: "Eva",
          lastName: "Kim",
          birthDate: "2011-09-30",
        }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    const contacts = await orderContacts();
    expect(contacts.get("7101")).not.toBe(contacts.get("7102"));
    expect(contacts.get("7103")).not.toBe(contacts.get("7104"));
    const status = await db.warehouse.query(
      "SELECT node_key, status, status_reason FROM staging.int_identity__nodes WHERE identifier_type = 'email' ORDER BY node_key",
    );
    expect(status).toEqual([
      {
        node_key: "email:info@acme.example",
        status: "shared",
        status_reason: "role or shared mailbox",
      },
      {
        node_key: "email:kims@home.example",
        status: "shared",
        status_reason: "seen with two different dates of birth",
      },
    ]);
  });

  it("splits a component that would hold more shop customer ids than the cap along its customer ids", async () => {
    // Each value on its own is consistent; the chain joins three customer accounts (cap: 2).
    await loadRaw(db.warehouse, {
      orders: [
        order("7201", { email: "a1@example.com", customerId: "21" }),
        order("7202", { email: "a1@example.com", phone: "+44 20 7946 0101", countryCode: "GB" }),
        order("7203", {
          email: null,
          phone: "+44 20 7946 0101",
          customerId: "22",
          countryCode: "GB",
        }),
        order("7204", { email: "b2@example.com", customerId: "22" }),
        order("7205", { email: "b2@example.com", phone: "+44 20 7946 0202", countryCode: "GB" }),
        order("7206", {
          email: null,
          phone: "+44 20 7946 0202",
          customerId: "23",
          countryCode: "GB",
        }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    const contacts = await orderContacts();
    expect(new Set(contacts.values()).size).toBeGreaterThanOrEqual(3);
    expect(contacts.get("7201")).not.toBe(contacts.get("7206"));
    expect(contacts.get("7203")).toBe(contacts.get("7204"));
  });
});

describe("identity graph: stable ids", () => {
  it("keeps the older id when two contacts merge, records the other as an alias and explains the merge", async () => {
    await loadRaw(db.warehouse, {
      orders: [order("7301", { email: "old@example.com", daysAgo: 30 })],
      events: [
        sendgridEvent({ id: "ev-7301", email: "new@example.com", event: "open", at: daysAgo(2) }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    const before = await orderContacts();
    const older = before.get("7301");
    const [{ contact_id: younger } = { contact_id: "" }] = await db.warehouse.query<{
      contact_id: string;
    }>("SELECT contact_id FROM marts.fct_email_events");
    expect(younger).not.toBe(older);

    // A new order carries both emails: the two contacts are one person.
    await loadRaw(db.warehouse, {
      orders: [
        shopifyOrder({
          id: "7302",
          email: "new@example.com",
          contactEmail: "new@example.com",
          createdAt: daysAgo(1),
        }),
      ].map((line) => {
        const payload = JSON.parse(String(line.payload).replace(/^\{"id": (\d+),/, '{"id": "$1",'));
        payload.customer.email = "old@example.com";
        return {
          ...line,
          payload: JSON.stringify(payload).replace(/^\{"id":"(\d+)",/, '{"id": $1,'),
        };
      }),
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    const after = await orderContacts();
    expect(after.get("7301")).toBe(older);
    expect(after.get("7302")).toBe(older);
    expect(await db.warehouse.query("SELECT contact_id FROM marts.fct_email_events")).toEqual([
      { contact_id: older },
    ]);
    expect(
      await db.warehouse.query(
        "SELECT alias_contact_id, contact_id, rule FROM marts.contact_aliases",
      ),
    ).toEqual([{ alias_contact_id: younger, contact_id: older, rule: "same_record" }]);
    const merges = await db.warehouse.query(
      "SELECT contact_id, other_contact_id, evidence FROM marts.contact_changes WHERE change_kind = 'contacts_merged'",
    );
    expect(merges).toEqual([
      {
        contact_id: older,
        other_contact_id: younger,
        evidence: "email:new@example.com ~ email:old@example.com (shopify:order:7302)",
      },
    ]);
    // The id stays the older one; the primary email follows survivorship (the latest order,
    // which carries both: the smaller value breaks the tie).
    expect(
      await db.warehouse.query(
        "SELECT contact_id, email, email_source, emails_count FROM marts.dim_contacts",
      ),
    ).toEqual([
      {
        contact_id: older,
        email: "new@example.com",
        email_source: "shopify:order",
        emails_count: 2,
      },
    ]);
  });

  it("records a split when new data shows a shared phone belongs to two people, and the anchor's part keeps the id", async () => {
    await loadRaw(db.warehouse, {
      orders: [
        order("7401", {
          email: "mia@example.com",
          phone: "+33 1 42 68 53 01",
          countryCode: "FR",
          firstName: "Mia",
          lastName: "Roy",
          daysAgo: 20,
        }),
        // A shop account without email: it hangs on its customer id, linked to Mia by the phone.
        order("7402", {
          email: null,
          phone: "01 42 68 53 01",
          customerId: "55",
          countryCode: "FR",
          firstName: "Mia",
          lastName: "Roy",
          daysAgo: 10,
        }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    const first = await orderContacts();
    expect(first.get("7402")).toBe(first.get("7401"));

    await loadRaw(db.warehouse, {
      orders: [
        order("7403", {
          email: "leo@example.com",
          phone: "+33 1 42 68 53 01",
          countryCode: "FR",
          firstName: "Leopold",
          lastName: "Roy",
          daysAgo: 1,
        }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    const second = await orderContacts();
    expect(second.get("7401")).toBe(first.get("7401"));
    expect(second.get("7403")).not.toBe(second.get("7401"));
    const splits = await db.warehouse.query(
      "SELECT other_contact_id FROM marts.contact_changes WHERE change_kind = 'contact_split'",
    );
    expect(splits.map((r) => r.other_contact_id)).toContain(first.get("7401"));
  });
});

describe("identity graph: probabilistic matching", () => {
  it("links orders without any shared key by name, date of birth and address, and keeps namesakes apart", async () => {
    await loadRaw(db.warehouse, {
      orders: [
        order("7501", {
          email: "jon.smyth@example.com",
          firstName: "Jonathan",
          lastName: "Smyth",
          birthDate: "1975-06-14",
          street: "12 Harbour Street",
          zip: "2000",
          city: "Sydney",
          countryCode: "AU",
        }),
        order("7502", {
          email: null,
          firstName: "Jonathon",
          lastName: "Smyth",
          birthDate: "14/06/1975",
          street: "12 harbour st",
          zip: "2000",
          city: "Sydney",
          countryCode: "AU",
        }),
        order("7503", {
          email: null,
          firstName: "Jonathan",
          lastName: "Smyth",
          birthDate: "1990-01-02",
          street: "7 Pitt Street",
          zip: "2010",
          city: "Sydney",
          countryCode: "AU",
        }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    const contacts = await orderContacts();
    expect(contacts.get("7502")).toBe(contacts.get("7501"));
    expect(contacts.get("7503")).not.toBe(contacts.get("7501"));
    const [edge] = await db.warehouse.query<{ rule: string; match_weight: number }>(
      "SELECT rule, match_weight FROM staging.int_identity__edges WHERE rule = 'probabilistic'",
    );
    expect(edge?.match_weight).toBeGreaterThanOrEqual(22);
  });
});

describe("activation across a merge", () => {
  it("keeps the merged person's identifiers in the segment so the audience only gains one", async () => {
    await loadRaw(db.warehouse, {
      orders: [
        order("7601", {
          email: "pat@example.com",
          phone: "+1 212 555 0143",
          countryCode: "US",
          daysAgo: 3,
        }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    // Keys stand in for hashes: `h:<email>`, the payload digest the same (nothing else sent).
    const rules = {
      requiredConsent: [],
      identify: (m: SegmentMember): Identification => {
        const email = m.values.email;
        return email
          ? { ok: true, key: `h:${email}`, digest: `h:${email}`, payload: {} }
          : { ok: false, reason: "no_identifier" };
      },
    } as const;
    const { members: first } = await readSegmentMembers(db.warehouse, {
      dataset: "marts",
      table: "seg_recent_purchasers",
    });
    const synced = planMembershipDiff(first, [], rules).adds.flatMap((item) =>
      item.contactIds.map((contactId) => ({ contactId, identifierHash: item.identifierHash })),
    );
    expect(synced.map((s) => s.identifierHash)).toEqual(["h:pat@example.com"]);

    await loadRaw(db.warehouse, {
      orders: [
        order("7602", {
          email: "patricia@example.com",
          phone: "(212) 555-0143",
          countryCode: "US",
          daysAgo: 1,
        }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    const { members: second } = await readSegmentMembers(db.warehouse, {
      dataset: "marts",
      table: "seg_recent_purchasers",
    });
    const diff = planMembershipDiff(second, synced, rules);
    expect(diff.removes).toEqual([]);
    expect(diff.adds.map((a) => a.identifierHash)).toEqual(["h:patricia@example.com"]);
  });
});
