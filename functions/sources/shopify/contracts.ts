import { z } from "zod";

/**
 * Shopify's Order object, as `orders/*` webhooks send it at the top level of the body. Loose:
 * Shopify adds fields with every API version and raw keeps them all; strict only on what the
 * pipeline reads (ids, times, money, the customer's identifiers and consent, line items).
 */

/** Shopify ids are 64-bit: above 2^53 they arrive as `bigint` from the exact parser. */
export const ShopifyIdSchema = z.union([z.number().int().nonnegative(), z.bigint().nonnegative()]);

/**
 * Money is a decimal string in Shopify's REST payloads ("199.00"), never a float, and an order's
 * amounts are never negative (refunds are their own objects). The bounds are the warehouse's
 * NUMERIC (29 digits before the point, 9 after), so what passes here is what the models accept.
 */
export const DecimalStringSchema = z
  .string()
  .regex(
    /^\d{1,29}(\.\d{1,9})?$/,
    'expected a non-negative decimal string such as "12.50" (at most 29 digits before the point and 9 after)',
  );

/**
 * ISO 8601 with seconds and an offset, as Shopify writes it ("2024-04-02T09:04:31-05:00"):
 * narrowed to what BigQuery's TIMESTAMP reads (at most 6 fractional digits, years 1970–9998
 * whatever the offset), so a timestamp the contract accepts is never NULL in staging.
 */
export const ShopifyTimestampSchema = z.iso
  .datetime({ offset: true })
  .regex(
    /^(19[7-9]\d|[2-8]\d{3}|9[0-8]\d{2}|99[0-8]\d|999[0-8])-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/,
    "expected a timestamp such as 2024-04-02T09:04:31-05:00 (seconds, at most 6 fractional digits, an offset, a year from 1970 to 9998)",
  );

export const MarketingConsentSchema = z.looseObject({
  state: z.string(),
  opt_in_level: z.string().nullable().optional(),
  consent_updated_at: ShopifyTimestampSchema.nullable().optional(),
});

export const ShopifyCustomerSchema = z.looseObject({
  id: ShopifyIdSchema,
  email: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  first_name: z.string().nullable().optional(),
  last_name: z.string().nullable().optional(),
  email_marketing_consent: MarketingConsentSchema.nullable().optional(),
});

export const ShopifyLineItemSchema = z.looseObject({
  id: ShopifyIdSchema,
  title: z.string(),
  quantity: z.number().int().nonnegative(),
  price: DecimalStringSchema,
  product_id: ShopifyIdSchema.nullable().optional(),
  variant_id: ShopifyIdSchema.nullable().optional(),
  sku: z.string().nullable().optional(),
});

/** Cart attributes; a storefront consent banner writes `consent_ad_user_data` etc. here. */
export const NoteAttributeSchema = z.looseObject({
  name: z.string(),
  value: z.unknown(),
});

export const ShopifyOrderSchema = z.looseObject({
  id: ShopifyIdSchema,
  admin_graphql_api_id: z.string().optional(),
  name: z.string().optional(),
  email: z.string().nullable().optional(),
  contact_email: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  created_at: ShopifyTimestampSchema,
  updated_at: ShopifyTimestampSchema,
  processed_at: ShopifyTimestampSchema.nullable().optional(),
  cancelled_at: ShopifyTimestampSchema.nullable().optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 currency code"),
  total_price: DecimalStringSchema,
  subtotal_price: DecimalStringSchema.optional(),
  total_tax: DecimalStringSchema.optional(),
  financial_status: z.string().nullable().optional(),
  buyer_accepts_marketing: z.boolean().optional(),
  customer: ShopifyCustomerSchema.nullable().optional(),
  line_items: z.array(ShopifyLineItemSchema),
  note_attributes: z.array(NoteAttributeSchema).optional(),
});
export type ShopifyOrder = z.infer<typeof ShopifyOrderSchema>;

/** Webhook topics whose body is a full Order, and the stream they land in. */
export const SHOPIFY_TOPIC_STREAMS: Readonly<Record<string, string>> = {
  "orders/create": "orders",
  "orders/updated": "orders",
  "orders/paid": "orders",
  "orders/cancelled": "orders",
  "orders/fulfilled": "orders",
  "orders/partially_fulfilled": "orders",
};

/** Note attributes the consent banner writes, per Google consent purpose. */
export const CONSENT_ATTRIBUTES = {
  adUserData: "consent_ad_user_data",
  adPersonalization: "consent_ad_personalization",
} as const;
