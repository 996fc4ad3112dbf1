import { createHash } from "node:crypto";

/**
 * The accounts a local Google Ads answers for: campaigns → ad groups → ads, and each ad's daily
 * metrics, drawn from a seed (the same day always gives the same numbers) unless a test or the
 * demo restated it. Campaign and ad group metrics are the sums of their ads', as in Google Ads.
 */
export interface SandboxAd {
  readonly id: string;
  readonly name: string;
  readonly finalUrls: readonly string[];
  readonly trackingUrlTemplate?: string;
  readonly finalUrlSuffix?: string;
}
export interface SandboxAdGroup {
  readonly id: string;
  readonly name: string;
  readonly trackingUrlTemplate?: string;
  readonly ads: readonly SandboxAd[];
}
export interface SandboxCampaign {
  readonly id: string;
  readonly name: string;
  readonly channel: string;
  readonly trackingUrlTemplate?: string;
  readonly finalUrlSuffix?: string;
  readonly adGroups: readonly SandboxAdGroup[];
}
export interface SandboxAccount {
  readonly customerId: string;
  readonly currencyCode: string;
  readonly timeZone: string;
  readonly campaigns: readonly SandboxCampaign[];
}

export interface AdDayMetrics {
  costMicros: number;
  impressions: number;
  clicks: number;
  conversions: number;
  conversionsValue: number;
}

export interface GoogleAdsSandboxData {
  readonly accounts: readonly SandboxAccount[];
  readonly seed: number;
  /** Days the account has no data for yet (after the sandbox's today). */
  readonly lastDay: string;
  /** Restated metrics of an ad on a day (`<adId>:<day>`), replacing the drawn ones. */
  readonly restated: Map<string, AdDayMetrics>;
}

function draw(seed: number, key: string): number {
  const hash = createHash("sha256").update(`${seed}:${key}`).digest();
  return hash.readUInt32BE(0) / 0x1_0000_0000;
}

/** An ad's metrics on a day: restated when a test or the demo said so, else drawn. */
export function adDayMetrics(data: GoogleAdsSandboxData, adId: string, day: string): AdDayMetrics {
  const restated = data.restated.get(`${adId}:${day}`);
  if (restated) return restated;
  const r = (k: string) => draw(data.seed, `${adId}:${day}:${k}`);
  const impressions = Math.floor(r("i") * 2000);
  const clicks = Math.floor(impressions * r("c") * 0.08);
  const conversions = Math.floor(clicks * r("v") * 0.2);
  return {
    impressions,
    clicks,
    // Cost per click between 0.20 and 2.20 in the account currency, in micros.
    costMicros: clicks * Math.round((0.2 + r("p") * 2) * 100) * 10_000,
    conversions,
    conversionsValue: Math.round(conversions * (20 + r("o") * 80) * 100) / 100,
  };
}

/** A small account with UTM-tagged tracking templates, for the demo and `unistack pull`. */
export function googleAdsSandboxData(input: {
  seed: number;
  now: Date;
  customerId?: string;
}): GoogleAdsSandboxData {
  const customerId = input.customerId ?? "1234567890";
  const campaign = (n: number, name: string, channel: string): SandboxCampaign => ({
    id: String(20_000_000_000 + n),
    name,
    channel,
    trackingUrlTemplate: "{lpurl}?utm_source=google&utm_medium=cpc&utm_campaign={campaignid}",
    finalUrlSuffix: `utm_content={creative}&utm_term={keyword}`,
    adGroups: [1, 2].map((g) => ({
      id: String(150_000_000_000 + n * 10 + g),
      name: `${name} — group ${g}`,
      ads: [1, 2].map((a) => ({
        id: String(700_000_000_000 + n * 100 + g * 10 + a),
        name: `${name} ${g}.${a}`,
        finalUrls: [
          `https://shop.example.com/collections/${name.toLowerCase().replace(/\W+/g, "-")}`,
        ],
      })),
    })),
  });
  return {
    seed: input.seed,
    lastDay: input.now.toISOString().slice(0, 10),
    restated: new Map(),
    accounts: [
      {
        customerId,
        currencyCode: "EUR",
        timeZone: "Europe/Berlin",
        campaigns: [
          campaign(1, "Brand search", "SEARCH"),
          campaign(2, "Winter sale", "PERFORMANCE_MAX"),
        ],
      },
    ],
  };
}
