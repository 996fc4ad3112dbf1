import { webhookPath } from "../../../sources/registry.js";
import { createRng, isoMillis, type SyntheticDelivery } from "./kit.js";
import type { SyntheticPerson } from "./people.js";
import {
  followUps,
  type OrderPlan,
  type PersonFragments,
  type Product,
  personFragments,
  SHOP_DOMAIN,
  SHOPIFY_API_VERSION,
  shopifyOrderVersions,
} from "./shopify-order.js";

export {
  type OrderPlan,
  SHOP_DOMAIN,
  SHOPIFY_API_VERSION,
  shopifyProducts,
} from "./shopify-order.js";

export interface ShopifyRunOutput {
  readonly deliveries: SyntheticDelivery[];
  /** Send time (ms) of each delivery, for ordering. */
  readonly sentMs: number[];
  /** Order versions that pass the contract (one raw row and one record id each). */
  readonly validRecords: number;
  readonly orders: number;
  readonly ordersWithIdAbove2p53: number;
  readonly invalidOrders: number;
}

/**
 * The orders/* deliveries of one run: an orders/create per planned order, an orders/paid for
 * pending ones and an orders/updated for some fulfilments (each a new version, so a new record),
 * when they fall before `windowEndMs`; plus `badOrders` orders without an id.
 */
export function shopifyRunDeliveries(input: {
  readonly seed: number;
  readonly run: number;
  readonly plans: readonly OrderPlan[];
  readonly products: readonly Product[];
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly badOrders: number;
}): ShopifyRunOutput {
  const { run, seed } = input;
  const rng = createRng(seed, "shopify", run);
  const deliveries: SyntheticDelivery[] = [];
  const sentMs: number[] = [];
  let validRecords = 0;
  let ordersWithIdAbove2p53 = 0;
  const numberBase = 1000 + (run - 1) * 10_000_000;
  const fragmentsByPerson = new Map<SyntheticPerson, PersonFragments>();
  const emit = (plan: OrderPlan, k: number, id: number | bigint | undefined) => {
    const pending = rng.chance(0.3);
    // An order without id is a deliberately bad record: one delivery, no follow-ups.
    const { paidMs, fulfilledMs } = id === undefined ? {} : followUps(rng, plan.createdMs, pending);
    const versions: Array<[string, number, "paid" | "pending", boolean]> = [
      ["orders/create", plan.createdMs, pending ? "pending" : "paid", false],
    ];
    if (paidMs !== undefined && paidMs < input.windowEndMs)
      versions.push(["orders/paid", paidMs, "paid", false]);
    if (fulfilledMs !== undefined && fulfilledMs < input.windowEndMs) {
      const paid = !pending || (paidMs !== undefined && paidMs <= fulfilledMs);
      versions.push(["orders/updated", fulfilledMs, paid ? "paid" : "pending", true]);
    }
    let fragments = fragmentsByPerson.get(plan.person);
    if (!fragments) {
      fragments = personFragments(plan.person, rng, plan.createdMs);
      fragmentsByPerson.set(plan.person, fragments);
    }
    const bodyOf = shopifyOrderVersions({
      id,
      orderNumber: numberBase + k,
      plan,
      fragments,
      products: input.products,
      rng,
    });
    for (const [topic, updatedMs, financialStatus, fulfilled] of versions) {
      const sent = updatedMs + rng.int(1, 20) * 1000;
      const sentAt = isoMillis(sent);
      sentMs.push(sent);
      deliveries.push({
        source: "shopify",
        path: webhookPath("shopify"),
        headers: {
          "Content-Type": "application/json",
          "X-Shopify-Topic": topic,
          "X-Shopify-Webhook-Id": rng.uuid(),
          "X-Shopify-Shop-Domain": SHOP_DOMAIN,
          "X-Shopify-API-Version": SHOPIFY_API_VERSION,
          "X-Shopify-Triggered-At": sentAt,
        },
        body: bodyOf({ updatedMs, financialStatus, fulfilled }),
        sentAt,
      });
      if (id !== undefined) validRecords++;
    }
  };
  input.plans.forEach((plan, i) => {
    const k = i + 1;
    const big = k % 50 === 0;
    if (big) ordersWithIdAbove2p53++;
    emit(
      plan,
      k,
      big
        ? 820_982_911_946_154_508n + BigInt(run * 10_000_000 + k)
        : 5_600_000_000_000 + run * 10_000_000 + k,
    );
  });
  const span = input.windowEndMs - input.windowStartMs;
  const somebody = input.plans[0]?.person;
  for (let b = 0; b < input.badOrders && somebody; b++) {
    const createdMs = input.windowStartMs + Math.floor(rng.next() * span);
    emit(
      { person: somebody, createdMs, consent: [undefined, undefined] },
      input.plans.length + 1 + b,
      undefined,
    );
  }
  return {
    deliveries,
    sentMs,
    validRecords,
    orders: input.plans.length,
    ordersWithIdAbove2p53,
    invalidOrders: input.badOrders,
  };
}
