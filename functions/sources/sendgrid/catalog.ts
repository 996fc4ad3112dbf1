import type { SourceCatalog } from "../../core/ingest/source.js";

export const sendgridCatalog: SourceCatalog = {
  source: "sendgrid",
  owner: "email marketing team (SendGrid account admin)",
  description:
    "SendGrid signed Event Webhook (ECDSA P-256): delivery, engagement and consent events; and the Marketing Campaigns stats of every Single Send, pulled.",
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
    singlesend_stats: {
      description:
        "Pulled (GET /v3/marketing/stats/singlesends): totals of each Single Send per A/B variation and phase, one snapshot per pull `{pulled_at, window, stat}`; record id `<singlesend id>:<ab_variation>:<ab_phase>:<aggregation>:<pulled_at>`. Aggregates only: no person in it.",
      piiPaths: [],
      identifiers: [],
      freshnessTargetHours: 48,
      consentSignals: [],
    },
  },
};
