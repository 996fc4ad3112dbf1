import { z } from "zod";

/**
 * One SendGrid Event Webhook event (the body is an array of them). Loose: SendGrid adds fields
 * (custom args, `sg_machine_open`, `bounce_classification`…) and raw keeps them all; strict on
 * what the pipeline reads.
 */
export const SENDGRID_EVENT_TYPES = [
  "processed",
  "deferred",
  "delivered",
  "open",
  "click",
  "bounce",
  "dropped",
  "spamreport",
  "unsubscribe",
  "group_unsubscribe",
  "group_resubscribe",
] as const;
export type SendgridEventType = (typeof SENDGRID_EVENT_TYPES)[number];

export const SendgridEventSchema = z.looseObject({
  email: z.string().min(1),
  /** Unix seconds when the event happened. */
  timestamp: z.number().int().nonnegative().max(253402300799, "expected unix seconds"),
  event: z.enum(SENDGRID_EVENT_TYPES),
  /** Unique per event; SendGrid's retries and duplicates carry the same id. */
  sg_event_id: z.string().min(1),
  sg_message_id: z.string().optional(),
  "smtp-id": z.string().optional(),
  category: z.union([z.string(), z.array(z.string())]).optional(),
  url: z.string().optional(),
  reason: z.string().optional(),
  status: z.string().optional(),
  /** Bounces: `bounce` or `blocked`. */
  type: z.string().optional(),
  asm_group_id: z.number().int().optional(),
  useragent: z.string().optional(),
  ip: z.string().optional(),
  /** Opens: a machine (Apple Mail Privacy Protection) opened it, not a person. */
  sg_machine_open: z.boolean().optional(),
  /** Marketing Campaigns Single Sends: the send that produced the message. */
  singlesend_id: z.string().min(1).optional(),
  singlesend_name: z.string().optional(),
  template_id: z.string().optional(),
  sg_template_id: z.string().optional(),
  /** Legacy Marketing Campaigns: documented as an integer. */
  marketing_campaign_id: z
    .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, "expected a numeric id")])
    .optional(),
  marketing_campaign_name: z.string().optional(),
});
export type SendgridEvent = z.infer<typeof SendgridEventSchema>;
