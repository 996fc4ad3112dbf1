import { z } from "zod";
import { PermanentPullError } from "../../core/pull/errors.js";
import type { PageRequest } from "../../core/pull/source.js";
import { AdsSettingsSchema } from "../ads/restated-days.js";
import { callJson } from "../pull-http.js";

/** A system user's access token with ads_read on the ad account. */
export const META_ADS_ACCESS_TOKEN = "META_ADS_ACCESS_TOKEN";

export const MetaAdsSettingsSchema = AdsSettingsSchema.extend({
  /** `https://graph.facebook.com` in production; the local sandbox's URL in the demo. */
  baseUrl: z.url().default("https://graph.facebook.com"),
  apiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .default("v23.0"),
  /** The ad account id, digits only (without `act_`). */
  adAccountId: z.string().regex(/^\d{1,20}$/, "adAccountId: digits only, without act_"),
  /** How long to wait between two looks at a running async report. */
  pollSeconds: z.coerce.number().int().min(1).max(120).default(10),
});
export type MetaAdsSettings = z.infer<typeof MetaAdsSettingsSchema>;

export function metaAdsSettings(request: PageRequest): MetaAdsSettings {
  const parsed = MetaAdsSettingsSchema.safeParse(request.connection.settings);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const reason = `settings of meta_ads connection ${request.connection.id}: ${first?.path.join(".")} ${first?.message}`;
    throw Object.assign(new PermanentPullError(reason), { safeReason: reason });
  }
  return parsed.data;
}

/**
 * Meta's throttling codes (Marketing API rate limiting): 4 application request limit, 17 user
 * request limit, 613 calls within one hour exceeded, 80004 too many calls to this ad account
 * (ads insights). Meta answers them with HTTP 400/403, not 429.
 */
export const THROTTLE_CODES: ReadonlySet<number> = new Set([4, 17, 613, 80004]);
/** Without estimated_time_to_regain_access, wait a minute (Meta: "wait a bit and try again"). */
const DEFAULT_THROTTLE_WAIT_MS = 60_000;

const MetaErrorSchema = z.looseObject({
  error: z.looseObject({
    code: z.number().int(),
    error_subcode: z.number().int().optional(),
    is_transient: z.boolean().optional(),
  }),
});

/**
 * The wait Meta announces for a throttled account: the largest `estimated_time_to_regain_access`
 * (minutes) in X-Business-Use-Case-Usage; `undefined` when the header says nothing.
 */
export function regainAccessMs(headers: Headers): number | undefined {
  const header = headers.get("x-business-use-case-usage");
  if (!header) return undefined;
  try {
    const usage = JSON.parse(header) as Record<
      string,
      { estimated_time_to_regain_access?: unknown }[]
    >;
    const minutes = Object.values(usage)
      .flat()
      .map((u) => Number(u?.estimated_time_to_regain_access))
      .filter((m) => Number.isFinite(m) && m > 0);
    return minutes.length > 0 ? Math.max(...minutes) * 60_000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Maps Meta's error answers onto HTTP the pull's rules know: a throttling code becomes a 429 with
 * the announced wait in Retry-After, a transient error (is_transient, codes 1 and 2) a 503.
 */
function throttleAwareFetch(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.ok) return response;
    const text = await response.text();
    let code: number | undefined;
    let transient = false;
    try {
      const parsed = MetaErrorSchema.safeParse(JSON.parse(text));
      code = parsed.success ? parsed.data.error.code : undefined;
      transient = parsed.success && parsed.data.error.is_transient === true;
    } catch {
      // Not JSON: the status decides.
    }
    const headers = new Headers(response.headers);
    if (code !== undefined && THROTTLE_CODES.has(code)) {
      const waitMs = regainAccessMs(response.headers) ?? DEFAULT_THROTTLE_WAIT_MS;
      headers.set("retry-after", String(Math.ceil(waitMs / 1000)));
      return new Response(text, { status: 429, headers });
    }
    if (transient || code === 1 || code === 2) return new Response(text, { status: 503, headers });
    return new Response(text, { status: response.status, headers });
  };
}

/** `code 190` (an integer, never the message: it can quote the request). */
function categoryOf(body: unknown): string | undefined {
  const parsed = MetaErrorSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { code, error_subcode } = parsed.data.error;
  return `code ${code}${error_subcode ? `/${error_subcode}` : ""}`;
}

/** One Graph API call with the connection's token. */
export async function metaCall(
  request: PageRequest,
  settings: MetaAdsSettings,
  path: string,
  init: { method: "GET" | "POST"; params?: Record<string, string> } = { method: "GET" },
): Promise<unknown> {
  const token = request.connection.secrets.get(META_ADS_ACCESS_TOKEN);
  if (!token) {
    const reason = `${META_ADS_ACCESS_TOKEN} is not set for this connection`;
    throw Object.assign(new PermanentPullError(reason), { safeReason: reason });
  }
  const query = new URLSearchParams(init.params ?? {}).toString();
  const base = `${settings.baseUrl.replace(/\/+$/, "")}/${settings.apiVersion}${path}`;
  const answer = await callJson({
    fetch: throttleAwareFetch(request.fetch),
    url: init.method === "GET" && query ? `${base}?${query}` : base,
    init: {
      method: init.method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.method === "POST" ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(init.method === "POST" ? { body: query } : {}),
    },
    defaultRetryAfterMs: DEFAULT_THROTTLE_WAIT_MS,
    categoryOf,
  });
  return answer.value;
}
