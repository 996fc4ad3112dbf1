import { describe, expect, it } from "vitest";
import { ordersStream } from "../../../../functions/sources/shopify/extract.js";
import { vectorOrders } from "../vectors.js";

/**
 * The Shopify order contract at its edges: every pattern holds for the whole value, and the
 * nested objects (customer consent, line items, cart attributes) are checked, not just present.
 */

const order = vectorOrders.order450789469;
const reasons = (change: Record<string, unknown>): string[] => {
  const check = ordersStream.check({ ...order, ...change });
  return check.ok ? [] : [...check.reasons];
};
const TIMESTAMP_REASON =
  "expected a timestamp such as 2024-04-02T09:04:31-05:00 (seconds, at most 6 fractional digits, an offset, a year from 1970 to 9998)";

describe("order timestamps", () => {
  it.each([
    "1970-01-01T00:00:00Z",
    "1999-12-31T23:59:59+01:00",
    "2024-04-02T09:04:31-05:00",
    "8999-01-01T00:00:00Z",
    "9899-01-01T00:00:00Z",
    "9989-01-01T00:00:00Z",
    "9998-12-31T00:00:00Z",
  ])("accepts %s", (updatedAt) => {
    expect(reasons({ updated_at: updatedAt })).toEqual([]);
  });

  it.each([
    ["a year before 1970", "1969-12-31T23:59:59Z"],
    ["the year 9999", "9999-01-01T00:00:00Z"],
    ["a year past 9999 written with a sign", "+10000-01-01T00:00:00Z"],
  ])("refuses %s, saying what a timestamp must look like", (_name, updatedAt) => {
    expect(reasons({ updated_at: updatedAt })).toContain(`updated_at: ${TIMESTAMP_REASON}`);
  });

  it("says what is wrong with the consent timestamp of a customer", () => {
    const customer = {
      id: 1,
      email_marketing_consent: { state: "subscribed", consent_updated_at: "1969-01-01T00:00:00Z" },
    };
    expect(reasons({ customer })).toEqual([
      `customer.email_marketing_consent.consent_updated_at: ${TIMESTAMP_REASON}`,
    ]);
  });
});

describe("order currency", () => {
  it.each(["USDX", "xUSD", "US", "usd"])("refuses the currency %s", (currency) => {
    expect(reasons({ currency })).toEqual(["currency: expected an ISO 4217 currency code"]);
  });
});

describe("nested objects of an order", () => {
  it("refuses a customer consent without a state", () => {
    const customer = { id: 1, email_marketing_consent: { opt_in_level: "single_opt_in" } };
    expect(reasons({ customer })).toEqual([
      "customer.email_marketing_consent.state: Invalid input: expected string, received undefined",
    ]);
  });

  it("refuses a line item with a fractional quantity or a float price, naming the item", () => {
    const [item] = order.line_items as Record<string, unknown>[];
    expect(reasons({ line_items: [{ ...item, quantity: 1.5 }] })).toEqual([
      "line_items.0.quantity: Invalid input: expected int, received number",
    ]);
    expect(reasons({ line_items: [{ ...item, price: 1.5 }] })).toEqual([
      "line_items.0.price: Invalid input: expected string, received number",
    ]);
  });

  it("refuses a cart attribute without a name", () => {
    expect(reasons({ note_attributes: [{ value: "granted" }] })).toEqual([
      "note_attributes.0.name: Invalid input: expected string, received undefined",
    ]);
  });
});
