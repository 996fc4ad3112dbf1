import { createRng, DAY_MS, HOUR_MS, pools, type Rng, type SyntheticDelivery } from "./kit.js";
import { type SyntheticPerson, scenario } from "./people.js";
import { type MessagePlan, sendgridRunDeliveries } from "./sendgrid.js";
import { type OrderPlan, shopifyProducts, shopifyRunDeliveries } from "./shopify.js";
import { zoomRunDeliveries } from "./zoom.js";

export type { SyntheticDelivery } from "./kit.js";
export type { SyntheticPerson } from "./people.js";

export interface GenerateDeliveriesInput {
  /** People in run 1 (default 3,000); later runs add about 2 %. */
  readonly contacts?: number;
  readonly seed?: number;
  /** 1 = the initial history; N ≥ 2 = the N-th increment. Default 1. */
  readonly run?: number;
  /** Anchor of the scenario: pass the same value (or a later one) for every run. */
  readonly now: Date;
  /** Also Zoom webinar webhooks (the demo sends them; default false). */
  readonly webinars?: boolean;
}

export interface SyntheticExpected {
  readonly run: number;
  /** The run's event times lie in [start, end). */
  readonly window: { readonly start: string; readonly end: string };
  readonly people: {
    readonly total: number;
    readonly joined: number;
    readonly shopifyOnly: number;
    readonly sendgridOnly: number;
    readonly both: number;
  };
  readonly shopify: {
    readonly deliveries: number;
    /** Order versions that pass the contract = raw rows = distinct record ids. */
    readonly validRecords: number;
    readonly invalidRecords: number;
    readonly orders: number;
    readonly ordersWithIdAbove2p53: number;
    /** Orders carrying `consent_ad_user_data: denied` from someone who had granted it. */
    readonly adConsentWithdrawals: number;
  };
  readonly sendgrid: {
    readonly deliveries: number;
    /** Valid events posted, repeated copies included. */
    readonly validEvents: number;
    readonly invalidRecords: number;
    readonly duplicatesWithinBatch: number;
    readonly duplicatesAcrossBatches: number;
    /** Rows in raw after every delivery is ingested once (within-batch copies are dropped). */
    readonly rawRows: number;
    readonly distinctEventIds: number;
    readonly unsubscribes: number;
    readonly byType: Readonly<Record<string, number>>;
  };
  /** Zoom webinar webhooks (first run only): one event per delivery. */
  readonly zoom: {
    readonly deliveries: number;
    readonly webinars: number;
    readonly registrations: number;
    readonly attendees: number;
  };
}

export interface GeneratedDeliveries {
  readonly people: SyntheticPerson[];
  readonly deliveries: SyntheticDelivery[];
  readonly expected: SyntheticExpected;
}

/**
 * Synthetic webhook traffic for the demo: the same people seen by Shopify and SendGrid with
 * messy identifiers, orders with consent signals, email events with repeats, a few invalid
 * records. Deterministic for (seed, run, contacts); `now` anchors the time window.
 */
export function generateDeliveries(input: GenerateDeliveriesInput): GeneratedDeliveries {
  const contacts = input.contacts ?? 3000;
  const seed = input.seed ?? 1;
  const run = input.run ?? 1;
  if (!Number.isInteger(contacts) || contacts < 1)
    throw new Error("contacts must be a positive integer");
  if (!Number.isInteger(run) || run < 1) throw new Error("run must be an integer ≥ 1");
  const nowMs = input.now.getTime();
  const start = run === 1 ? nowMs - 60 * DAY_MS : nowMs - DAY_MS + (run - 2) * 2 * HOUR_MS;
  const end = run === 1 ? nowMs - DAY_MS : start + 2 * HOUR_MS;
  const at = (rng: Rng) => start + Math.floor(rng.next() * (end - start));
  const { people, joined, adConsentWithdrawn, unsubscribed } = scenario(seed, contacts, run);
  const rng = createRng(seed, "plans", contacts, run);
  const bad = run === 1 ? Math.max(1, Math.round(contacts / 1500)) : 1;

  const orders: OrderPlan[] = [];
  const messages: MessagePlan[] = [];
  const withdrawn = new Set(adConsentWithdrawn);
  const unsubscribing = new Set(unsubscribed);
  const joinedSet = new Set(joined);
  for (const person of people) {
    const isNew = joinedSet.has(person);
    const consent = [person.adUserData, person.adPersonalization] as const;
    if (person.inShopify) {
      const count = isNew ? orderCount(rng, run) : withdrawn.has(person) || rng.chance(0.1) ? 1 : 0;
      for (let i = 0; i < count; i++) orders.push({ person, createdMs: at(rng), consent });
    }
    if (person.inSendgrid) {
      const unsubscribesNow = isNew ? person.sendgridUnsubscribed : unsubscribing.has(person);
      const stillMailed = isNew || !person.sendgridUnsubscribed || unsubscribesNow;
      const count = isNew
        ? rng.int(1, run === 1 ? 4 : 2)
        : unsubscribesNow || (stillMailed && rng.chance(0.3))
          ? 1
          : 0;
      const times = Array.from({ length: count }, () => at(rng)).sort((a, b) => a - b);
      times.forEach((sentMs, i) => {
        messages.push({ person, sentMs, unsubscribe: unsubscribesNow && i === times.length - 1 });
      });
    }
  }

  const pool = pools(seed);
  const shopify = shopifyRunDeliveries({
    seed,
    run,
    plans: orders,
    products: shopifyProducts(createRng(seed, "products")),
    windowStartMs: start,
    windowEndMs: end,
    badOrders: bad,
  });
  const sendgrid = sendgridRunDeliveries({
    seed,
    run,
    plans: messages,
    userAgents: pool.userAgents,
    windowEndMs: end,
    badEvents: 2 * bad,
  });

  const zoom = zoomRunDeliveries({
    seed,
    run: input.webinars ? run : 0,
    people,
    windowStartMs: start,
    windowEndMs: end,
  });

  const all = [...shopify.deliveries, ...sendgrid.deliveries, ...zoom.deliveries];
  const times = [...shopify.sentMs, ...sendgrid.sentMs, ...zoom.sentMs];
  const order = Array.from(all.keys()).sort((a, b) => (times[a] as number) - (times[b] as number));
  const deliveries = order.map((i) => all[i] as SyntheticDelivery);

  return {
    people,
    deliveries,
    expected: {
      run,
      window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
      people: {
        total: people.length,
        joined: joined.length,
        shopifyOnly: people.filter((p) => p.inShopify && !p.inSendgrid).length,
        sendgridOnly: people.filter((p) => p.inSendgrid && !p.inShopify).length,
        both: people.filter((p) => p.inShopify && p.inSendgrid).length,
      },
      shopify: {
        deliveries: shopify.deliveries.length,
        validRecords: shopify.validRecords,
        invalidRecords: shopify.invalidOrders,
        orders: shopify.orders,
        ordersWithIdAbove2p53: shopify.ordersWithIdAbove2p53,
        adConsentWithdrawals: adConsentWithdrawn.length,
      },
      sendgrid: {
        deliveries: sendgrid.deliveries.length,
        validEvents: sendgrid.validEvents,
        invalidRecords: sendgrid.invalidEvents,
        duplicatesWithinBatch: sendgrid.duplicatesWithinBatch,
        duplicatesAcrossBatches: sendgrid.duplicatesAcrossBatches,
        rawRows: sendgrid.validEvents - sendgrid.duplicatesWithinBatch,
        distinctEventIds:
          sendgrid.validEvents - sendgrid.duplicatesWithinBatch - sendgrid.duplicatesAcrossBatches,
        unsubscribes: sendgrid.unsubscribes,
        byType: sendgrid.byType,
      },
      zoom: {
        deliveries: zoom.deliveries.length,
        webinars: zoom.webinars,
        registrations: zoom.registrations,
        attendees: zoom.attendees,
      },
    },
  };
}

/** Orders of a newcomer: mostly one, some repeat buyers (run 1 has the longer history). */
function orderCount(rng: Rng, run: number): number {
  const roll = rng.next();
  if (run > 1) return roll < 0.8 ? 1 : 2;
  if (roll < 0.6) return 1;
  if (roll < 0.85) return 2;
  if (roll < 0.95) return 3;
  return rng.int(4, 5);
}
