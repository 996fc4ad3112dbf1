import { z } from "zod";
import {
  DecimalStringSchema,
  MarketingConsentSchema,
  ShopifyIdSchema,
  ShopifyTimestampSchema,
} from "./contracts.js";

/**
 * Shopify's Customer, Product and Refund objects as `customers/*`, `products/*` and
 * `refunds/create` webhooks send them (REST shape, the resource at the top level of the body),
 * and the three mandatory privacy webhooks. Loose like the Order contract: strict on ids, times,
 * money and identifiers, everything else kept as sent.
 */

export const ShopifyAddressSchema = z.looseObject({
  country_code: z.string().nullable().optional(),
  province_code: z.string().nullable().optional(),
});

export const ShopifyCustomerResourceSchema = z.looseObject({
  id: ShopifyIdSchema,
  email: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  first_name: z.string().nullable().optional(),
  last_name: z.string().nullable().optional(),
  state: z.string().nullable().optional(),
  verified_email: z.boolean().optional(),
  tags: z.string().nullable().optional(),
  currency: z.string().nullable().optional(),
  created_at: ShopifyTimestampSchema,
  updated_at: ShopifyTimestampSchema,
  email_marketing_consent: MarketingConsentSchema.nullable().optional(),
  sms_marketing_consent: z.looseObject({ state: z.string() }).nullable().optional(),
  default_address: ShopifyAddressSchema.nullable().optional(),
  addresses: z.array(ShopifyAddressSchema).optional(),
});
export type ShopifyCustomerResource = z.infer<typeof ShopifyCustomerResourceSchema>;

/** `customers/delete` and `products/delete` send the id (and little else) of what was deleted. */
export const ShopifyDeletionSchema = z.looseObject({ id: ShopifyIdSchema });

export const ShopifyVariantSchema = z.looseObject({
  id: ShopifyIdSchema,
  product_id: ShopifyIdSchema.nullable().optional(),
  title: z.string().nullable().optional(),
  sku: z.string().nullable().optional(),
  price: DecimalStringSchema,
  compare_at_price: DecimalStringSchema.nullable().optional(),
});

export const ShopifyProductSchema = z.looseObject({
  id: ShopifyIdSchema,
  title: z.string(),
  handle: z.string().nullable().optional(),
  vendor: z.string().nullable().optional(),
  product_type: z.string().nullable().optional(),
  status: z.string().nullable().optional(),
  tags: z.string().nullable().optional(),
  // Shopify's own products/update example carries `created_at: null`.
  created_at: ShopifyTimestampSchema.nullable().optional(),
  updated_at: ShopifyTimestampSchema,
  published_at: ShopifyTimestampSchema.nullable().optional(),
  variants: z.array(ShopifyVariantSchema),
});
export type ShopifyProduct = z.infer<typeof ShopifyProductSchema>;

export const ShopifyRefundSchema = z.looseObject({
  id: ShopifyIdSchema,
  order_id: ShopifyIdSchema,
  created_at: ShopifyTimestampSchema,
  processed_at: ShopifyTimestampSchema.nullable().optional(),
  note: z.string().nullable().optional(),
  refund_line_items: z.array(
    z.looseObject({
      id: ShopifyIdSchema,
      line_item_id: ShopifyIdSchema,
      quantity: z.number().int().nonnegative(),
      subtotal: z.union([DecimalStringSchema, z.number().nonnegative()]).optional(),
    }),
  ),
  transactions: z.array(
    z.looseObject({
      id: ShopifyIdSchema,
      kind: z.string(),
      status: z.string().nullable().optional(),
      amount: DecimalStringSchema,
      currency: z
        .string()
        .regex(/^[A-Z]{3}$/, "expected an ISO 4217 currency code")
        .optional(),
    }),
  ),
});
export type ShopifyRefund = z.infer<typeof ShopifyRefundSchema>;

const PrivacyCustomerSchema = z.looseObject({
  id: ShopifyIdSchema.optional(),
  email: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
});

/** `customers/redact`: erase this customer (and these orders) from what the app stores. */
export const ShopifyCustomersRedactSchema = z.looseObject({
  shop_id: ShopifyIdSchema,
  shop_domain: z.string().min(1),
  customer: PrivacyCustomerSchema,
  orders_to_redact: z.array(ShopifyIdSchema),
});
export type ShopifyCustomersRedact = z.infer<typeof ShopifyCustomersRedactSchema>;

/** `customers/data_request`: send the merchant what the app stores about this customer. */
export const ShopifyCustomersDataRequestSchema = z.looseObject({
  shop_id: ShopifyIdSchema,
  shop_domain: z.string().min(1),
  customer: PrivacyCustomerSchema,
  orders_requested: z.array(ShopifyIdSchema),
  data_request: z.looseObject({ id: ShopifyIdSchema }),
});
export type ShopifyCustomersDataRequest = z.infer<typeof ShopifyCustomersDataRequestSchema>;

/** `shop/redact`: 48 hours after uninstall, erase everything of this shop. */
export const ShopifyShopRedactSchema = z.looseObject({
  shop_id: ShopifyIdSchema,
  shop_domain: z.string().min(1),
});
export type ShopifyShopRedact = z.infer<typeof ShopifyShopRedactSchema>;
