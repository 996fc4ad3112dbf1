/**
 * Payloads in the shapes of Shopify's webhook reference (REST Admin API resources): a Customer
 * (`customers/create`), a Product with variants (`products/update`), a Refund with its line items
 * and transactions (`refunds/create`), and the three mandatory privacy webhooks, whose bodies
 * are the documented examples (shop 954889, customer 191167, orders 299938, 280263, 220458).
 */
export const customer = {
  id: 706405506930370000,
  email: "Bob.Norman@Mail.Example.com",
  created_at: "2021-12-31T19:00:00-05:00",
  updated_at: "2021-12-31T19:00:00-05:00",
  first_name: "Bob",
  last_name: "Norman",
  state: "disabled",
  note: "This customer loves ice cream",
  verified_email: true,
  tax_exempt: true,
  phone: null,
  tags: "",
  currency: "USD",
  addresses: [],
  admin_graphql_api_id: "gid://shopify/Customer/706405506930370084",
  default_address: null,
  email_marketing_consent: {
    state: "subscribed",
    opt_in_level: "single_opt_in",
    consent_updated_at: "2021-12-31T19:00:00-05:00",
  },
};
export const product = {
  id: 788032119674292900,
  title: "Example T-Shirt",
  body_html: "An example T-Shirt",
  vendor: "Acme",
  product_type: "Shirts",
  created_at: null,
  handle: "example-t-shirt",
  updated_at: "2021-12-31T19:00:00-05:00",
  published_at: "2021-12-31T19:00:00-05:00",
  status: "active",
  tags: "example, mens, t-shirt",
  variants: [
    {
      id: 642667041472713900,
      product_id: 788032119674292900,
      title: "Small",
      price: "19.99",
      sku: "example-shirt-s",
      compare_at_price: "24.99",
    },
    {
      id: 757650484644203900,
      product_id: 788032119674292900,
      title: "Medium",
      price: "19.99",
      sku: "example-shirt-m",
      compare_at_price: "24.99",
    },
  ],
};
export const refund = {
  id: 509562969,
  order_id: 820982911946154500,
  created_at: "2021-12-31T19:00:00-05:00",
  note: "Things were damaged",
  user_id: 548380009,
  processed_at: "2021-12-31T19:00:00-05:00",
  restock: false,
  refund_line_items: [
    {
      id: 487817672276298560,
      line_item_id: 866550311766439000,
      quantity: 1,
      restock_type: "no_restock",
      subtotal: 199.99,
    },
  ],
  transactions: [
    {
      id: 245135155,
      order_id: 820982911946154500,
      kind: "refund",
      gateway: "bogus",
      status: "success",
      amount: "199.99",
      currency: "USD",
    },
  ],
  order_adjustments: [],
};
export const redact = {
  shop_id: 954889,
  shop_domain: "{shop}.myshopify.com",
  customer: { id: 191167, email: "john@example.com", phone: "555-625-1199" },
  orders_to_redact: [299938, 280263, 220458],
};
export const dataRequest = {
  shop_id: 954889,
  shop_domain: "{shop}.myshopify.com",
  orders_requested: [299938, 280263, 220458],
  customer: { id: 191167, email: "john@example.com", phone: "555-625-1199" },
  data_request: { id: 9999 },
};
export const shopRedact = { shop_id: 954889, shop_domain: "{shop}.myshopify.com" };
