import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readText as readBody, sendJson as send } from "../sandbox-http.js";
import {
  type AdDayMetrics,
  adDayMetrics,
  type GoogleAdsSandboxData,
  type SandboxAccount,
  type SandboxAd,
  type SandboxAdGroup,
  type SandboxCampaign,
} from "./sandbox-data.js";

/**
 * A local Google Ads API for the demo and the tests, answering `googleAds:searchStream` the way
 * the REST interface does: Bearer + developer-token headers (401 UNAUTHENTICATED), a GAQL subset
 * (SELECT fields FROM campaign | ad_group | ad_group_ad WHERE segments.date = 'YYYY-MM-DD'; an
 * unknown field is 400 INVALID_ARGUMENT), a JSON array of batches whose rows hold only the
 * selected fields in camelCase, int64 as strings and zero metrics left out, and a per-minute
 * request quota answered 429 RESOURCE_EXHAUSTED with `quotaErrorDetails.retryDelay` (no
 * Retry-After header). `faults` queues answers for failure drills.
 */
export interface GoogleAdsSandboxOptions {
  readonly data: GoogleAdsSandboxData;
  readonly accessToken: string;
  readonly developerToken: string;
  readonly requestsPerMinute?: number;
  readonly now?: () => number;
  /**
   * Google's OAuth token endpoint (`POST /token`, `grant_type=refresh_token`): access tokens it
   * issues expire after `tokenTtlSeconds` (then the API answers 401 UNAUTHENTICATED).
   */
  readonly oauth?: {
    readonly clientId: string;
    readonly clientSecret: string;
    readonly refreshToken: string;
    readonly tokenTtlSeconds?: number;
  };
}

export interface GoogleAdsSandbox {
  readonly url: string;
  readonly data: GoogleAdsSandboxData;
  readonly faults: { status: number; body: unknown }[];
  readonly requests: { customerId: string; query: string; status: number }[];
  /** Access tokens the token endpoint issued. */
  readonly tokensIssued: () => number;
  close(): Promise<void>;
}

interface Scope {
  readonly account: SandboxAccount;
  readonly campaign: SandboxCampaign;
  readonly adGroup?: SandboxAdGroup;
  readonly ad?: SandboxAd;
  readonly day: string;
  readonly metrics: AdDayMetrics;
}

const nonZero = (value: number, asString: boolean) =>
  value === 0 ? undefined : asString ? String(value) : value;

const FIELDS: Readonly<Record<string, (s: Scope) => unknown>> = {
  "customer.id": (s) => s.account.customerId,
  "customer.currency_code": (s) => s.account.currencyCode,
  "customer.time_zone": (s) => s.account.timeZone,
  "campaign.id": (s) => s.campaign.id,
  "campaign.name": (s) => s.campaign.name,
  "campaign.status": () => "ENABLED",
  "campaign.advertising_channel_type": (s) => s.campaign.channel,
  "campaign.tracking_url_template": (s) => s.campaign.trackingUrlTemplate,
  "campaign.final_url_suffix": (s) => s.campaign.finalUrlSuffix,
  "ad_group.id": (s) => s.adGroup?.id,
  "ad_group.name": (s) => s.adGroup?.name,
  "ad_group.status": () => "ENABLED",
  "ad_group.tracking_url_template": (s) => s.adGroup?.trackingUrlTemplate,
  "ad_group.final_url_suffix": () => undefined,
  "ad_group_ad.status": () => "ENABLED",
  "ad_group_ad.ad.id": (s) => s.ad?.id,
  "ad_group_ad.ad.name": (s) => s.ad?.name,
  "ad_group_ad.ad.final_urls": (s) => s.ad?.finalUrls,
  "ad_group_ad.ad.tracking_url_template": (s) => s.ad?.trackingUrlTemplate,
  "ad_group_ad.ad.final_url_suffix": (s) => s.ad?.finalUrlSuffix,
  "ad_group_ad.ad.url_custom_parameters": () => undefined,
  "segments.date": (s) => s.day,
  "metrics.cost_micros": (s) => nonZero(s.metrics.costMicros, true),
  "metrics.impressions": (s) => nonZero(s.metrics.impressions, true),
  "metrics.clicks": (s) => nonZero(s.metrics.clicks, true),
  "metrics.conversions": (s) => nonZero(s.metrics.conversions, false),
  "metrics.conversions_value": (s) => nonZero(s.metrics.conversionsValue, false),
};

const camel = (part: string) => part.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function sum(list: readonly AdDayMetrics[]): AdDayMetrics {
  const total = { costMicros: 0, impressions: 0, clicks: 0, conversions: 0, conversionsValue: 0 };
  for (const m of list) {
    for (const key of Object.keys(total) as (keyof AdDayMetrics)[]) total[key] += m[key];
  }
  total.conversionsValue = Math.round(total.conversionsValue * 100) / 100;
  return total;
}

function scopes(
  data: GoogleAdsSandboxData,
  account: SandboxAccount,
  resource: string,
  day: string,
) {
  const out: Scope[] = [];
  if (day > data.lastDay) return out;
  const of = (ad: SandboxAd) => adDayMetrics(data, ad.id, day);
  for (const campaign of account.campaigns) {
    if (resource === "campaign") {
      out.push({
        account,
        campaign,
        day,
        metrics: sum(campaign.adGroups.flatMap((g) => g.ads.map(of))),
      });
      continue;
    }
    for (const adGroup of campaign.adGroups) {
      if (resource === "ad_group") {
        out.push({ account, campaign, adGroup, day, metrics: sum(adGroup.ads.map(of)) });
        continue;
      }
      for (const ad of adGroup.ads)
        out.push({ account, campaign, adGroup, ad, day, metrics: of(ad) });
    }
  }
  // Google leaves out rows without any metric when a query segments by date.
  return out.filter((s) => s.metrics.impressions > 0 || s.metrics.costMicros > 0);
}

function row(fields: readonly string[], scope: Scope): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = FIELDS[field]?.(scope);
    if (value === undefined) continue;
    const parts = field.split(".").map(camel);
    let node = out;
    for (const part of parts.slice(0, -1)) {
      node[part] ??= {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts.at(-1) ?? field] = value;
  }
  const customer = scope.account.customerId;
  const named = (key: string, path: string) => {
    if (out[key])
      (out[key] as Record<string, unknown>).resourceName = `customers/${customer}/${path}`;
  };
  named("campaign", `campaigns/${scope.campaign.id}`);
  named("adGroup", `adGroups/${scope.adGroup?.id}`);
  named("adGroupAd", `adGroupAds/${scope.adGroup?.id}~${scope.ad?.id}`);
  if (out.customer)
    (out.customer as Record<string, unknown>).resourceName = `customers/${customer}`;
  return out;
}

const error = (code: number, status: string, message: string, details: unknown[] = []) => ({
  error: { code, message, status, details },
});

export async function startGoogleAdsSandbox(
  options: GoogleAdsSandboxOptions,
): Promise<GoogleAdsSandbox> {
  const now = options.now ?? Date.now;
  const perMinute = options.requestsPerMinute ?? 60;
  const recent: number[] = [];
  const issued = new Map<string, number>();
  const sandbox: GoogleAdsSandbox = {
    url: "",
    data: options.data,
    faults: [],
    requests: [],
    tokensIssued: () => issued.size,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() =>
      send(res, 500, error(500, "INTERNAL", "Internal error encountered.")),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (req.method === "POST" && req.url === "/token") return token(body, res);
    const m = /^\/v\d+\/customers\/(\d{10})\/googleAds:searchStream$/.exec(req.url ?? "");
    let query = "";
    try {
      query = String((JSON.parse(body) as { query?: unknown }).query ?? "");
    } catch {
      // An unreadable body is answered below as a bad request.
    }
    const customerId = m?.[1] ?? "";
    const answer = (status: number, value: unknown) => {
      sandbox.requests.push({ customerId, query, status });
      send(res, status, value);
    };
    const fault = sandbox.faults.shift();
    if (fault) return answer(fault.status, fault.body);
    if (!m || req.method !== "POST") return answer(404, error(404, "NOT_FOUND", "Not found."));
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    const live = bearer === options.accessToken || (issued.get(bearer) ?? 0) > now();
    if (!live || req.headers["developer-token"] !== options.developerToken) {
      return answer(
        401,
        error(401, "UNAUTHENTICATED", "Request is missing required authentication credential."),
      );
    }
    const t = now();
    while (recent.length > 0 && (recent[0] ?? 0) <= t - 60_000) recent.shift();
    if (recent.length >= perMinute) {
      const waitS = Math.max(1, Math.ceil(((recent[0] ?? t) + 60_000 - t) / 1000));
      return answer(429, quotaError(waitS));
    }
    recent.push(t);
    const account = options.data.accounts.find((a) => a.customerId === customerId);
    if (!account) {
      return answer(403, error(403, "PERMISSION_DENIED", "The caller does not have permission"));
    }
    const q =
      /^SELECT (.+) FROM (campaign|ad_group|ad_group_ad) WHERE segments\.date = '(\d{4}-\d{2}-\d{2})'$/.exec(
        query.trim(),
      );
    const fields = q?.[1]?.split(",").map((f) => f.trim()) ?? [];
    if (!q?.[2] || !q[3] || fields.some((f) => !(f in FIELDS))) {
      return answer(400, error(400, "INVALID_ARGUMENT", "Request contains an invalid argument."));
    }
    const results = scopes(options.data, account, q[2], q[3]).map((s) => row(fields, s));
    const mask = fields.map((f) => f.split(".").map(camel).join(".")).join(",");
    answer(200, [{ results, fieldMask: mask, requestId: `sandbox-${sandbox.requests.length}` }]);
  }

  /** RFC 6749 §6 as Google answers it: a bad client is 401 invalid_client, a bad grant 400. */
  function token(body: string, res: ServerResponse): void {
    const form = new URLSearchParams(body);
    const oauth = options.oauth;
    if (
      !oauth ||
      form.get("client_id") !== oauth.clientId ||
      form.get("client_secret") !== oauth.clientSecret
    ) {
      send(res, 401, { error: "invalid_client", error_description: "Unauthorized" });
      return;
    }
    if (
      form.get("grant_type") !== "refresh_token" ||
      form.get("refresh_token") !== oauth.refreshToken
    ) {
      send(res, 400, { error: "invalid_grant", error_description: "Bad Request" });
      return;
    }
    const ttl = oauth.tokenTtlSeconds ?? 3599;
    const access = `ya29.sandbox-${randomBytes(12).toString("hex")}`;
    issued.set(access, now() + ttl * 1000);
    send(res, 200, {
      access_token: access,
      expires_in: ttl,
      scope: "https://www.googleapis.com/auth/adwords",
      token_type: "Bearer",
    });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(sandbox, { url: `http://127.0.0.1:${port}` });
  return sandbox;
}

/** What Google answers when a quota is used up: the wait is in the body only. */
export function quotaError(retryDelaySeconds: number) {
  return error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", [
    {
      "@type": "type.googleapis.com/google.ads.googleads.v22.errors.GoogleAdsFailure",
      errors: [
        {
          errorCode: { quotaError: "RESOURCE_EXHAUSTED" },
          message: "Too many requests. Retry in 30 seconds.",
          details: {
            quotaErrorDetails: {
              rateScope: "DEVELOPER",
              rateName: "Number of operations for basic access",
              retryDelay: `${retryDelaySeconds}s`,
            },
          },
        },
      ],
    },
  ]);
}
