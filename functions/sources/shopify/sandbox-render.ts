/**
 * The local Shopify's store, held as REST objects (what the webhooks send), answered as the
 * GraphQL Admin API's nodes: GIDs beside `legacyResourceId`, camelCase, enums in upper case,
 * MoneyBags whose Decimal amounts drop trailing zeros ("199.0"), DateTimes in UTC.
 */

type Rest = Record<string, unknown>;

const obj = (value: unknown): Rest | undefined =>
  typeof value === "object" && value !== null ? (value as Rest) : undefined;

export const utc = (value: unknown): string | null =>
  typeof value === "string" && !Number.isNaN(Date.parse(value))
    ? new Date(value).toISOString().replace(/\.\d{3}Z$/, "Z")
    : null;

const upper = (value: unknown) => (typeof value === "string" ? value.toUpperCase() : null);

/** Shopify's Decimal scalar: "199.00" is answered "199.0". */
function decimal(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const [whole, fraction = ""] = value.split(".");
  const trimmed = fraction.replace(/0+$/, "");
  return `${whole}.${trimmed === "" ? "0" : trimmed}`;
}

const money = (amount: unknown, currency: unknown) => ({
  shopMoney: { amount: decimal(amount), currencyCode: currency },
});

function address(value: unknown) {
  const a = obj(value);
  if (!a) return null;
  return {
    firstName: a.first_name ?? null,
    lastName: a.last_name ?? null,
    company: a.company ?? null,
    address1: a.address1 ?? null,
    address2: a.address2 ?? null,
    city: a.city ?? null,
    zip: a.zip ?? null,
    province: a.province ?? null,
    provinceCode: a.province_code ?? null,
    country: a.country ?? null,
    countryCodeV2: a.country_code ?? null,
    phone: a.phone ?? null,
  };
}

function consent(value: unknown) {
  const c = obj(value);
  if (!c) return null;
  return {
    marketingState: upper(c.state),
    marketingOptInLevel: upper(c.opt_in_level),
    consentUpdatedAt: utc(c.consent_updated_at),
  };
}

const gid = (type: string, id: unknown) => `gid://shopify/${type}/${String(id)}`;

export function customerNode(c: Rest) {
  const tags = typeof c.tags === "string" && c.tags !== "" ? c.tags.split(/,\s*/) : [];
  return {
    id: gid("Customer", c.id),
    legacyResourceId: String(c.id),
    email: c.email ?? null,
    phone: c.phone ?? null,
    firstName: c.first_name ?? null,
    lastName: c.last_name ?? null,
    state: upper(c.state ?? "enabled"),
    verifiedEmail: c.verified_email ?? false,
    tags,
    createdAt: utc(c.created_at),
    updatedAt: utc(c.updated_at),
    emailMarketingConsent: consent(c.email_marketing_consent),
    smsMarketingConsent: consent(c.sms_marketing_consent),
    defaultAddress: address(c.default_address),
  };
}

export function lineItemNode(line: Rest, currency: unknown) {
  return {
    id: gid("LineItem", line.id),
    title: line.title,
    quantity: line.quantity,
    sku: line.sku ?? null,
    originalUnitPriceSet: money(line.price, currency),
    product: line.product_id == null ? null : { legacyResourceId: String(line.product_id) },
    variant: line.variant_id == null ? null : { legacyResourceId: String(line.variant_id) },
  };
}

function fulfillment(value: unknown): string {
  if (value === null || value === undefined) return "UNFULFILLED";
  if (value === "partial") return "PARTIALLY_FULFILLED";
  return upper(value) ?? "UNFULFILLED";
}

/** An Order node without its line items (the server pages those). */
export function orderNode(o: Rest) {
  const customer = obj(o.customer);
  const notes = Array.isArray(o.note_attributes) ? o.note_attributes : [];
  return {
    id: gid("Order", o.id),
    legacyResourceId: String(o.id),
    name: o.name ?? null,
    email: o.email ?? null,
    phone: o.phone ?? null,
    createdAt: utc(o.created_at),
    updatedAt: utc(o.updated_at),
    processedAt: utc(o.processed_at),
    cancelledAt: utc(o.cancelled_at),
    closedAt: utc(o.closed_at),
    test: o.test ?? false,
    currencyCode: o.currency,
    displayFinancialStatus: upper(o.financial_status),
    displayFulfillmentStatus: fulfillment(o.fulfillment_status),
    totalPriceSet: money(o.total_price, o.currency),
    subtotalPriceSet: money(o.subtotal_price, o.currency),
    totalTaxSet: money(o.total_tax, o.currency),
    customAttributes: notes.map((n) => ({ key: obj(n)?.name, value: String(obj(n)?.value) })),
    customer: customer ? customerNode(customer) : null,
    billingAddress: address(o.billing_address),
    shippingAddress: address(o.shipping_address),
  };
}
