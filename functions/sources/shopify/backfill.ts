import { stringify } from "lossless-json";
import { z } from "zod";
import { PermanentPullError, RateLimitedError } from "../../core/pull/errors.js";
import type { PageRequest, PulledPage, PullStream, PullWindow } from "../../core/pull/source.js";
import { shopifyGraphql } from "./admin-api.js";
import { restCustomer, restOrder } from "./backfill-shape.js";
import { ordersStream } from "./extract.js";
import { customersStream } from "./resource-streams.js";

/**
 * Shopify backfill: history a webhook never sent (before the app was installed, deliveries
 * Shopify gave up on), pulled through the GraphQL Admin API with cursor pagination over
 * `orders` / `customers` sorted by `UPDATED_AT` and filtered to the pull's window. Each node is
 * rewritten in the webhook's shape (backfill-shape.ts) and lands in the webhook's own stream.
 *
 * Page sizes keep each query's requested cost under Shopify's single-query maximum (1,000
 * points): an order costs 13 points plus 5 per line item asked, so 10 orders × 10 lines cost
 * 632; an order with more lines has the rest read by a follow-up query, 100 lines (503 points)
 * at a time, before its page is handed over, so no order lands without all its lines.
 */
export const ORDERS_PAGE = 10;
export const ORDER_LINES_PAGE = 10;
export const MORE_LINES_PAGE = 100;
export const CUSTOMERS_PAGE = 50;

const MONEY = "shopMoney { amount currencyCode }";
const ADDRESS =
  "firstName lastName company address1 address2 city zip province provinceCode country countryCodeV2 phone";
const CONSENT = "marketingState marketingOptInLevel consentUpdatedAt";
const LINE = `id title quantity sku originalUnitPriceSet { ${MONEY} } product { legacyResourceId } variant { legacyResourceId }`;

export const ORDERS_QUERY = `query BackfillOrders($first: Int!, $after: String, $query: String!, $lines: Int!) {
  orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id legacyResourceId name email phone createdAt updatedAt processedAt cancelledAt closedAt test
      currencyCode displayFinancialStatus displayFulfillmentStatus
      totalPriceSet { ${MONEY} } subtotalPriceSet { ${MONEY} } totalTaxSet { ${MONEY} }
      customAttributes { key value }
      customer { id legacyResourceId email phone firstName lastName emailMarketingConsent { ${CONSENT} } }
      billingAddress { ${ADDRESS} }
      shippingAddress { ${ADDRESS} }
      lineItems(first: $lines) { pageInfo { hasNextPage endCursor } nodes { ${LINE} } }
    }
  }
}`;

export const ORDER_LINES_QUERY = `query BackfillOrderLines($id: ID!, $first: Int!, $after: String) {
  order(id: $id) {
    lineItems(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${LINE} } }
  }
}`;

export const CUSTOMERS_QUERY = `query BackfillCustomers($first: Int!, $after: String, $query: String!) {
  customers(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id legacyResourceId email phone firstName lastName state verifiedEmail tags createdAt updatedAt
      emailMarketingConsent { ${CONSENT} }
      smsMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt }
      defaultAddress { ${ADDRESS} }
    }
  }
}`;

const PageInfoSchema = z.looseObject({
  hasNextPage: z.boolean(),
  endCursor: z.string().nullable().optional(),
});
const NodesSchema = z.array(z.looseObject({}));
const ConnectionSchema = z.looseObject({ pageInfo: PageInfoSchema, nodes: NodesSchema });

function read<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues[0]?.path.join(".") || "(top)";
  throw Object.assign(
    new PermanentPullError(`Shopify ${what} answer is not in its documented shape`),
    {
      safeReason: `${what} answer not in the documented shape at ${where}`,
    },
  );
}

/** Shopify's search syntax for the window: changed in `[from, to)`. */
export function windowQuery(window: PullWindow): string {
  const utc = (iso: string) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, "Z");
  return `updated_at:>='${utc(window.from)}' AND updated_at:<'${utc(window.to)}'`;
}

const record = (value: Record<string, unknown>) => {
  // Ids above 2^53 are bigint: lossless-json writes their digits as they are.
  const json = stringify(value) as string;
  return { value, json };
};

/** Follow-up calls of a page wait out Shopify's throttle themselves (at most 20 times). */
async function waitingThrottles<T>(request: PageRequest, call: () => Promise<T>): Promise<T> {
  for (let waits = 0; ; waits++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof RateLimitedError) || !request.sleep || waits >= 20) throw error;
      await request.sleep(error.waitMs);
    }
  }
}

async function ordersPage(request: PageRequest): Promise<PulledPage> {
  const data = read(
    z.looseObject({ orders: ConnectionSchema }),
    await shopifyGraphql(request, ORDERS_QUERY, {
      first: ORDERS_PAGE,
      after: request.cursor ?? null,
      query: windowQuery(request.window),
      lines: ORDER_LINES_PAGE,
    }),
    "orders",
  );
  const records = [];
  for (const node of data.orders.nodes) {
    const lines = read(ConnectionSchema, node.lineItems, "orders.lineItems");
    const all = [...lines.nodes];
    let more = lines.pageInfo.hasNextPage ? lines.pageInfo.endCursor : null;
    while (more) {
      const after = more;
      const page = read(
        z.looseObject({ order: z.looseObject({ lineItems: ConnectionSchema }) }),
        await waitingThrottles(request, () =>
          shopifyGraphql(request, ORDER_LINES_QUERY, {
            id: node.id,
            first: MORE_LINES_PAGE,
            after,
          }),
        ),
        "order lineItems",
      );
      all.push(...page.order.lineItems.nodes);
      more = page.order.lineItems.pageInfo.hasNextPage
        ? page.order.lineItems.pageInfo.endCursor
        : null;
    }
    records.push(record(restOrder(node, all)));
  }
  const info = data.orders.pageInfo;
  return { records, next: info.hasNextPage ? (info.endCursor ?? undefined) : undefined };
}

async function customersPage(request: PageRequest): Promise<PulledPage> {
  const data = read(
    z.looseObject({ customers: ConnectionSchema }),
    await shopifyGraphql(request, CUSTOMERS_QUERY, {
      first: CUSTOMERS_PAGE,
      after: request.cursor ?? null,
      query: windowQuery(request.window),
    }),
    "customers",
  );
  const info = data.customers.pageInfo;
  return {
    records: data.customers.nodes.map((node) => record(restCustomer(node))),
    next: info.hasNextPage ? (info.endCursor ?? undefined) : undefined,
  };
}

const backfill = {
  // Shopify's search index follows a write within seconds; a minute covers it.
  settleMs: 60_000,
  // Shopify was founded in 2006: a first pull without `since` reads the shop's whole history.
  defaultSince: "2006-01-01T00:00:00.000Z",
};

export const shopifyOrdersBackfill: PullStream = {
  ...backfill,
  contract: ordersStream,
  fetchPage: ordersPage,
};

export const shopifyCustomersBackfill: PullStream = {
  ...backfill,
  contract: customersStream,
  fetchPage: customersPage,
};
