import { randomBytes } from "node:crypto";
import { parseJsonExact } from "../../core/ingest/json-text.js";
import { startGoogleAdsSandbox } from "../../sources/google-ads/sandbox.js";
import { googleAdsSandboxData } from "../../sources/google-ads/sandbox-data.js";
import { startHubspotSandbox } from "../../sources/hubspot/sandbox.js";
import { startMetaAdsSandbox } from "../../sources/meta-ads/sandbox.js";
import { metaAdsSandboxData } from "../../sources/meta-ads/sandbox-data.js";
import {
  singlesendStatsData,
  startSendgridStatsSandbox,
} from "../../sources/sendgrid/stats-sandbox.js";
import { startShopifySandbox } from "../../sources/shopify/sandbox.js";
import { startZoomSandbox } from "../../sources/zoom/sandbox.js";
import { zoomSandboxData } from "../../sources/zoom/sandbox-data.js";
import { generateDeliveries } from "../demo/synthetic/generate.js";
import { hubspotSandboxData } from "../demo/synthetic/hubspot.js";
import { scenario } from "../demo/synthetic/people.js";

/**
 * The local sandbox of each pulled vendor, for `unistack pull` and the demo: a server on loopback
 * that answers like the vendor over the demo's synthetic people. Each gives the connection
 * settings and secrets that point a pull at it. A pulled source without a sandbox here cannot be
 * pulled locally.
 */
export interface RunningSandbox {
  readonly url: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export interface SandboxInput {
  readonly contacts: number;
  readonly seed: number;
  readonly now: Date;
}

export const PULL_SANDBOXES: Readonly<
  Record<string, (input: SandboxInput) => Promise<RunningSandbox>>
> = {
  async hubspot(input) {
    const token = `pat-local-${randomBytes(8).toString("hex")}`;
    const { people } = scenario(input.seed, input.contacts, 1);
    const sandbox = await startHubspotSandbox({
      data: hubspotSandboxData({ people, seed: input.seed, now: input.now }),
      token,
    });
    return {
      url: sandbox.url,
      settings: { baseUrl: sandbox.url },
      env: { HUBSPOT_ACCESS_TOKEN: token },
      close: () => sandbox.close(),
    };
  },
  async shopify(input) {
    const token = `shpat_local${randomBytes(12).toString("hex")}`;
    // A Shopify Plus shop (1,000 points a second): throttled now and then, as a real backfill is.
    const sandbox = await startShopifySandbox({
      data: shopifySandboxData(input),
      token,
      restoreRate: 1000,
    });
    return {
      url: sandbox.url,
      settings: { baseUrl: sandbox.url },
      env: { SHOPIFY_ADMIN_ACCESS_TOKEN: token },
      close: () => sandbox.close(),
    };
  },
  async google_ads(input) {
    // The pull gets its access tokens from the sandbox's OAuth endpoint, as from Google's: they
    // expire after an hour and are refreshed with the refresh token.
    const oauth = {
      clientId: `local-${randomBytes(6).toString("hex")}.apps.googleusercontent.com`,
      clientSecret: `GOCSPX-${randomBytes(12).toString("hex")}`,
      refreshToken: `1//local-${randomBytes(16).toString("hex")}`,
    };
    const developerToken = `dev-local-${randomBytes(8).toString("hex")}`;
    const data = googleAdsSandboxData({ seed: input.seed, now: input.now });
    const sandbox = await startGoogleAdsSandbox({
      data,
      accessToken: `ya29.unused-${randomBytes(8).toString("hex")}`,
      developerToken,
      oauth,
    });
    return {
      url: sandbox.url,
      settings: {
        baseUrl: sandbox.url,
        tokenUrl: `${sandbox.url}/token`,
        customerId: data.accounts[0]?.customerId,
      },
      env: {
        GOOGLE_ADS_CLIENT_ID: oauth.clientId,
        GOOGLE_ADS_CLIENT_SECRET: oauth.clientSecret,
        GOOGLE_ADS_REFRESH_TOKEN: oauth.refreshToken,
        GOOGLE_ADS_DEVELOPER_TOKEN: developerToken,
      },
      close: () => sandbox.close(),
    };
  },
  async meta_ads(input) {
    const accessToken = `EAAlocal${randomBytes(12).toString("hex")}`;
    const data = metaAdsSandboxData({ seed: input.seed, now: input.now });
    const sandbox = await startMetaAdsSandbox({ data, accessToken });
    return {
      url: sandbox.url,
      // The sandbox finishes a report in two looks; poll it every second.
      settings: { baseUrl: sandbox.url, adAccountId: data.accounts[0]?.id, pollSeconds: 1 },
      env: { META_ADS_ACCESS_TOKEN: accessToken },
      close: () => sandbox.close(),
    };
  },
  async sendgrid(input) {
    const apiKey = `SG.local-${randomBytes(12).toString("hex")}`;
    const sandbox = await startSendgridStatsSandbox({
      apiKey,
      stats: singlesendStatsData(input.seed),
    });
    return {
      url: sandbox.url,
      settings: { baseUrl: sandbox.url },
      env: { SENDGRID_READ_API_KEY: apiKey },
      close: () => sandbox.close(),
    };
  },
  async zoom(input) {
    const clientId = `local${randomBytes(6).toString("hex")}`;
    const clientSecret = randomBytes(16).toString("hex");
    const { people } = scenario(input.seed, input.contacts, 1);
    const data = zoomSandboxData({ seed: input.seed, now: input.now, people });
    const sandbox = await startZoomSandbox({ data, clientId, clientSecret });
    return {
      url: sandbox.url,
      settings: { apiUrl: `${sandbox.url}/v2`, oauthUrl: sandbox.url },
      env: {
        ZOOM_ACCOUNT_ID: data.accountId,
        ZOOM_CLIENT_ID: clientId,
        ZOOM_CLIENT_SECRET: clientSecret,
      },
      close: () => sandbox.close(),
    };
  },
};

/**
 * The demo shop's history as its Admin API holds it: the latest version of every order the
 * demo's first run sends by webhook (the same synthetic people), and their customers.
 */
export function shopifySandboxData(input: SandboxInput) {
  const { deliveries } = generateDeliveries({
    contacts: input.contacts,
    seed: input.seed,
    now: input.now,
  });
  const orders = new Map<string, Record<string, unknown>>();
  for (const delivery of deliveries) {
    if (delivery.source !== "shopify") continue;
    const order = parseJsonExact(delivery.body) as Record<string, unknown>;
    // The demo's deliberately bad orders have no id: the shop itself never holds those.
    if (order.id === undefined) continue;
    const seen = orders.get(String(order.id));
    if (!seen || Date.parse(String(seen.updated_at)) <= Date.parse(String(order.updated_at)))
      orders.set(String(order.id), order);
  }
  const customers = new Map<string, Record<string, unknown>>();
  for (const order of orders.values()) {
    const customer = order.customer as Record<string, unknown> | null;
    if (!customer || customers.has(String(customer.id))) continue;
    customers.set(String(customer.id), {
      ...customer,
      created_at: order.created_at,
      updated_at: order.created_at,
    });
  }
  return { orders: [...orders.values()], customers: [...customers.values()] };
}
