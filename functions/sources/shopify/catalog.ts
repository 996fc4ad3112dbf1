import type { SourceCatalog } from "../../core/ingest/source.js";

export const shopifyCatalog: SourceCatalog = {
  source: "shopify",
  owner: "e-commerce team (webshop admin)",
  description: "Shopify webshop: orders/* webhooks signed with the app's HMAC secret.",
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
      freshnessTargetHours: 24,
      consentSignals: [
        "email_marketing: $.customer.email_marketing_consent {state, opt_in_level, consent_updated_at}",
        "ad_user_data: $.note_attributes[name=consent_ad_user_data].value granted|denied",
        "ad_personalization: $.note_attributes[name=consent_ad_personalization].value granted|denied",
      ],
    },
  },
};
