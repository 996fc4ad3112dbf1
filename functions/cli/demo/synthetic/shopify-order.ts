import { CONSENT_ATTRIBUTES } from "../../../sources/shopify/contracts.js";
import { DAY_MS, HOUR_MS, messyEmail, type Rng, shopifyTime } from "./kit.js";
import type { BannerConsent, SyntheticPerson } from "./people.js";

/** What the orders of one run are made of. */
export interface OrderPlan {
  readonly person: SyntheticPerson;
  readonly createdMs: number;
  /** Banner choices written on this order (a withdrawal order carries `denied`). */
  readonly consent: readonly [BannerConsent, BannerConsent];
}

export const SHOP_DOMAIN = "unistack-demo.myshopify.com";
export const SHOPIFY_API_VERSION = "2025-01";

export interface Product {
  readonly productId: number;
  readonly variantId: number;
  readonly title: string;
  readonly sku: string;
  readonly cents: number;
  /** Line-item JSON members before and after `quantity`, serialised once. */
  readonly head: string;
  readonly tail: string;
}

const PRODUCT_NAMES = [
  "Trail Runner",
  "Merino Tee",
  "Rain Shell",
  "Wool Beanie",
  "Day Pack",
  "Water Bottle",
  "Hiking Socks",
  "Fleece Jacket",
  "Camp Mug",
  "Headlamp",
  "Yoga Mat",
  "Travel Pillow",
];
const VARIANTS = ["S", "M", "L", "Black", "Blue"];

const money = (cents: number): string => (cents / 100).toFixed(2);

export function shopifyProducts(rng: Rng): Product[] {
  return PRODUCT_NAMES.flatMap((name, p) =>
    VARIANTS.slice(0, rng.int(1, 3)).map((variant, v) => {
      const productId = 8_200_000_000_000 + p;
      const variantId = 44_100_000_000_000 + p * 10 + v;
      const sku = `${name.slice(0, 3).toUpperCase()}-${variant.toUpperCase()}`;
      const cents = rng.int(9, 189) * 100 + rng.pick([0, 50, 90, 95, 99]);
      const title = `${name} - ${variant}`;
      return {
        productId,
        variantId,
        title,
        sku,
        cents,
        head: `"product_id":${productId},"variant_id":${variantId},"title":${JSON.stringify(name)},"variant_title":${JSON.stringify(variant)},"name":${JSON.stringify(title)},"sku":${JSON.stringify(sku)}`,
        tail: `"price":"${money(cents)}","taxable":true,"requires_shipping":true`,
      };
    }),
  );
}

/** JSON text of the parts of an order that belong to the person (built once per person). */
export interface PersonFragments {
  readonly customer: string;
  readonly address: string;
}

export function personFragments(
  person: SyntheticPerson,
  rng: Rng,
  firstSeenMs: number,
): PersonFragments {
  const address = {
    first_name: person.firstName,
    last_name: person.lastName,
    address1: person.street,
    city: person.city,
    zip: person.zip,
    country_code: person.countryCode,
    province_code: person.provinceCode,
    company: person.company,
    phone: person.phone,
  };
  const customer = {
    id: person.shopifyCustomerId,
    email: messyEmail(person.email, rng),
    first_name: person.firstName,
    last_name: person.lastName,
    phone: person.phone,
    state: "enabled",
    verified_email: true,
    tags: "",
    currency: "EUR",
    email_marketing_consent: {
      state: person.emailMarketing,
      opt_in_level:
        person.emailMarketing === "subscribed"
          ? rng.pick(["single_opt_in", "confirmed_opt_in"])
          : null,
      consent_updated_at: shopifyTime(firstSeenMs - rng.int(0, 30) * DAY_MS),
    },
    default_address: { ...address, default: true },
  };
  return { customer: JSON.stringify(customer), address: JSON.stringify(address) };
}

/** What changes between versions of one order (orders/create → orders/paid → orders/updated). */
export interface OrderVersion {
  readonly updatedMs: number;
  readonly financialStatus: "paid" | "pending";
  readonly fulfilled: boolean;
}

/**
 * A realistic orders/* webhook body (Shopify's Order object at the top level) per version of
 * one order: the order's random choices are made once, versions change status and updated_at.
 * Written as JSON text from pieces (person and product parts are pre-serialised): at 100,000
 * contacts, building objects and stringifying each version was most of the generation time.
 */
export function shopifyOrderVersions(input: {
  readonly id: number | bigint | undefined;
  readonly orderNumber: number;
  readonly plan: OrderPlan;
  readonly fragments: PersonFragments;
  readonly products: readonly Product[];
  readonly rng: Rng;
}): (version: OrderVersion) => string {
  const { plan, rng } = input;
  const n = input.orderNumber;
  const items = Array.from({ length: rng.int(1, 4) }, (_, i) => ({
    product: rng.pick(input.products),
    quantity: rng.int(1, 3),
    i,
  }));
  const subtotal = items.reduce((sum, item) => sum + item.product.cents * item.quantity, 0);
  const shipping = subtotal >= 5000 ? 0 : 490;
  const tax = Math.round(subtotal * 0.19);
  const total = money(subtotal + shipping + tax);
  const created = JSON.stringify(shopifyTime(plan.createdMs));
  const email = JSON.stringify(messyEmail(plan.person.email, rng));
  const notes = plan.consent.flatMap((value, k) =>
    value
      ? [
          `{"name":"${k === 0 ? CONSENT_ATTRIBUTES.adUserData : CONSENT_ATTRIBUTES.adPersonalization}","value":"${value}"}`,
        ]
      : [],
  );
  const lines = items.map(
    ({ product, quantity, i }) =>
      `{"id":${16_400_000_000_000 + n * 10 + i},${product.head},"quantity":${quantity},${product.tail}}`,
  );
  // An id beyond 2^53 is a bigint: its digits go into the text exactly. No id = the bad order.
  const id = input.id?.toString();
  const head =
    (id === undefined ? "{" : `{"id":${id},"admin_graphql_api_id":"gid://shopify/Order/${id}",`) +
    `"name":"#${n}","order_number":${n},"email":${email},"contact_email":${email},"phone":null,` +
    `"created_at":${created},"updated_at":`;
  const middle =
    `,"processed_at":${created},"cancelled_at":null,"closed_at":null,"confirmed":true,` +
    `"test":false,"currency":"EUR","presentment_currency":"EUR",` +
    `"subtotal_price":"${money(subtotal)}","total_line_items_price":"${money(subtotal)}",` +
    `"total_tax":"${money(tax)}","total_discounts":"0.00","total_price":"${total}",` +
    `"total_price_set":{"shop_money":{"amount":"${total}","currency_code":"EUR"}},` +
    `"financial_status":`;
  const tail =
    `,"buyer_accepts_marketing":${plan.person.emailMarketing === "subscribed"},` +
    `"source_name":"web","tags":"","note":null,"note_attributes":[${notes.join(",")}],` +
    `"customer":${input.fragments.customer},"billing_address":${input.fragments.address},` +
    `"shipping_address":${input.fragments.address},"line_items":[${lines.join(",")}],` +
    `"shipping_lines":[{"code":"${shipping === 0 ? "free" : "standard"}","price":"${money(shipping)}","title":"Standard"}]}`;
  return (version) =>
    `${head}"${shopifyTime(version.updatedMs)}"${middle}"${version.financialStatus}",` +
    `"fulfillment_status":${version.fulfilled ? '"fulfilled"' : "null"}${tail}`;
}

/** When Shopify would send an orders/paid (pending orders) or orders/updated (fulfilment). */
export function followUps(
  rng: Rng,
  createdMs: number,
  pending: boolean,
): { paidMs?: number; fulfilledMs?: number } {
  return {
    ...(pending ? { paidMs: createdMs + rng.int(1, 48) * HOUR_MS } : {}),
    ...(rng.chance(0.08) ? { fulfilledMs: createdMs + rng.int(1, 3) * DAY_MS } : {}),
  };
}
