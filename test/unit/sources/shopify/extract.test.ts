import { describe, expect, it } from "vitest";
import { SHOPIFY_TOPIC_STREAMS } from "../../../../functions/sources/shopify/contracts.js";
import {
  extractShopifyDelivery,
  ordersStream,
} from "../../../../functions/sources/shopify/extract.js";
import { vectorOrders } from "../vectors.js";

/** How a Shopify body is routed by its topic, and how a refused order is named. */

const text = '{ "id" : 1, "total_price" : "1.50" }';
const value = { id: 1, total_price: "1.50" };
const withTopic = (topic: string | undefined) =>
  extractShopifyDelivery(
    {
      method: "POST",
      url: "/webhooks/shopify",
      headers: topic === undefined ? {} : { "x-shopify-topic": topic },
      rawBody: Buffer.from(text),
    },
    { value, text },
  );

describe("extractShopifyDelivery", () => {
  it.each([
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/cancelled",
    "orders/fulfilled",
    "orders/partially_fulfilled",
  ])("routes the %s topic to the orders stream, with the body's exact text", (topic) => {
    expect(withTopic(topic)).toEqual({
      records: [{ stream: "orders", value, json: '{"id":1,"total_price":"1.50"}' }],
    });
  });

  it("maps exactly the order topics", () => {
    expect(Object.keys(SHOPIFY_TOPIC_STREAMS).sort()).toEqual([
      "orders/cancelled",
      "orders/create",
      "orders/fulfilled",
      "orders/paid",
      "orders/partially_fulfilled",
      "orders/updated",
    ]);
  });

  it("reads a topic header sent with surrounding spaces", () => {
    expect(withTopic("  orders/paid ").records[0]?.stream).toBe("orders");
  });

  it.each([
    ["an unknown topic", "inventory_levels/update"],
    ["a blank topic", "  "],
    ["no topic header", undefined],
  ])("keeps a delivery with %s as an unrouted record, never dropped", (_name, topic) => {
    expect(withTopic(topic)).toEqual({
      records: [
        {
          stream: undefined,
          unroutedReason: "unknown X-Shopify-Topic: no stream is mapped to it",
          value,
          json: '{"id":1,"total_price":"1.50"}',
        },
      ],
    });
  });
});

describe("the name of a refused order", () => {
  const invalid = { ...vectorOrders.order450789469, currency: "usd" };
  const hint = (change: Record<string, unknown>) => {
    const check = ordersStream.check({ ...invalid, ...change });
    if (check.ok) throw new Error("expected the order to be refused");
    return check.recordIdHint;
  };

  it("is <id>:<updated_at in UTC> for a number, bigint or string id", () => {
    const updated = { updated_at: "2024-04-02T09:04:31-05:00" };
    expect(hint({ id: 7, ...updated })).toBe("7:2024-04-02T14:04:31Z");
    expect(hint({ id: 820982911946154508n, ...updated })).toBe(
      "820982911946154508:2024-04-02T14:04:31Z",
    );
    expect(hint({ id: "7", ...updated })).toBe("7:2024-04-02T14:04:31Z");
  });

  it("says the version is unknown when updated_at is missing, not a string, or not a date", () => {
    expect(hint({ id: 7, updated_at: undefined })).toBe("7:unknown");
    expect(hint({ id: 7, updated_at: 1712066671 })).toBe("7:unknown");
    expect(hint({ id: 7, updated_at: "yesterday" })).toBe("7:unknown");
  });

  it.each([
    ["no id", { id: undefined }],
    ["an id that is an object", { id: { value: 7 } }],
    ["an id that is true", { id: true }],
  ])("is absent for an order with %s", (_name, change) => {
    expect(hint(change)).toBeUndefined();
  });

  it.each([
    ["null", null],
    ["a string", "order"],
    ["a number", 7],
  ])("is absent when the body is %s", (_name, body) => {
    expect(ordersStream.check(body)).toMatchObject({ ok: false, recordIdHint: undefined });
  });
});
