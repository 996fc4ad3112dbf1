import type { SourceCatalog } from "../../core/ingest/source.js";

export const shopifyCatalog: SourceCatalog = {
  source: "shopify",
  owner: "e-commerce team (webshop admin)",
  description:
    "Shopify webshop: orders, customers, products and refunds webhooks and the mandatory privacy webhooks, signed with the app's HMAC secret.",
  streams: {
    orders: {
      description:
        "One row per order version (create, update, payment, cancellation, fulfilment); record id `<order id>:<updated_at UTC>`.",
      piiPaths: [
        "$.email",
        "$.contact_email",
        "$.phone",
        "$.browser_ip",
        "$.client_details",
        "$.customer.email",
        "$.customer.phone",
        "$.customer.first_name",
        "$.customer.last_name",
        "$.customer.default_address",
        "$.billing_address",
        "$.shipping_address",
        "$.note",
      ],
      identifiers: [
        { path: "$.email", kind: "email" },
        { path: "$.contact_email", kind: "email" },
        { path: "$.customer.email", kind: "email" },
        { path: "$.phone", kind: "phone" },
        { path: "$.customer.phone", kind: "phone" },
        { path: "$.customer.default_address.phone", kind: "phone" },
        { path: "$.billing_address.phone", kind: "phone" },
        { path: "$.shipping_address.phone", kind: "phone" },
        { path: "$.customer.id", kind: "shopify_customer_id" },
        { path: "$.id", kind: "shopify_order_id" },
      ],
      freshnessTargetHours: 24,
      consentSignals: [
        "email_marketing: $.customer.email_marketing_consent {state, opt_in_level, consent_updated_at}",
        "ad_user_data: $.note_attributes[name=consent_ad_user_data].value granted|denied",
        "ad_personalization: $.note_attributes[name=consent_ad_personalization].value granted|denied",
      ],
    },

    customers: {
      description:
        "One row per customer version (customers/create, update, enable, disable); record id `<customer id>:<updated_at UTC>`.",
      piiPaths: [
        "$.email",
        "$.phone",
        "$.first_name",
        "$.last_name",
        "$.note",
        "$.default_address",
        "$.addresses",
      ],
      identifiers: [
        { path: "$.email", kind: "email" },
        { path: "$.phone", kind: "phone" },
        { path: "$.default_address.phone", kind: "phone" },
        { path: "$.addresses[*].phone", kind: "phone" },
        { path: "$.id", kind: "shopify_customer_id" },
      ],
      freshnessTargetHours: 24,
      consentSignals: [
        "email_marketing: $.email_marketing_consent {state, opt_in_level, consent_updated_at}",
        "sms_marketing: $.sms_marketing_consent.state",
      ],
    },
    customer_deletions: {
      description:
        "One row per deleted customer (customers/delete); record id `<customer id>:deleted`.",
      piiPaths: ["$.phone", "$.addresses"],
      identifiers: [
        { path: "$.id", kind: "shopify_customer_id" },
        { path: "$.phone", kind: "phone" },
        { path: "$.addresses[*].phone", kind: "phone" },
      ],
      freshnessTargetHours: 168,
      consentSignals: [],
    },
    products: {
      description:
        "One row per product version with its variants (products/create, update); record id `<product id>:<updated_at UTC>`.",
      piiPaths: [],
      identifiers: [],
      freshnessTargetHours: 168,
      consentSignals: [],
    },
    product_deletions: {
      description:
        "One row per deleted product (products/delete); record id `<product id>:deleted`.",
      piiPaths: [],
      identifiers: [],
      freshnessTargetHours: 168,
      consentSignals: [],
    },
    refunds: {
      description:
        "One row per refund with its line items and transactions (refunds/create); record id `<refund id>`.",
      piiPaths: ["$.note"],
      // A refund names its order; the order names the person (resolved through fct_orders).
      identifiers: [{ path: "$.order_id", kind: "shopify_order_id" }],
      freshnessTargetHours: 24,
      consentSignals: [],
    },
    customers_redact: {
      description:
        "Mandatory privacy webhook customers/redact: erase this customer and these orders. Each record is an erasure request for the privacy worker; record id `customers_redact:<shop id>:<customer id>:<digest>`.",
      piiPaths: ["$.customer.email", "$.customer.phone"],
      identifiers: [
        { path: "$.customer.email", kind: "email" },
        { path: "$.customer.phone", kind: "phone" },
        { path: "$.customer.id", kind: "shopify_customer_id" },
        { path: "$.orders_to_redact[*]", kind: "shopify_order_id" },
      ],
      privacyRequest: "erase_person",
      freshnessTargetHours: 24,
      consentSignals: [],
    },
    customers_data_request: {
      description:
        "Mandatory privacy webhook customers/data_request: the merchant asks what we hold about this customer. Each record is an access request for the privacy worker; record id `data_request:<id>`.",
      piiPaths: ["$.customer.email", "$.customer.phone"],
      identifiers: [
        { path: "$.customer.email", kind: "email" },
        { path: "$.customer.phone", kind: "phone" },
        { path: "$.customer.id", kind: "shopify_customer_id" },
        { path: "$.orders_requested[*]", kind: "shopify_order_id" },
      ],
      privacyRequest: "export_person",
      freshnessTargetHours: 24,
      consentSignals: [],
    },
    shop_redact: {
      description:
        "Mandatory privacy webhook shop/redact (48 h after the shop uninstalled the app): erase the shop's data; record id `shop_redact:<shop id>`.",
      piiPaths: [],
      identifiers: [],
      privacyRequest: "erase_connection",
      freshnessTargetHours: 168,
      consentSignals: [],
    },
  },
};
