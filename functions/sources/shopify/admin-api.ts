import { z } from "zod";
import { PermanentPullError, RateLimitedError } from "../../core/pull/errors.js";
import type { PageRequest } from "../../core/pull/source.js";
import { callJson } from "../pull-http.js";

/**
 * One call of Shopify's GraphQL Admin API for a backfill page, with Shopify's cost-based
 * throttling: every app+shop pair has a bucket of points (`throttleStatus.maximumAvailable`)
 * refilled at `restoreRate` points a second; a query runs only when the bucket holds its
 * `requestedQueryCost`, otherwise Shopify answers the `THROTTLED` error with the bucket's state.
 * We then wait exactly what the cost needs — (requested − currentlyAvailable) / restoreRate —
 * through the pull's `RateLimitedError`, and ask again.
 */

/** The Admin API access token of the shop (custom app, `read_orders`, `read_customers`). */
export const SHOPIFY_ADMIN_TOKEN = "SHOPIFY_ADMIN_ACCESS_TOKEN";
/** The API version the queries and the mapping onto the webhook shape were written against. */
export const SHOPIFY_ADMIN_API_VERSION = "2025-01";

export const ShopifyAdminSettingsSchema = z.looseObject({
  /** `<shop>.myshopify.com`: the API is `https://<shop>/admin/api/<version>/graphql.json`. */
  shopDomain: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "expected <shop>.myshopify.com")
    .optional(),
  /** Overrides the shop's URL (the local sandbox in the demo and tests). */
  baseUrl: z.url().optional(),
});

const ThrottleStatusSchema = z.looseObject({
  maximumAvailable: z.number(),
  currentlyAvailable: z.number(),
  restoreRate: z.number().positive(),
});

const CostSchema = z.looseObject({
  requestedQueryCost: z.number(),
  actualQueryCost: z.number().nullable().optional(),
  throttleStatus: ThrottleStatusSchema,
});

const AnswerSchema = z.looseObject({
  data: z.unknown().optional(),
  errors: z
    .array(
      z.looseObject({
        message: z.string().optional(),
        extensions: z.looseObject({ code: z.string().optional() }).optional(),
      }),
    )
    .optional(),
  extensions: z.looseObject({ cost: CostSchema.optional() }).optional(),
});

export type ShopifyCost = z.infer<typeof CostSchema>;

/**
 * How long the bucket needs to hold `requested` points again, in whole milliseconds (rounded up:
 * a wait a millisecond short would be throttled once more).
 */
export function throttleWaitMs(cost: ShopifyCost): number {
  const { currentlyAvailable, restoreRate } = cost.throttleStatus;
  const missing = Math.max(0, cost.requestedQueryCost - currentlyAvailable);
  return Math.ceil((missing / restoreRate) * 1000);
}

function endpoint(request: PageRequest): string {
  const settings = ShopifyAdminSettingsSchema.safeParse(request.connection.settings);
  if (!settings.success || (!settings.data.baseUrl && !settings.data.shopDomain)) {
    throw Object.assign(new PermanentPullError("the connection names no shop"), {
      safeReason: `connection ${request.connection.id}: settings.shopDomain (<shop>.myshopify.com) or settings.baseUrl is required`,
    });
  }
  const base = settings.data.baseUrl ?? `https://${settings.data.shopDomain}`;
  return `${base.replace(/\/+$/, "")}/admin/api/${SHOPIFY_ADMIN_API_VERSION}/graphql.json`;
}

/** Runs one query; answers its `data`, or throws what the pull's retry rules understand. */
export async function shopifyGraphql(
  request: PageRequest,
  query: string,
  variables: Record<string, unknown>,
): Promise<unknown> {
  const url = endpoint(request);
  const token = request.connection.secrets.get(SHOPIFY_ADMIN_TOKEN);
  if (!token) {
    throw Object.assign(new PermanentPullError(`${SHOPIFY_ADMIN_TOKEN} is not set`), {
      safeReason: `${SHOPIFY_ADMIN_TOKEN} is not set for this connection`,
    });
  }
  const answer = await callJson({
    fetch: request.fetch,
    url,
    init: {
      method: "POST",
      headers: {
        "x-shopify-access-token": token,
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify({ query, variables }),
    },
    // Shopify's REST-style 429 (rare on GraphQL) comes with Retry-After; one second otherwise.
    defaultRetryAfterMs: 1000,
  });
  const parsed = AnswerSchema.safeParse(answer.value);
  if (!parsed.success) {
    throw Object.assign(new PermanentPullError("Shopify answer is not GraphQL"), {
      safeReason: "Shopify's answer is not a GraphQL response",
    });
  }
  const { errors, data, extensions } = parsed.data;
  const codes = (errors ?? []).map((e) => e.extensions?.code ?? "");
  if (codes.includes("THROTTLED")) {
    const cost = extensions?.cost;
    // Without the bucket's state, one second is Shopify's smallest refill step worth waiting.
    const waitMs = cost ? throttleWaitMs(cost) : 1000;
    throw new RateLimitedError(
      Math.max(waitMs, 1),
      `Shopify throttled the query; waiting ${waitMs} ms for the bucket to refill`,
    );
  }
  if (errors && errors.length > 0) {
    // Messages can echo query input; codes are Shopify's fixed vocabulary.
    const code = codes.find((c) => /^[A-Z_]{1,60}$/.test(c)) ?? "GRAPHQL_ERROR";
    throw Object.assign(new PermanentPullError(`Shopify answered ${code}`), {
      safeReason: `Shopify answered ${code}`,
    });
  }
  return data;
}
