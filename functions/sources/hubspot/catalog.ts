import type { SourceCatalog } from "../../core/ingest/source.js";

export const hubspotCatalog: SourceCatalog = {
  source: "hubspot",
  owner: "sales operations (HubSpot super admin)",
  description:
    "HubSpot CRM: webhooks v3 (X-HubSpot-Signature-v3) for change events, and an incremental pull of contacts, companies, deals (with stage history) and owners through the CRM search API.",
  streams: {
    events: {
      description:
        "One row per webhook event (contact/company/deal creation, property change, deletion, association change); record id `<portal>:<subscription>:<event>:<object>:<occurredAt>`.",
      piiPaths: ["$.propertyValue"],
      // A change event names its object only by a numeric id shared with companies and deals, so
      // only an email set as a property's new value is matched here; the contact itself is in `contacts`.
      identifiers: [{ path: "$.propertyValue", kind: "email" }],
      freshnessTargetHours: 6,
      consentSignals: ["email_marketing: contact.propertyChange of hs_email_optout"],
    },
    contacts: {
      description:
        "One row per contact version (pulled); record id `<id>:<lastmodifieddate UTC>`; `associations.companies` holds the associated company ids.",
      piiPaths: [
        "$.properties.email",
        "$.properties.firstname",
        "$.properties.lastname",
        "$.properties.phone",
      ],
      identifiers: [
        { path: "$.properties.email", kind: "email" },
        { path: "$.properties.phone", kind: "phone" },
        { path: "$.id", kind: "hubspot_contact_id" },
      ],
      freshnessTargetHours: 24,
      consentSignals: ["email_marketing withdrawn: $.properties.hs_email_optout = true"],
    },
    companies: {
      description:
        "One row per company version (pulled); record id `<id>:<hs_lastmodifieddate UTC>`.",
      piiPaths: [],
      identifiers: [],
      freshnessTargetHours: 24,
      consentSignals: [],
    },
    deals: {
      description:
        "One row per deal version (pulled) with `propertiesWithHistory.dealstage` (every stage and when) and `associations.contacts|companies`; record id `<id>:<hs_lastmodifieddate UTC>`.",
      piiPaths: [],
      // A deal names its contacts by HubSpot id only: an erased contact's deals stay (a business
      // record of the company), their contact id then points at nothing we hold.
      identifiers: [],
      freshnessTargetHours: 24,
      consentSignals: [],
    },
    owners: {
      description: "One row per owner (sales rep) version; record id `<id>:<updatedAt UTC>`.",
      piiPaths: ["$.email", "$.firstName", "$.lastName"],
      identifiers: [{ path: "$.email", kind: "email" }],
      freshnessTargetHours: 168,
      consentSignals: [],
    },
  },
};
