import type { SourceCatalog } from "../../core/ingest/source.js";

export const sendgridCatalog: SourceCatalog = {
  source: "sendgrid",
  owner: "email marketing team (SendGrid account admin)",
  description:
    "SendGrid signed Event Webhook (ECDSA P-256): delivery, engagement and consent events.",
  streams: {
    events: {
      description: "One row per email event; record id `sg_event_id`.",
      piiPaths: ["$.email", "$.ip", "$.useragent"],
      identifiers: [
        { path: "$.email", kind: "email" },
        { path: "$.sg_event_id", kind: "sendgrid_event_id" },
      ],
      freshnessTargetHours: 6,
      consentSignals: [
        "email_marketing withdrawn: event unsubscribe, group_unsubscribe (per asm_group_id), spamreport",
        "email_marketing re-granted for a group: event group_resubscribe",
      ],
    },
  },
};
