import { describe, expect, it } from "vitest";
import { runDuckDbGraph } from "../../functions/dataform/run-duckdb.js";
import { daysAgo, loadRaw, sendgridEvent, shopifyOrder, useGraphWarehouse } from "./fixtures.js";

const NOW = Date.now();

const db = useGraphWarehouse();

const CONSENT = `
  SELECT email,
    consent_email_marketing AS email_marketing, consent_email_marketing_source AS email_marketing_source,
    consent_email_marketing_at AS email_marketing_at,
    consent_ad_user_data AS ad_user_data, consent_ad_user_data_source AS ad_user_data_source,
    consent_ad_personalization AS ad_personalization, consent_ad_personalization_source AS ad_personalization_source
  FROM marts.dim_contacts ORDER BY email`;

describe("consent per purpose", () => {
  it("lets the latest decision win, whichever source it comes from", async () => {
    await loadRaw(db.warehouse, {
      orders: [
        // Subscribed at checkout, then unsubscribed through a SendGrid link.
        shopifyOrder({
          id: "5001",
          email: "alice@example.com",
          createdAt: daysAgo(10, NOW),
          emailConsent: { state: "subscribed", at: daysAgo(10, NOW) },
        }),
        // Unsubscribed by email long ago, subscribed again at a later checkout.
        shopifyOrder({
          id: "5002",
          email: "bob@example.com",
          createdAt: daysAgo(5, NOW),
          emailConsent: { state: "subscribed", at: null },
          banner: { adUserData: "granted", adPersonalization: "denied" },
        }),
      ],
      events: [
        sendgridEvent({
          id: "ev-a",
          email: "alice@example.com",
          event: "unsubscribe",
          at: daysAgo(2, NOW),
        }),
        sendgridEvent({
          id: "ev-b",
          email: "bob@example.com",
          event: "spamreport",
          at: daysAgo(30, NOW),
        }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);

    expect(await db.warehouse.query(CONSENT)).toEqual([
      {
        email: "alice@example.com",
        email_marketing: false,
        email_marketing_source: "sendgrid",
        email_marketing_at: new Date(Math.floor((NOW - 2 * 86_400_000) / 1000) * 1000),
        ad_user_data: false,
        ad_user_data_source: null,
        ad_personalization: false,
        ad_personalization_source: null,
      },
      {
        email: "bob@example.com",
        email_marketing: true,
        email_marketing_source: "shopify",
        // No consent_updated_at: the order's updated_at is the decision time.
        email_marketing_at: new Date(daysAgo(5, NOW)),
        ad_user_data: true,
        ad_user_data_source: "shopify",
        ad_personalization: false,
        ad_personalization_source: "shopify",
      },
    ]);
  });

  it("never assumes consent: no decision, pending opt-in and unknown banner values stay false", async () => {
    await loadRaw(db.warehouse, {
      orders: [
        shopifyOrder({ id: "5101", email: "carol@example.com", createdAt: daysAgo(3, NOW) }),
        shopifyOrder({
          id: "5102",
          email: "dan@example.com",
          createdAt: daysAgo(3, NOW),
          emailConsent: { state: "pending", at: daysAgo(3, NOW) },
          banner: { adUserData: "yes", adPersonalization: "maybe" },
        }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    const rows = await db.warehouse.query(CONSENT);
    expect(rows.map((r) => [r.email_marketing, r.ad_user_data, r.ad_personalization])).toEqual([
      [false, false, false],
      [false, false, false],
    ]);
    expect(rows.every((r) => r.email_marketing_source === null)).toBe(true);
  });

  it("grants email marketing again on a SendGrid group resubscribe after an unsubscribe", async () => {
    await loadRaw(db.warehouse, {
      events: [
        sendgridEvent({
          id: "ev-1",
          email: "erin@example.com",
          event: "group_unsubscribe",
          at: daysAgo(9, NOW),
          asmGroupId: 10,
        }),
        sendgridEvent({
          id: "ev-2",
          email: "erin@example.com",
          event: "group_resubscribe",
          at: daysAgo(4, NOW),
          asmGroupId: 10,
        }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(await db.warehouse.query(CONSENT)).toMatchObject([
      { email: "erin@example.com", email_marketing: true, email_marketing_source: "sendgrid" },
    ]);
  });
});

describe("seg_recent_purchasers", () => {
  it("holds exactly the contacts who bought recently, with their consent flags", async () => {
    await loadRaw(db.warehouse, {
      orders: [
        shopifyOrder({
          id: "6001",
          email: "recent@example.com",
          createdAt: daysAgo(3, NOW),
          banner: { adUserData: "granted", adPersonalization: "granted" },
        }),
        shopifyOrder({ id: "6002", email: "recent@example.com", createdAt: daysAgo(60, NOW) }),
        shopifyOrder({
          id: "6003",
          email: "lapsed@example.com",
          createdAt: daysAgo(45, NOW),
          emailConsent: { state: "subscribed", at: daysAgo(45, NOW) },
        }),
        shopifyOrder({
          id: "6004",
          email: "cancelled@example.com",
          createdAt: daysAgo(2, NOW),
          cancelledAt: daysAgo(1, NOW),
        }),
        shopifyOrder({ id: "6005", email: "test@test.com", createdAt: daysAgo(1, NOW) }),
        shopifyOrder({
          id: "6006",
          email: null,
          phone: "030 4711 0815",
          firstName: "Ida",
          lastName: "Noemail",
          zip: "10115",
          createdAt: daysAgo(2, NOW),
        }),
      ],
      events: [
        sendgridEvent({
          id: "ev-6",
          email: "reader@example.com",
          event: "open",
          at: daysAgo(1, NOW),
        }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);

    const contactId = (
      await db.warehouse.query(
        "SELECT contact_id FROM marts.dim_contacts WHERE email = 'recent@example.com'",
      )
    )[0]?.contact_id;
    // The order with only a placeholder email has a contact, but nothing a destination could
    // match on: not a member. The order without email but with a phone is one, keyed by phone.
    expect(
      await db.warehouse.query("SELECT * FROM marts.seg_recent_purchasers ORDER BY email"),
    ).toEqual([
      {
        contact_id: contactId,
        email: "recent@example.com",
        consent_email_marketing: false,
        consent_ad_user_data: true,
        consent_ad_personalization: true,
        last_order_at: new Date(daysAgo(3, NOW)),
        orders_count: 2,
        phone: null,
        first_name: null,
        last_name: null,
        country_code: "DE",
        zip: null,
      },
      {
        contact_id: expect.stringMatching(/^ct_[0-9a-f]{32}$/),
        email: null,
        consent_email_marketing: false,
        consent_ad_user_data: false,
        consent_ad_personalization: false,
        last_order_at: new Date(daysAgo(2, NOW)),
        orders_count: 1,
        phone: "+493047110815",
        first_name: "Ida",
        last_name: "Noemail",
        country_code: "DE",
        zip: "10115",
      },
    ]);
  });

  it("keeps the column contract activation reads", async () => {
    await loadRaw(db.warehouse, {});
    await runDuckDbGraph(db.warehouse, db.graph);
    const columns = await db.warehouse.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = 'seg_recent_purchasers' ORDER BY ordinal_position",
    );
    expect(columns.map((c) => `${c.column_name} ${c.data_type}`)).toEqual([
      "contact_id VARCHAR",
      "email VARCHAR",
      "consent_email_marketing BOOLEAN",
      "consent_ad_user_data BOOLEAN",
      "consent_ad_personalization BOOLEAN",
      "last_order_at TIMESTAMP WITH TIME ZONE",
      "orders_count BIGINT",
      "phone VARCHAR",
      "first_name VARCHAR",
      "last_name VARCHAR",
      "country_code VARCHAR",
      "zip VARCHAR",
    ]);
  });
});

describe("seg_retargeting", () => {
  it("holds engaged contacts with ad consent who have not bought recently, and drops a buyer once the model sees the order", async () => {
    const granted = { adUserData: "granted", adPersonalization: "granted" } as const;
    await loadRaw(db.warehouse, {
      orders: [
        // Bought long ago (consented then), reads our emails: retargeted.
        shopifyOrder({
          id: "7001",
          email: "lapsed@example.com",
          createdAt: daysAgo(60, NOW),
          banner: granted,
        }),
        // Bought three days ago: a recent purchaser, not retargeted.
        shopifyOrder({
          id: "7002",
          email: "buyer@example.com",
          createdAt: daysAgo(3, NOW),
          banner: granted,
        }),
        // Engaged, but never granted ad_user_data: not retargeted.
        shopifyOrder({ id: "7003", email: "private@example.com", createdAt: daysAgo(60, NOW) }),
        // Consented, but has not opened anything lately: not engaged.
        shopifyOrder({
          id: "7004",
          email: "quiet@example.com",
          createdAt: daysAgo(60, NOW),
          banner: granted,
        }),
      ],
      events: [
        sendgridEvent({
          id: "ev-r1",
          email: "lapsed@example.com",
          event: "click",
          at: daysAgo(2, NOW),
        }),
        sendgridEvent({
          id: "ev-r2",
          email: "buyer@example.com",
          event: "open",
          at: daysAgo(1, NOW),
        }),
        sendgridEvent({
          id: "ev-r3",
          email: "private@example.com",
          event: "open",
          at: daysAgo(1, NOW),
        }),
        sendgridEvent({
          id: "ev-r4",
          email: "quiet@example.com",
          event: "open",
          at: daysAgo(45, NOW),
        }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    const members = () =>
      db.warehouse.query(
        "SELECT email, consent_ad_user_data, last_engaged_at FROM marts.seg_retargeting ORDER BY email",
      );
    expect(await members()).toEqual([
      {
        email: "lapsed@example.com",
        consent_ad_user_data: true,
        // SendGrid's timestamps are whole seconds.
        last_engaged_at: new Date(Math.floor(Date.parse(daysAgo(2, NOW)) / 1000) * 1000),
      },
    ]);

    // The lapsed customer buys again: the next model run takes them out (the realtime path
    // already did, in the audiences).
    await loadRaw(db.warehouse, {
      orders: [
        shopifyOrder({
          id: "7005",
          email: "lapsed@example.com",
          createdAt: daysAgo(0, NOW),
          banner: granted,
        }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(await members()).toEqual([]);
  });
});
