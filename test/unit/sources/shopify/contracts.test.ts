import { describe, expect, it } from "vitest";
import { parseJsonExact } from "../../../../functions/core/ingest/json-text.js";
import { ordersStream } from "../../../../functions/sources/shopify/extract.js";
import { vectorOrders } from "../vectors.js";

describe("Shopify orders contract", () => {
  it.each(Object.entries(vectorOrders))("accepts Shopify's vector order %s", (_name, order) => {
    const check = ordersStream.check(order);
    expect(check.ok).toBe(true);
  });

  it("identifies an order version as <order id>:<updated_at in UTC>", () => {
    expect(ordersStream.check(vectorOrders.order450789469)).toEqual({
      ok: true,
      recordId: "450789469:2008-01-10T16:00:00Z",
      eventTime: new Date("2008-01-10T16:00:00Z"),
    });
  });

  it("gives the same record id to one order version written with different offsets", () => {
    const asWebhook = { ...vectorOrders.order1073459975, updated_at: "2024-04-02T09:04:31-05:00" };
    const asBackfill = { ...vectorOrders.order1073459975, updated_at: "2024-04-02T14:04:31Z" };
    const a = ordersStream.check(asWebhook);
    const b = ordersStream.check(asBackfill);
    expect(a.ok && b.ok && a.recordId === b.recordId).toBe(true);
  });

  it("keeps an id above 2^53 exact in the record id", () => {
    const text = JSON.stringify(vectorOrders.order1073459975).replace(
      '"id":1073459975',
      '"id":820982911946154508',
    );
    const check = ordersStream.check(parseJsonExact(text));
    expect(check).toMatchObject({ ok: true, recordId: "820982911946154508:2024-04-02T14:04:31Z" });
  });

  it("accepts an order whose email and customer are null", () => {
    const order = { ...vectorOrders.order1073459975, email: null, customer: null };
    expect(ordersStream.check(order).ok).toBe(true);
  });

  it.each([
    ["an order without id", { id: undefined }, "id: Invalid input"],
    ["a float total_price", { total_price: 598.94 }, "total_price: Invalid input: expected string"],
    ["a date without time", { updated_at: "2008-01-10" }, "updated_at: Invalid ISO datetime"],
    ["a lower-case currency", { currency: "usd" }, "currency: expected an ISO 4217 currency code"],
    ["line items missing", { line_items: undefined }, "line_items: Invalid input: expected array"],
  ])("rejects %s with a reason naming the field", (_name, change, reason) => {
    const check = ordersStream.check({ ...vectorOrders.order450789469, ...change });
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reasons.join(" | ")).toContain(reason);
  });

  it.each([
    ["a negative total", { total_price: "-5.00" }, "total_price: expected a non-negative decimal"],
    ["a negative tax", { total_tax: "-0.01" }, "total_tax: expected a non-negative decimal"],
    ["more decimals than NUMERIC holds", { total_price: "1.0000000001" }, "total_price: expected"],
    ["30 integer digits", { total_price: "1".repeat(30) }, "total_price: expected"],
    ["a timestamp without seconds", { created_at: "2024-04-02T09:04Z" }, "created_at:"],
    ["nanoseconds", { updated_at: "2024-04-02T09:04:31.123456789Z" }, "updated_at:"],
    ["a year before 1970", { created_at: "1969-12-31T23:59:59Z" }, "created_at:"],
    ["a year BigQuery cannot hold", { created_at: "9999-12-31T23:00:00-05:00" }, "created_at:"],
  ])("rejects %s, which the models could not use", (_name, change, reason) => {
    const check = ordersStream.check({ ...vectorOrders.order450789469, ...change });
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reasons.join(" | ")).toContain(reason);
  });

  it.each([
    ["a zero total", { total_price: "0" }],
    ["NUMERIC's largest value", { total_price: `${"9".repeat(29)}.${"9".repeat(9)}` }],
    ["microseconds and a +14:00 offset", { updated_at: "2024-04-02T09:04:31.123456+14:00" }],
  ])("accepts %s", (_name, change) => {
    expect(ordersStream.check({ ...vectorOrders.order450789469, ...change }).ok).toBe(true);
  });

  it("never puts the offending value in a reason", () => {
    const check = ordersStream.check({
      ...vectorOrders.order450789469,
      customer: { id: 1, email: ["bob.norman@mail.example.com"] },
    });
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.reasons).toEqual([
        "customer.email: Invalid input: expected string, received array",
      ]);
      expect(check.recordIdHint).toBe("450789469:2008-01-10T16:00:00Z");
    }
  });
});
