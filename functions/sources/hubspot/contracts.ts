import { z } from "zod";

/**
 * HubSpot's documented shapes. Loose: HubSpot adds properties and fields freely and raw keeps them
 * all; strict only on what the pipeline reads (ids, times, the email and lifecycle, deal amounts).
 */

/** HubSpot object ids are numeric strings in the CRM API ("512"), numbers in webhook events. */
export const HubspotIdSchema = z.string().regex(/^\d{1,20}$/, "expected a numeric id string");

/** ISO 8601 instants as HubSpot writes them ("2026-03-01T10:00:00.000Z"). */
export const HubspotInstantSchema = z.iso.datetime({ offset: true });

/** Property values are strings or null in CRM v3 (numbers and dates included, as text). */
const Properties = z.record(z.string(), z.string().nullable());

/** Embedded by our pull: the ids of associated records (v4 associations batch read). */
const Associations = z.record(z.string(), z.array(HubspotIdSchema)).optional();

function crmObject<T extends z.ZodRawShape>(modifiedProperty: string, required: T) {
  return z.looseObject({
    id: HubspotIdSchema,
    properties: Properties.and(
      z.looseObject({ [modifiedProperty]: HubspotInstantSchema, ...required }),
    ),
    createdAt: HubspotInstantSchema,
    updatedAt: HubspotInstantSchema,
    archived: z.boolean().optional(),
    associations: Associations,
  });
}

export const HubspotContactSchema = crmObject("lastmodifieddate", {});
export const HubspotCompanySchema = crmObject("hs_lastmodifieddate", {});
export const HubspotDealSchema = crmObject("hs_lastmodifieddate", {
  amount: z
    .string()
    .regex(/^-?\d{1,29}(\.\d{1,9})?$/, "expected a decimal amount")
    .nullable()
    .optional(),
}).and(
  z.looseObject({
    /** Embedded from the batch read's `propertiesWithHistory`: every stage the deal went through. */
    propertiesWithHistory: z
      .looseObject({
        dealstage: z
          .array(z.looseObject({ value: z.string(), timestamp: HubspotInstantSchema }))
          .optional(),
      })
      .optional(),
  }),
);
export type HubspotCrmObject = z.infer<typeof HubspotContactSchema>;

export const HubspotOwnerSchema = z.looseObject({
  id: HubspotIdSchema,
  email: z.string().nullable().optional(),
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  userId: z.number().int().nullable().optional(),
  createdAt: HubspotInstantSchema,
  updatedAt: HubspotInstantSchema,
  archived: z.boolean(),
});
export type HubspotOwner = z.infer<typeof HubspotOwnerSchema>;

/** One event of a webhook POST (the body is an array of these, up to 100). */
export const HubspotWebhookEventSchema = z.looseObject({
  eventId: z.union([z.number().int().nonnegative(), z.bigint().nonnegative()]),
  subscriptionId: z.number().int().nonnegative(),
  portalId: z.number().int().nonnegative(),
  appId: z.number().int().nonnegative().optional(),
  occurredAt: z.number().int().nonnegative(),
  subscriptionType: z
    .string()
    .regex(/^[a-z_]+\.[a-zA-Z_]+$/, "expected <object>.<event>, e.g. contact.creation"),
  attemptNumber: z.number().int().nonnegative(),
  objectId: z.union([z.number().int().nonnegative(), z.bigint().nonnegative()]),
  changeSource: z.string().optional(),
  changeFlag: z.string().optional(),
  propertyName: z.string().optional(),
  propertyValue: z.string().optional(),
});
export type HubspotWebhookEvent = z.infer<typeof HubspotWebhookEventSchema>;
