import { describe, expect, it } from "vitest";
import { runDuckDbGraph } from "../../../functions/dataform/run-duckdb.js";
import { daysAgo, useGraphWarehouse } from "../fixtures.js";
import { EMPTY_CORE, loadRawTables, shopifyBasket } from "./raw-fixtures.js";

const db = useGraphWarehouse();
const NOW = Date.now();

const RUNNER = [1, "Trail Runner"] as const;
const SOCKS = [2, "Hiking Socks"] as const;
const SHELL = [3, "Rain Shell"] as const;
const PACK = [4, "Day Pack"] as const;
const MUG = [5, "Camp Mug"] as const;

// Ten orders of nine people; o9 is cancelled and counts for nothing.
const ORDERS = [
  { id: "1", who: "alice", days: 9, total: "45.00", products: [RUNNER, SOCKS] },
  { id: "2", who: "bob", days: 40, total: "50.00", products: [RUNNER, SOCKS] },
  { id: "3", who: "carol", days: 40, total: "120.00", products: [RUNNER, SOCKS, SHELL] },
  { id: "4", who: "dave", days: 40, total: "80.00", products: [SHELL, PACK] },
  { id: "5", who: "erin", days: 40, total: "60.00", products: [SHELL, PACK] },
  { id: "6", who: "finn", days: 40, total: "10.00", products: [MUG] },
  { id: "7", who: "gina", days: 8, total: "20.00", products: [RUNNER] },
  { id: "8", who: "alice", days: 2, total: "0.00", products: [MUG] },
  { id: "9", who: "hank", days: 40, total: "500.00", products: [SOCKS, MUG], cancelled: true },
  { id: "10", who: "kim", days: 10, total: "200.00", products: [SOCKS, SHELL] },
];

async function run() {
  await loadRawTables(db.warehouse, {
    ...EMPTY_CORE,
    "shopify.orders": ORDERS.map((o) =>
      shopifyBasket({
        id: o.id,
        email: `${o.who}@example.com`,
        firstName: o.who,
        createdAt: daysAgo(o.days, NOW),
        totalPrice: o.total,
        products: o.products,
        ...(o.cancelled ? { cancelled: true } : {}),
      }),
    ),
  });
  await runDuckDbGraph(db.warehouse, db.graph);
}

const emailOf = `(SELECT email FROM marts.dim_contacts AS c WHERE c.contact_id = t.contact_id)`;

describe("webshop flows", () => {
  it("stages one row per order line with product ids as strings", async () => {
    await run();
    const lines = await db.warehouse.query(
      "SELECT order_id, line_id, product_id, product_title, quantity, price FROM staging.stg_shopify__order_lines WHERE order_id = '3' ORDER BY line_id",
    );
    expect(lines).toEqual([
      {
        order_id: "3",
        line_id: "30",
        product_id: "1",
        product_title: "Trail Runner",
        quantity: 1,
        price: 10,
      },
      {
        order_id: "3",
        line_id: "31",
        product_id: "2",
        product_title: "Hiking Socks",
        quantity: 1,
        price: 10,
      },
      {
        order_id: "3",
        line_id: "32",
        product_id: "3",
        product_title: "Rain Shell",
        quantity: 1,
        price: 10,
      },
    ]);
  });

  it("computes co-occurrence with support, confidence and lift over baskets that are not cancelled", async () => {
    await run();
    const pairs = await db.warehouse.query(
      `SELECT product_id, related_product_id, orders_together, product_orders, related_product_orders,
         baskets, confidence, lift
       FROM marts.product_affinity ORDER BY product_id, related_product_id`,
    );
    expect(pairs).toEqual([
      {
        product_id: "1",
        related_product_id: "2",
        orders_together: 3,
        product_orders: 4,
        related_product_orders: 4,
        baskets: 9,
        confidence: 0.75,
        lift: 1.6875,
      },
      {
        product_id: "2",
        related_product_id: "1",
        orders_together: 3,
        product_orders: 4,
        related_product_orders: 4,
        baskets: 9,
        confidence: 0.75,
        lift: 1.6875,
      },
      {
        product_id: "2",
        related_product_id: "3",
        orders_together: 2,
        product_orders: 4,
        related_product_orders: 4,
        baskets: 9,
        confidence: 0.5,
        lift: 1.125,
      },
      {
        product_id: "3",
        related_product_id: "2",
        orders_together: 2,
        product_orders: 4,
        related_product_orders: 4,
        baskets: 9,
        confidence: 0.5,
        lift: 1.125,
      },
      {
        product_id: "3",
        related_product_id: "4",
        orders_together: 2,
        product_orders: 4,
        related_product_orders: 2,
        baskets: 9,
        confidence: 0.5,
        lift: 2.25,
      },
      {
        product_id: "4",
        related_product_id: "3",
        orders_together: 2,
        product_orders: 2,
        related_product_orders: 4,
        baskets: 9,
        confidence: 1,
        lift: 2.25,
      },
    ]);
  });

  it("recommends the top bought-together products a customer has not bought yet, best lift first", async () => {
    await run();
    const recommendations = await db.warehouse.query(
      `SELECT ${emailOf} AS email, recommendation_rank, product_title, because_product_title, lift
       FROM marts.product_recommendations AS t ORDER BY email, recommendation_rank`,
    );
    expect(recommendations).toEqual([
      {
        email: "alice@example.com",
        recommendation_rank: 1,
        product_title: "Rain Shell",
        because_product_title: "Hiking Socks",
        lift: 1.125,
      },
      {
        email: "bob@example.com",
        recommendation_rank: 1,
        product_title: "Rain Shell",
        because_product_title: "Hiking Socks",
        lift: 1.125,
      },
      {
        email: "carol@example.com",
        recommendation_rank: 1,
        product_title: "Day Pack",
        because_product_title: "Rain Shell",
        lift: 2.25,
      },
      {
        email: "dave@example.com",
        recommendation_rank: 1,
        product_title: "Hiking Socks",
        because_product_title: "Rain Shell",
        lift: 1.125,
      },
      {
        email: "erin@example.com",
        recommendation_rank: 1,
        product_title: "Hiking Socks",
        because_product_title: "Rain Shell",
        lift: 1.125,
      },
      {
        email: "gina@example.com",
        recommendation_rank: 1,
        product_title: "Hiking Socks",
        because_product_title: "Trail Runner",
        lift: 1.6875,
      },
      {
        email: "kim@example.com",
        recommendation_rank: 1,
        product_title: "Day Pack",
        because_product_title: "Rain Shell",
        lift: 2.25,
      },
      {
        email: "kim@example.com",
        recommendation_rank: 2,
        product_title: "Trail Runner",
        because_product_title: "Hiking Socks",
        lift: 1.6875,
      },
    ]);
  });

  it("puts customers 7 to 14 days after their first purchase in onboarding with their recommendations", async () => {
    await run();
    const members = await db.warehouse.query(
      `SELECT email, first_name, business_unit, days_since_first_order, recommended_product_1_title,
         recommended_product_2_title, recommended_product_3_title, consent_email_marketing
       FROM marts.seg_onboarding ORDER BY email`,
    );
    expect(members).toEqual([
      {
        email: "alice@example.com",
        first_name: "alice",
        business_unit: "default",
        days_since_first_order: 9,
        recommended_product_1_title: "Rain Shell",
        recommended_product_2_title: null,
        recommended_product_3_title: null,
        consent_email_marketing: false,
      },
      {
        email: "gina@example.com",
        first_name: "gina",
        business_unit: "default",
        days_since_first_order: 8,
        recommended_product_1_title: "Hiking Socks",
        recommended_product_2_title: null,
        recommended_product_3_title: null,
        consent_email_marketing: false,
      },
      {
        email: "kim@example.com",
        first_name: "kim",
        business_unit: "default",
        days_since_first_order: 10,
        recommended_product_1_title: "Day Pack",
        recommended_product_2_title: "Trail Runner",
        recommended_product_3_title: null,
        consent_email_marketing: false,
      },
    ]);
  });

  it("seeds lookalikes with the top 20 % of customers by value, cancelled orders not counted", async () => {
    await run();
    const seed = await db.warehouse.query(
      "SELECT email, customer_value, value_percentile, orders_count FROM marts.seg_lookalike_seed ORDER BY customer_value DESC",
    );
    expect(seed).toEqual([
      { email: "kim@example.com", customer_value: 200, value_percentile: 1, orders_count: 1 },
      {
        email: "carol@example.com",
        customer_value: 120,
        value_percentile: 0.8571,
        orders_count: 1,
      },
    ]);
  });
});
