import { isInteger, isSafeNumber } from "lossless-json";

/**
 * The GraphQL Admin API's Order and Customer nodes rewritten in the shape the `orders/*` and
 * `customers/*` webhooks send (Shopify's REST objects), so a backfilled record lands in the same
 * stream, passes the same contract and gets the same record id (`<id>:<updated_at UTC>`) as the
 * webhook of the same version: the two dedupe in staging. Only what GraphQL answers is written;
 * a REST field GraphQL does not have is absent (not null), so nothing is invented.
 */

type Node = Record<string, unknown>;

const obj = (value: unknown): Node | undefined =>
  typeof value === "object" && value !== null ? (value as Node) : undefined;

/** A numeric id from `legacyResourceId` or a GID (`gid://shopify/Order/123`); bigint above 2^53. */
export function numericId(value: unknown): number | bigint | null {
  if (typeof value !== "string") return null;
  const digits = /(\d+)$/.exec(value)?.[1];
  if (!digits || !isInteger(digits)) return null;
  return isSafeNumber(digits) ? Number(digits) : BigInt(digits);
}

/** `shopMoney.amount` of a MoneyBag (`totalPriceSet`), as Shopify's decimal string. */
const amount = (bag: unknown): unknown => obj(obj(bag)?.shopMoney)?.amount;

/** GraphQL enums (`PAID`, `SINGLE_OPT_IN`) as the REST lower-case words. */
const lower = (value: unknown): unknown =>
  typeof value === "string" ? value.toLowerCase() : value;

/** REST's `fulfillment_status`: null when nothing is fulfilled, `partial`, `fulfilled`… */
function fulfillmentStatus(value: unknown): unknown {
  if (value === "UNFULFILLED" || value === null || value === undefined) return null;
  if (value === "PARTIALLY_FULFILLED") return "partial";
  return lower(value);
}

function address(value: unknown): Node | null {
  const a = obj(value);
  if (!a) return null;
  return {
    first_name: a.firstName ?? null,
    last_name: a.lastName ?? null,
    company: a.company ?? null,
    address1: a.address1 ?? null,
    address2: a.address2 ?? null,
    city: a.city ?? null,
    zip: a.zip ?? null,
    province: a.province ?? null,
    province_code: a.provinceCode ?? null,
    country: a.country ?? null,
    country_code: a.countryCodeV2 ?? null,
    phone: a.phone ?? null,
  };
}

function consent(value: unknown, stateKey: string): Node | null {
  const c = obj(value);
  if (!c) return null;
  return {
    state: lower(c[stateKey]),
    opt_in_level: lower(c.marketingOptInLevel ?? null),
    consent_updated_at: c.consentUpdatedAt ?? null,
  };
}

/** A Customer node (own query or nested in an order) as the REST Customer. */
export function restCustomer(node: Node): Node {
  const tags = node.tags;
  return {
    id: numericId(node.legacyResourceId ?? node.id),
    admin_graphql_api_id: node.id,
    email: node.email ?? null,
    phone: node.phone ?? null,
    first_name: node.firstName ?? null,
    last_name: node.lastName ?? null,
    ...(node.state !== undefined ? { state: lower(node.state) } : {}),
    ...(node.verifiedEmail !== undefined ? { verified_email: node.verifiedEmail } : {}),
    ...(Array.isArray(tags) ? { tags: tags.join(", ") } : {}),
    ...(node.createdAt !== undefined ? { created_at: node.createdAt } : {}),
    ...(node.updatedAt !== undefined ? { updated_at: node.updatedAt } : {}),
    email_marketing_consent: consent(node.emailMarketingConsent, "marketingState"),
    ...(node.smsMarketingConsent !== undefined
      ? { sms_marketing_consent: consent(node.smsMarketingConsent, "marketingState") }
      : {}),
    ...(node.defaultAddress !== undefined ? { default_address: address(node.defaultAddress) } : {}),
  };
}

/** A line item node as the REST line item. */
function restLineItem(node: Node): Node {
  return {
    id: numericId(node.id),
    title: node.title,
    quantity: node.quantity,
    sku: node.sku ?? null,
    price: amount(node.originalUnitPriceSet),
    product_id: numericId(obj(node.product)?.legacyResourceId),
    variant_id: numericId(obj(node.variant)?.legacyResourceId),
  };
}

/** An Order node (with all its line items gathered) as the REST Order. */
export function restOrder(node: Node, lineItems: readonly Node[]): Node {
  const customer = obj(node.customer);
  const attributes = Array.isArray(node.customAttributes) ? node.customAttributes : [];
  return {
    id: numericId(node.legacyResourceId ?? node.id),
    admin_graphql_api_id: node.id,
    name: node.name,
    email: node.email ?? null,
    contact_email: node.email ?? null,
    phone: node.phone ?? null,
    created_at: node.createdAt,
    updated_at: node.updatedAt,
    processed_at: node.processedAt ?? null,
    cancelled_at: node.cancelledAt ?? null,
    closed_at: node.closedAt ?? null,
    test: node.test,
    currency: node.currencyCode,
    total_price: amount(node.totalPriceSet),
    subtotal_price: amount(node.subtotalPriceSet),
    total_tax: amount(node.totalTaxSet),
    financial_status: lower(node.displayFinancialStatus ?? null),
    fulfillment_status: fulfillmentStatus(node.displayFulfillmentStatus),
    note_attributes: attributes.map((a) => ({ name: obj(a)?.key, value: obj(a)?.value })),
    customer: customer ? restCustomer(customer) : null,
    billing_address: address(node.billingAddress),
    shipping_address: address(node.shippingAddress),
    line_items: lineItems.map(restLineItem),
  };
}
