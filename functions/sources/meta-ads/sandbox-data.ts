import { createHash } from "node:crypto";

/**
 * The ad accounts a local Meta answers for: campaigns → ad sets → ads, and each ad's daily
 * insights, drawn from a seed unless a test or the demo restated them. Campaign and ad set rows
 * are the sums of their ads'.
 */
export interface MetaSandboxAd {
  readonly id: string;
  readonly name: string;
  /** The creative's URL parameters (Ads Manager "URL parameters"): where Meta ads carry UTMs. */
  readonly urlTags?: string;
}
export interface MetaSandboxAdset {
  readonly id: string;
  readonly name: string;
  readonly ads: readonly MetaSandboxAd[];
}
export interface MetaSandboxCampaign {
  readonly id: string;
  readonly name: string;
  readonly objective: string;
  readonly adsets: readonly MetaSandboxAdset[];
}
export interface MetaSandboxAccount {
  readonly id: string;
  readonly currency: string;
  readonly campaigns: readonly MetaSandboxCampaign[];
}

/** An ad's day: spend in cents of the account currency (Meta reports 2 decimals). */
export interface MetaAdDay {
  spendCents: number;
  impressions: number;
  clicks: number;
  purchases: number;
  purchaseValueCents: number;
  leads: number;
}

export interface MetaAdsSandboxData {
  readonly accounts: readonly MetaSandboxAccount[];
  readonly seed: number;
  readonly lastDay: string;
  /** Restated insights of an ad on a day (`<adId>:<day>`). */
  readonly restated: Map<string, MetaAdDay>;
}

function draw(seed: number, key: string): number {
  return createHash("sha256").update(`${seed}:${key}`).digest().readUInt32BE(0) / 0x1_0000_0000;
}

export function metaAdDay(data: MetaAdsSandboxData, adId: string, day: string): MetaAdDay {
  const restated = data.restated.get(`${adId}:${day}`);
  if (restated) return restated;
  const r = (k: string) => draw(data.seed, `${adId}:${day}:${k}`);
  const impressions = Math.floor(r("i") * 5000);
  const clicks = Math.floor(impressions * r("c") * 0.03);
  const purchases = Math.floor(clicks * r("p") * 0.1);
  return {
    impressions,
    clicks,
    // CPM between 4 and 14 in the account currency.
    spendCents: Math.round((impressions / 1000) * (4 + r("s") * 10) * 100),
    purchases,
    purchaseValueCents: Math.round(purchases * (30 + r("v") * 70) * 100),
    leads: Math.floor(clicks * r("l") * 0.05),
  };
}

export function metaAdsSandboxData(input: {
  seed: number;
  now: Date;
  adAccountId?: string;
}): MetaAdsSandboxData {
  const campaign = (n: number, name: string, objective: string): MetaSandboxCampaign => ({
    id: String(120_210_000_000_000 + n),
    name,
    objective,
    adsets: [1, 2].map((s) => ({
      id: String(120_220_000_000_000 + n * 10 + s),
      name: `${name} — audience ${s}`,
      ads: [1, 2, 3].map((a) => ({
        id: String(120_230_000_000_000 + n * 100 + s * 10 + a),
        name: `${name} ${s}.${a}`,
        urlTags: `utm_source=facebook&utm_medium=paid_social&utm_campaign=${name.toLowerCase().replace(/\W+/g, "-")}&utm_content=${s}-${a}`,
      })),
    })),
  });
  return {
    seed: input.seed,
    lastDay: input.now.toISOString().slice(0, 10),
    restated: new Map(),
    accounts: [
      {
        id: input.adAccountId ?? "1020304050",
        currency: "EUR",
        campaigns: [
          campaign(1, "Prospecting", "OUTCOME_SALES"),
          campaign(2, "Retargeting", "OUTCOME_SALES"),
          campaign(3, "Webinar leads", "OUTCOME_LEADS"),
        ],
      },
    ],
  };
}
