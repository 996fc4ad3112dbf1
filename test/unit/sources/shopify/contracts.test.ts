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
