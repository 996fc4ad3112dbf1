import { z } from "zod";
import { PermanentPullError } from "../../core/pull/errors.js";
import type { PageRequest } from "../../core/pull/source.js";
import { AdsSettingsSchema } from "../ads/restated-days.js";
import { callJson } from "../pull-http.js";
import {
  GOOGLE_ADS_ACCESS_TOKEN,
  GOOGLE_ADS_REFRESH_TOKEN,
  googleAdsAccessToken,
} from "./oauth.js";

export { GOOGLE_ADS_ACCESS_TOKEN };
/** The developer token of the API Center of the manager account. */
export const GOOGLE_ADS_DEVELOPER_TOKEN = "GOOGLE_ADS_DEVELOPER_TOKEN";

export const GoogleAdsSettingsSchema = AdsSettingsSchema.extend({
  /** `https://googleads.googleapis.com` in production; the local sandbox's URL in the demo. */
  baseUrl: z.url().default("https://googleads.googleapis.com"),
  apiVersion: z
    .string()
    .regex(/^v\d+$/)
    .default("v22"),
  /** The advertiser account, 10 digits without dashes. */
  customerId: z.string().regex(/^\d{10}$/, "customerId: 10 digits, no dashes"),
  /** The manager account the developer token belongs to, when it is not the customer itself. */
  loginCustomerId: z
    .string()
    .regex(/^\d{10}$/)
    .optional(),
  /** Google's OAuth token endpoint (the local sandbox's in the demo). */
  tokenUrl: z.url().default("https://oauth2.googleapis.com/token"),
});
export type GoogleAdsSettings = z.infer<typeof GoogleAdsSettingsSchema>;

export function googleAdsSettings(request: PageRequest): GoogleAdsSettings {
  const parsed = GoogleAdsSettingsSchema.safeParse(request.connection.settings);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const reason = `settings of google_ads connection ${request.connection.id}: ${first?.path.join(".")} ${first?.message}`;
    throw Object.assign(new PermanentPullError(reason), { safeReason: reason });
  }
  return parsed.data;
}

/** Without a retryDelay Google asks for a wait "of at least 30 seconds" for quota errors. */
const DEFAULT_QUOTA_WAIT_MS = 30_000;

const GoogleErrorSchema = z.looseObject({
  error: z.looseObject({
    code: z.number().optional(),
    status: z.string().optional(),
    details: z.array(z.unknown()).optional(),
  }),
});

/** `"12.5s"` (a protobuf Duration in JSON) → milliseconds. */
function durationMs(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^(\d+(?:\.\d+)?)s$/.exec(value);
  return m?.[1] ? Math.ceil(Number(m[1]) * 1000) : undefined;
}

/**
 * The wait a quota error asks for: `quotaErrorDetails.retryDelay` of a GoogleAdsFailure error,
 * else a `google.rpc.RetryInfo` detail, else Google's documented 30 s.
 */
export function quotaRetryMs(body: unknown): number | undefined {
  const parsed = GoogleErrorSchema.safeParse(body);
  if (!parsed.success || parsed.data.error.status !== "RESOURCE_EXHAUSTED") return undefined;
  for (const detail of parsed.data.error.details ?? []) {
    const d = detail as { errors?: unknown; retryDelay?: unknown } | null;
    if (Array.isArray(d?.errors)) {
      for (const e of d.errors) {
        const delay = durationMs(
          (e as { details?: { quotaErrorDetails?: { retryDelay?: unknown } } })?.details
            ?.quotaErrorDetails?.retryDelay,
        );
        if (delay !== undefined) return delay;
      }
    }
    const delay = durationMs(d?.retryDelay);
    if (delay !== undefined) return delay;
  }
  return DEFAULT_QUOTA_WAIT_MS;
}

/** `status` (UNAUTHENTICATED, PERMISSION_DENIED, INVALID_ARGUMENT…): an enum, safe to log. */
function categoryOf(body: unknown): string | undefined {
  const parsed = GoogleErrorSchema.safeParse(body);
  const status = parsed.success ? parsed.data.error.status : undefined;
  return status && /^[A-Z_]{1,60}$/.test(status) ? status : undefined;
}

/**
 * One `googleAds:searchStream` call: the GAQL query's rows in batches (a JSON array of
 * `{results, fieldMask, requestId}`). RESOURCE_EXHAUSTED (HTTP 429) is waited out for the
 * retryDelay Google gives; other errors go through `callJson`'s rules.
 */
export async function searchStream(
  request: PageRequest,
  settings: GoogleAdsSettings,
  query: string,
): Promise<unknown[]> {
  const developerToken = request.connection.secrets.get(GOOGLE_ADS_DEVELOPER_TOKEN);
  if (!developerToken) {
    const reason = `${GOOGLE_ADS_DEVELOPER_TOKEN} is not set for this connection`;
    throw Object.assign(new PermanentPullError(reason), { safeReason: reason });
  }
  const url = `${settings.baseUrl.replace(/\/+$/, "")}/${settings.apiVersion}/customers/${settings.customerId}/googleAds:searchStream`;
  const call = async (fresh: boolean) =>
    callJson({
      fetch: quotaAwareFetch(request.fetch),
      url,
      init: {
        method: "POST",
        headers: {
          authorization: `Bearer ${await googleAdsAccessToken(request, settings.tokenUrl, fresh)}`,
          "developer-token": developerToken,
          "content-type": "application/json",
          ...(settings.loginCustomerId ? { "login-customer-id": settings.loginCustomerId } : {}),
        },
        body: JSON.stringify({ query }),
      },
      defaultRetryAfterMs: DEFAULT_QUOTA_WAIT_MS,
      categoryOf,
    });
  let answer: Awaited<ReturnType<typeof callJson>>;
  try {
    answer = await call(false);
  } catch (error) {
    // An access token expired or revoked early: one new one from the refresh token, then retry.
    const refreshable = request.connection.secrets.get(GOOGLE_ADS_REFRESH_TOKEN) !== undefined;
    if (!(error instanceof PermanentPullError && error.status === 401 && refreshable)) throw error;
    answer = await call(true);
  }
  if (!Array.isArray(answer.value)) {
    throw new PermanentPullError("searchStream did not answer a JSON array", answer.status);
  }
  return answer.value;
}

/**
 * Google sends its quota wait in the 429's body (retryDelay), not in Retry-After: this fetch
 * copies it into a Retry-After header, so `callJson` waits exactly what Google asked.
 */
function quotaAwareFetch(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.status !== 429) return response;
    const text = await response.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: the documented default wait applies.
    }
    const waitMs = quotaRetryMs(body) ?? DEFAULT_QUOTA_WAIT_MS;
    const headers = new Headers(response.headers);
    headers.set("retry-after", String(Math.ceil(waitMs / 1000)));
    return new Response(text, { status: 429, headers });
  };
}
