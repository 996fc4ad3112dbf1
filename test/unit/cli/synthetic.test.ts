import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type GeneratedDeliveries,
  generateDeliveries,
} from "../../../functions/cli/demo/synthetic/generate.js";
import { canonicalEmail } from "../../../functions/cli/demo/synthetic/kit.js";
import { parseJsonExact } from "../../../functions/core/ingest/json-text.js";
import { eventsStream } from "../../../functions/sources/sendgrid/extract.js";
import { ordersStream } from "../../../functions/sources/shopify/extract.js";

const now = new Date("2026-03-01T12:00:00Z");
const run1 = generateDeliveries({ contacts: 600, seed: 11, now });
const run2 = generateDeliveries({ contacts: 600, seed: 11, run: 2, now });

function digest(generated: GeneratedDeliveries): string {
  const hash = createHash("sha256");
  for (const d of generated.deliveries) hash.update(`${JSON.stringify(d.headers)}\n${d.body}\n`);
  return hash.digest("hex");
}

/** Recounts what ingest will see, by running every record through the real contracts. */
function recount(generated: GeneratedDeliveries) {
  const shopify = { valid: 0, invalid: 0, recordIds: new Set<string>() };
  const sendgrid = { valid: 0, invalid: 0, withinBatch: 0, rawRows: 0, ids: new Set<string>() };
  const orderTimes: number[] = [];
  for (const delivery of generated.deliveries) {
    if (delivery.source === "shopify") {
      const check = ordersStream.check(parseJsonExact(delivery.body));
      if (check.ok) {
        shopify.valid++;
        shopify.recordIds.add(check.recordId);
        orderTimes.push(check.eventTime.getTime());
      } else shopify.invalid++;
    } else {
      const inBatch = new Set<string>();
      for (const event of JSON.parse(delivery.body) as unknown[]) {
        const check = eventsStream.check(event);
        if (!check.ok) sendgrid.invalid++;
        else {
          sendgrid.valid++;
          if (inBatch.has(check.recordId)) sendgrid.withinBatch++;
          inBatch.add(check.recordId);
          sendgrid.ids.add(check.recordId);
        }
      }
      sendgrid.rawRows += inBatch.size;
    }
  }
  return { shopify, sendgrid, orderTimes };
}

describe("generateDeliveries", () => {
  it("is deterministic for a (seed, run, contacts) and changes with the seed", () => {
    expect(digest(generateDeliveries({ contacts: 600, seed: 11, now }))).toBe(digest(run1));
    expect(digest(generateDeliveries({ contacts: 600, seed: 12, now }))).not.toBe(digest(run1));
  });

  it("states counts that the real contracts confirm record by record", () => {
    const counted = recount(run1);
    const { shopify, sendgrid } = run1.expected;
    expect(counted.shopify.valid).toBe(shopify.validRecords);
    expect(counted.shopify.recordIds.size).toBe(shopify.validRecords);
    expect(counted.shopify.invalid).toBe(shopify.invalidRecords);
    expect(counted.sendgrid.valid).toBe(sendgrid.validEvents);
    expect(counted.sendgrid.invalid).toBe(sendgrid.invalidRecords);
    expect(counted.sendgrid.withinBatch).toBe(sendgrid.duplicatesWithinBatch);
    expect(counted.sendgrid.rawRows).toBe(sendgrid.rawRows);
    expect(counted.sendgrid.ids.size).toBe(sendgrid.distinctEventIds);
    expect(sendgrid.duplicatesWithinBatch + sendgrid.duplicatesAcrossBatches).toBeGreaterThan(0);
    expect(shopify.invalidRecords).toBeGreaterThan(0);
    expect(sendgrid.invalidRecords).toBeGreaterThan(1);
  });

  it("spreads run 1 orders over the last 60 days, with some in the last 30", () => {
    const { orderTimes } = recount(run1);
    const day = 86_400_000;
    expect(Math.min(...orderTimes)).toBeGreaterThanOrEqual(now.getTime() - 60 * day);
    expect(Math.max(...orderTimes)).toBeLessThan(now.getTime());
    expect(orderTimes.filter((t) => t > now.getTime() - 30 * day).length).toBeGreaterThan(100);
    expect(orderTimes.filter((t) => t < now.getTime() - 30 * day).length).toBeGreaterThan(100);
  });

  it("shows the same people to both sources under messy spellings of their email", () => {
    const { people } = run1.expected;
    expect(people.total).toBe(600);
    expect(people.both).toBeGreaterThan(people.shopifyOnly);
    expect(people.shopifyOnly).toBeGreaterThan(0);
    expect(people.sendgridOnly).toBeGreaterThan(0);
    const bodies = run1.deliveries.map((d) => d.body).join("\n");
    const emails = [...bodies.matchAll(/"email":"([^"]*)"/g)].map(
      (m) => JSON.parse(`"${m[1]}"`) as string,
    );
    expect(emails.some((e) => e !== e.trim())).toBe(true);
    expect(emails.some((e) => /\S\s+\S/.test(e))).toBe(true);
    expect(emails.some((e) => e !== e.toLowerCase())).toBe(true);
    const seen = new Set(emails.map(canonicalEmail));
    expect(run1.people.every((p) => seen.has(p.email))).toBe(true);
    expect(new Set(run1.people.map((p) => p.email)).size).toBe(600);
  });

  it("writes consent signals: banner attributes granted, denied or absent, and marketing consent", () => {
    const orders = run1.deliveries
      .filter((d) => d.source === "shopify")
      .map((d) => JSON.parse(d.body) as Record<string, unknown>);
    const banner = orders.map((o) => {
      const attributes = o.note_attributes as Array<{ name: string; value: string }>;
      return attributes.find((a) => a.name === "consent_ad_user_data")?.value ?? "absent";
    });
    expect(new Set(banner)).toEqual(new Set(["granted", "denied", "absent"]));
    const states = orders.map(
      (o) =>
        (o.customer as { email_marketing_consent: { state: string } }).email_marketing_consent
          .state,
    );
    expect(new Set(states)).toEqual(new Set(["subscribed", "not_subscribed", "unsubscribed"]));
  });

  it("carries some order ids above 2^53, exactly", () => {
    expect(run1.expected.shopify.ordersWithIdAbove2p53).toBeGreaterThan(0);
    const big = run1.deliveries.find((d) => /^\{"id":\d{17,}/.test(d.body));
    const id = (parseJsonExact(big?.body ?? "{}") as { id: unknown }).id;
    expect(typeof id).toBe("bigint");
    expect(big?.body).toContain(`"id":${String(id)},`);
  });

  it("makes run 2 an increment after run 1: new people, new orders, consent withdrawals", () => {
    expect(digest(generateDeliveries({ contacts: 600, seed: 11, run: 2, now }))).toBe(digest(run2));
    expect(run2.expected.people.joined).toBe(12);
    expect(run2.people.slice(0, 600).map((p) => p.email)).toEqual(run1.people.map((p) => p.email));
    const firstRunEnd = Math.max(...recount(run1).orderTimes);
    expect(Math.min(...recount(run2).orderTimes)).toBeGreaterThan(firstRunEnd);
    expect(run2.deliveries[0]?.sentAt.localeCompare(run1.deliveries.at(-1)?.sentAt ?? "")).toBe(1);

    const withdrawn = run2.people.filter(
      (p) =>
        p.adUserData === "denied" &&
        run1.people.find((q) => q.personId === p.personId)?.adUserData === "granted",
    );
    expect(withdrawn.length).toBe(run2.expected.shopify.adConsentWithdrawals);
    const deniedOrderEmails = run2.deliveries
      .filter(
        (d) => d.source === "shopify" && d.body.includes('"consent_ad_user_data","value":"denied"'),
      )
      .map((d) => canonicalEmail((JSON.parse(d.body) as { email: string }).email));
    for (const person of withdrawn) expect(deniedOrderEmails).toContain(person.email);

    const unsubscribed = run2.deliveries
      .filter((d) => d.source === "sendgrid")
      .flatMap((d) => JSON.parse(d.body) as Array<{ event: string; email: string }>)
      .filter((e) => e.event === "unsubscribe")
      .map((e) => canonicalEmail(e.email));
    expect(unsubscribed.length).toBe(run2.expected.sendgrid.unsubscribes);
    expect(unsubscribed.length).toBeGreaterThan(0);
    const newlyUnsubscribed = run2.people.filter(
      (p) =>
        p.sendgridUnsubscribed &&
        !run1.people.find((q) => q.personId === p.personId)?.sendgridUnsubscribed,
    );
    for (const person of newlyUnsubscribed) expect(unsubscribed).toContain(person.email);
  });

  it("posts SendGrid batches in SendGrid's own layout", () => {
    const batch = run1.deliveries.find((d) => d.source === "sendgrid");
    expect(batch?.body).toMatch(/^\[\{.*\},\r\n\{/s);
    expect(batch?.body.endsWith("]\r\n")).toBe(true);
    expect(batch?.path).toBe("/webhooks/sendgrid");
  });
});
