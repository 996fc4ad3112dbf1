import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { stringify } from "lossless-json";
import { readText as readBody, sendJson } from "../sandbox-http.js";
import { SHOPIFY_ADMIN_API_VERSION } from "./admin-api.js";
import { customerNode, lineItemNode, orderNode, utc } from "./sandbox-render.js";

/**
 * A local Shopify GraphQL Admin API for the demo and the tests, answering the backfill's three
 * operations as Shopify documents them: `X-Shopify-Access-Token` (401 otherwise), the versioned
 * endpoint, `orders` / `customers` sorted by UPDATED_AT and filtered by the search syntax
 * `updated_at:>='…' AND updated_at:<'…'`, opaque cursors (`pageInfo.endCursor`), nested
 * `lineItems` paging, and cost-based throttling: a leaky bucket (`maximumAvailable` points,
 * refilled at `restoreRate` a second; Standard plan by default) that must hold a query's
 * requested cost, else the `THROTTLED` error with the bucket's state; the difference between
 * requested and actual cost is refunded; a query above 1,000 points is `MAX_COST_EXCEEDED`.
 * Costs follow Shopify's rules (objects 1, connections 2 + first × node) for our queries.
 */
export interface ShopifySandboxData {
  /** REST Orders (webhook shape; ids may be bigint), the latest version of each. */
  orders: Record<string, unknown>[];
  customers: Record<string, unknown>[];
}

export interface ShopifySandboxOptions {
  readonly data: ShopifySandboxData;
  readonly token: string;
  readonly maximumAvailable?: number;
  readonly restoreRate?: number;
  readonly now?: () => number;
}

export interface ShopifySandbox {
  readonly url: string;
  readonly data: ShopifySandboxData;
  readonly faults: { status: number; headers?: Record<string, string> }[];
  /** Every query: operation, requested cost, the bucket before it, whether it was throttled. */
  readonly requests: {
    operation: string;
    cost: number;
    available: number;
    throttled: boolean;
    at: number;
  }[];
  close(): Promise<void>;
}

export const MAX_SINGLE_QUERY_COST = 1000;
const ORDER_NODE = 13;
const LINE_NODE = 5;
const CUSTOMER_NODE = 4;

type Rest = Record<string, unknown>;
type Vars = Record<string, unknown>;

const cursorOf = (r: Rest) =>
  Buffer.from(JSON.stringify([utc(r.updated_at), String(r.id)])).toString("base64url");

function page(all: Rest[], vars: Vars) {
  const query = String(vars.query ?? "");
  const from = /updated_at:>='([^']+)'/.exec(query)?.[1];
  const to = /updated_at:<'([^']+)'/.exec(query)?.[1];
  const key = (r: Rest): [string, string] => [utc(r.updated_at) ?? "", String(r.id)];
  const after = vars.after
    ? (JSON.parse(Buffer.from(String(vars.after), "base64url").toString()) as [string, string])
    : undefined;
  const cmp = (a: [string, string], b: [string, string]) =>
    a[0].localeCompare(b[0]) || a[1].length - b[1].length || a[1].localeCompare(b[1]);
  const rows = all
    .filter((r) => {
      const at = Date.parse(String(r.updated_at));
      return (!from || at >= Date.parse(from)) && (!to || at < Date.parse(to));
    })
    .sort((a, b) => cmp(key(a), key(b)))
    .filter((r) => !after || cmp(key(r), after) > 0);
  const first = Number(vars.first);
  const nodes = rows.slice(0, first);
  const last = nodes.at(-1);
  return {
    nodes,
    pageInfo: { hasNextPage: rows.length > first, endCursor: last ? cursorOf(last) : null },
  };
}

function lines(order: Rest, first: number, after: unknown) {
  const all = Array.isArray(order.line_items) ? (order.line_items as Rest[]) : [];
  const start = after ? Number(Buffer.from(String(after), "base64url").toString()) : 0;
  const nodes = all.slice(start, start + first).map((l) => lineItemNode(l, order.currency));
  const end = start + nodes.length;
  return {
    pageInfo: {
      hasNextPage: end < all.length,
      endCursor: nodes.length > 0 ? Buffer.from(String(end)).toString("base64url") : null,
    },
    nodes,
  };
}

/** Requested cost, and the answer with its actual cost, per operation. */
function execute(data: ShopifySandboxData, operation: string, vars: Vars) {
  const first = Number(vars.first);
  if (operation === "BackfillOrders") {
    const perLine = Number(vars.lines);
    const result = page(data.orders, vars);
    const nodes = result.nodes.map((o) => ({
      ...orderNode(o),
      lineItems: lines(o, perLine, null),
    }));
    const actual =
      2 + nodes.reduce((sum, n) => sum + ORDER_NODE + n.lineItems.nodes.length * LINE_NODE, 0);
    return {
      requested: 2 + first * (ORDER_NODE + perLine * LINE_NODE),
      actual,
      data: { orders: { ...result, nodes } },
    };
  }
  if (operation === "BackfillOrderLines") {
    const id = /(\d+)$/.exec(String(vars.id))?.[1];
    const order = data.orders.find((o) => String(o.id) === id);
    const items = order ? lines(order, first, vars.after) : null;
    return {
      requested: 3 + first * LINE_NODE,
      actual: 3 + (items?.nodes.length ?? 0) * LINE_NODE,
      data: { order: items ? { lineItems: items } : null },
    };
  }
  if (operation === "BackfillCustomers") {
    const result = page(data.customers, vars);
    return {
      requested: 2 + first * CUSTOMER_NODE,
      actual: 2 + result.nodes.length * CUSTOMER_NODE,
      data: { customers: { ...result, nodes: result.nodes.map(customerNode) } },
    };
  }
  return undefined;
}

export async function startShopifySandbox(options: ShopifySandboxOptions): Promise<ShopifySandbox> {
  const now = options.now ?? Date.now;
  const maximum = options.maximumAvailable ?? 2000;
  const rate = options.restoreRate ?? 100;
  let available = maximum;
  let filledAt = now();
  const sandbox: ShopifySandbox = {
    url: "",
    data: options.data,
    faults: [],
    requests: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const status = () => ({
    maximumAvailable: maximum,
    currentlyAvailable: Math.floor(available),
    restoreRate: rate,
  });
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => send(res, 500, { errors: "Internal Server Error" }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const fault = sandbox.faults.shift();
    if (fault) return send(res, fault.status, { errors: "sandbox fault" }, fault.headers);
    if (
      req.method !== "POST" ||
      req.url !== `/admin/api/${SHOPIFY_ADMIN_API_VERSION}/graphql.json`
    ) {
      return send(res, 404, { errors: "Not Found" });
    }
    if (req.headers["x-shopify-access-token"] !== options.token) {
      return send(res, 401, {
        errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
      });
    }
    const { query, variables } = JSON.parse(body || "{}") as { query?: string; variables?: Vars };
    const operation = /^\s*query\s+(\w+)/.exec(query ?? "")?.[1] ?? "";
    const result = execute(options.data, operation, variables ?? {});
    if (!result) {
      return send(res, 200, {
        errors: [{ message: "unknown operation", extensions: { code: "BAD_REQUEST" } }],
      });
    }
    const t = now();
    available = Math.min(maximum, available + ((t - filledAt) / 1000) * rate);
    filledAt = t;
    const throttled = result.requested <= MAX_SINGLE_QUERY_COST && result.requested > available;
    sandbox.requests.push({ operation, cost: result.requested, available, throttled, at: t });
    if (result.requested > MAX_SINGLE_QUERY_COST) {
      return send(res, 200, {
        errors: [
          {
            message: `Query cost is ${result.requested}, which exceeds the single query max cost limit (${MAX_SINGLE_QUERY_COST}).`,
            extensions: { code: "MAX_COST_EXCEEDED", cost: result.requested, maxCost: 1000 },
          },
        ],
      });
    }
    const cost = (actual: number | null) => ({
      cost: {
        requestedQueryCost: result.requested,
        actualQueryCost: actual,
        throttleStatus: status(),
      },
    });
    if (throttled) {
      return send(res, 200, {
        errors: [
          {
            message: "Throttled",
            extensions: {
              code: "THROTTLED",
              documentation: "https://shopify.dev/api/usage/rate-limits",
            },
          },
        ],
        extensions: cost(null),
      });
    }
    // The requested cost is taken up front; what the query did not use is refunded.
    available -= result.actual;
    return send(res, 200, { data: result.data, extensions: cost(result.actual) });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  Object.assign(sandbox, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  return sandbox;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  // Ids above 2^53 (bigint) are written as their digits, as Shopify's JSON does.
  sendJson(res, status, body, headers, stringify);
}
