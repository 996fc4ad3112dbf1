import { z } from "zod";
import { PermanentPullError } from "../../core/pull/errors.js";
import type { PageRequest } from "../../core/pull/source.js";
import { callJson } from "../pull-http.js";

/** HubSpot's private-app access token (Settings → Integrations → Private apps), per connection. */
export const HUBSPOT_TOKEN = "HUBSPOT_ACCESS_TOKEN";

export const HubspotSettingsSchema = z.looseObject({
  /** `https://api.hubapi.com` in production; the local sandbox's URL in the demo. */
  baseUrl: z.url().default("https://api.hubapi.com"),
});

/** HubSpot's error bodies carry a `category` (VALIDATION_ERROR, RATE_LIMITS…): safe to log. */
function categoryOf(body: unknown): string | undefined {
  const category = (body as { category?: unknown } | null)?.category;
  return typeof category === "string" && /^[A-Z_]{1,60}$/.test(category) ? category : undefined;
}

/**
 * One HubSpot API call with the connection's token. 429s without a Retry-After are waited one
 * second: HubSpot's limits are per second (search: 5 requests/s per account) and per 10 s.
 */
export async function hubspotCall(
  request: PageRequest,
  path: string,
  init: { method: "GET" | "POST"; body?: unknown } = { method: "GET" },
): Promise<unknown> {
  const settings = HubspotSettingsSchema.safeParse(request.connection.settings);
  if (!settings.success) {
    throw new PermanentPullError(
      `settings.baseUrl of connection ${request.connection.id} is not a URL`,
    );
  }
  const token = request.connection.secrets.get(HUBSPOT_TOKEN);
  if (!token) {
    throw Object.assign(new PermanentPullError(`${HUBSPOT_TOKEN} is not set`), {
      safeReason: `${HUBSPOT_TOKEN} is not set for this connection`,
    });
  }
  const answer = await callJson({
    fetch: request.fetch,
    url: `${settings.data.baseUrl.replace(/\/+$/, "")}${path}`,
    init: {
      method: init.method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: "application/json",
        ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    },
    defaultRetryAfterMs: 1000,
    categoryOf,
  });
  return answer.value;
}

export const SearchAnswerSchema = z.looseObject({
  total: z.number().int().optional(),
  results: z.array(
    z.looseObject({ id: z.string(), properties: z.record(z.string(), z.unknown()) }),
  ),
  paging: z.looseObject({ next: z.looseObject({ after: z.string() }).optional() }).optional(),
});

export const AssociationsAnswerSchema = z.looseObject({
  results: z.array(
    z.looseObject({
      from: z.looseObject({ id: z.string() }),
      to: z.array(z.looseObject({ toObjectId: z.union([z.number(), z.string(), z.bigint()]) })),
    }),
  ),
});

/** Parses a HubSpot answer, or stops the pull: a shape we cannot read will not change on retry. */
export function parseAnswer<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join(".") ?? "";
    throw Object.assign(
      new PermanentPullError(`HubSpot ${what} answer is not in the documented shape`),
      {
        safeReason: `${what} answer not in the documented shape at ${where || "(top)"}`,
      },
    );
  }
  return parsed.data;
}
