import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signShopifyDelivery } from "../../functions/cli/demo/synthetic/sign-shopify.js";
import { ACTIVATE_TOPICS } from "../../functions/core/activation/batches.js";
import {
  parseSyncsConfig,
  type SyncConfig,
  type SyncConfigInput,
} from "../../functions/core/activation/sync-config.js";
import {
  createGoogleAdsClient,
  dataManagerIngestion,
} from "../../functions/destinations/google-ads/client.js";
import {
  type GoogleAdsSandbox,
  startGoogleAdsSandbox,
} from "../../functions/destinations/google-ads/sandbox.js";
import { googleAdsSender } from "../../functions/destinations/google-ads/sender.js";
import { createMetaClient } from "../../functions/destinations/meta/client.js";
import { type MetaSandbox, startMetaSandbox } from "../../functions/destinations/meta/sandbox.js";
import { metaSender } from "../../functions/destinations/meta/sender.js";
import { activateGoogleAds } from "../../functions/handlers/activate-google-ads.js";
import { activateMeta } from "../../functions/handlers/activate-meta.js";
import { type IngestServer, startIngestServer } from "../../functions/handlers/ingest-server.js";
import { type ActivationPlan, planActivation } from "../../functions/handlers/plan-activation.js";
import { wireRealtimeLocally } from "../../functions/handlers/realtime-local.js";
import { publishPurchases } from "../../functions/handlers/realtime-publish.js";
import type { RealtimePurchaseDeps } from "../../functions/handlers/realtime-purchase.js";
import { createEnvSecrets } from "../../functions/platform/env-secrets.js";
import {
  createDuckDbWarehouse,
  type DuckDbWarehouse,
} from "../../functions/platform/local/duckdb-warehouse.js";
import { createFsObjectStore } from "../../functions/platform/local/fs-object-store.js";
import {
  createLocalEventBus,
  type LocalEventBus,
} from "../../functions/platform/local/local-event-bus.js";
import { createLogger, type Logger } from "../../functions/platform/logger.js";
import type { Clock, ObjectStore, TableSpec } from "../../functions/platform/ports.js";

/**
 * The realtime path on local adapters, as the cloud runs it: the ingest HTTP server (real
 * sockets, signature checks) → the lake folder → the in-process bus → the realtime function →
 * the Meta and Google sandboxes over HTTP, with DuckDB as the warehouse. Tests and the bench
 * (bench/realtime.bench.ts) use it.
 */

export const SHOPIFY_SECRET = "shpss_realtime_secret";
export const META_AUDIENCE = "23850000000000077";
export const GOOGLE_LIST = { customerId: "1234567890", audienceId: "7777777" };

export const RETARGETING_SYNCS: SyncConfigInput[] = [
  {
    id: "meta_retargeting",
    segment: { dataset: "marts", table: "seg_retargeting" },
    destination: "meta",
    audienceId: META_AUDIENCE,
    requiredConsent: ["ad_user_data"],
    realtime: { onPurchase: "remove" },
  },
  {
    id: "google_retargeting",
    segment: { dataset: "marts", table: "seg_retargeting" },
    destination: "google_ads",
    ...GOOGLE_LIST,
    identifiers: ["email", "phone"],
    defaultRegion: "GB",
    requiredConsent: ["ad_user_data"],
    realtime: { onPurchase: "remove" },
  },
];

/** The retargeting segment as the batch planner reads it (marts.seg_retargeting's contract). */
export const RETARGETING_SEGMENT: TableSpec = {
  dataset: "marts",
  table: "seg_retargeting",
  columns: [
    { name: "contact_id", type: "STRING", mode: "REQUIRED" },
    { name: "email", type: "STRING" },
    { name: "consent_email_marketing", type: "BOOL", mode: "REQUIRED" },
    { name: "consent_ad_user_data", type: "BOOL", mode: "REQUIRED" },
    { name: "consent_ad_personalization", type: "BOOL", mode: "REQUIRED" },
    { name: "phone", type: "STRING" },
    { name: "first_name", type: "STRING" },
    { name: "last_name", type: "STRING" },
    { name: "country_code", type: "STRING" },
    { name: "zip", type: "STRING" },
  ],
};

export interface Prospect {
  readonly id: string;
  readonly email: string;
  readonly phone?: string;
}

export interface RealtimeStack {
  readonly dir: string;
  readonly store: ObjectStore;
  readonly warehouse: DuckDbWarehouse;
  readonly bus: LocalEventBus;
  readonly meta: MetaSandbox;
  readonly google: GoogleAdsSandbox;
  readonly ingest: IngestServer;
  readonly syncs: SyncConfig[];
  readonly deps: RealtimePurchaseDeps;
  readonly logger: Logger;
  /** POSTs a signed Shopify webhook to the ingest server; resolves with the HTTP status. */
  postOrder(body: string, topic?: string): Promise<number>;
  /** Replaces the retargeting segment (what the last model run produced). */
  setSegment(people: readonly Prospect[]): Promise<void>;
  /** Plans every sync from the segment (the batch path) and waits for its batches. */
  plan(): Promise<ActivationPlan[]>;
  close(): Promise<void>;
}

export async function startRealtimeStack(
  options: {
    clock?: Clock;
    logger?: Logger;
    syncs?: SyncConfigInput[];
    /** false: purchases are published but no realtime function is subscribed (tests drive it). */
    subscribe?: boolean;
  } = {},
): Promise<RealtimeStack> {
  const dir = await mkdtemp(join(tmpdir(), "unistack-realtime-"));
  const store = createFsObjectStore({ root: join(dir, "lake") });
  const warehouse = await createDuckDbWarehouse({ path: ":memory:" });
  const clock = options.clock ?? { now: () => new Date() };
  const logger = options.logger ?? createLogger({ level: "silent" });
  const bus = createLocalEventBus({ clock, minBackoffMs: 1, maxBackoffMs: 5 });
  const meta = await startMetaSandbox({ audiences: [META_AUDIENCE] });
  const google = await startGoogleAdsSandbox({
    userLists: [`${GOOGLE_LIST.customerId}/${GOOGLE_LIST.audienceId}`],
  });
  const syncs = parseSyncsConfig({ syncs: options.syncs ?? RETARGETING_SYNCS }).syncs;
  const retry = { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxRetryAfterMs: 5_000 };
  const metaClient = createMetaClient({
    accessToken: meta.accessToken,
    baseUrl: meta.baseUrl,
    retry,
    logger,
  });
  const googleClient = createGoogleAdsClient({
    ingestion: dataManagerIngestion({ baseUrl: google.baseUrl, accessToken: google.accessToken }),
    logger,
    retry,
  });
  const deps: RealtimePurchaseDeps = {
    warehouse,
    store,
    logger,
    clock,
    syncs,
    senders: {
      meta: metaSender(metaClient),
      google_ads: googleAdsSender(
        googleClient,
        syncs.filter((s) => s.destination === "google_ads"),
      ),
    },
  };
  const afterLanding =
    options.subscribe === false ? publishPurchases(bus) : wireRealtimeLocally(bus, deps);
  const metaSyncs = syncs.filter((s) => s.destination === "meta");
  const googleSyncs = syncs.filter((s) => s.destination === "google_ads");
  bus.subscribe(ACTIVATE_TOPICS.meta, async (event) => {
    await activateMeta(
      { warehouse, store, meta: metaClient, logger, clock, syncs: metaSyncs },
      event,
    );
  });
  bus.subscribe(ACTIVATE_TOPICS.google_ads, async (event) => {
    await activateGoogleAds(
      { warehouse, store, google: googleClient, logger, clock, syncs: googleSyncs },
      event,
    );
  });
  await warehouse.ensureTable(RETARGETING_SEGMENT);
  const ingest = await startIngestServer({
    deps: {
      store,
      secrets: createEnvSecrets({ SHOPIFY_WEBHOOK_SECRET: SHOPIFY_SECRET }),
      clock,
      logger,
      afterLanding,
    },
  });
  let webhook = 0;
  return {
    dir,
    store,
    warehouse,
    bus,
    meta,
    google,
    ingest,
    syncs,
    deps,
    logger,
    async postOrder(body, topic = "orders/create") {
      const response = await fetch(`${ingest.url}/webhooks/shopify`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "X-Shopify-Topic": topic,
          "X-Shopify-Webhook-Id": `rt-${++webhook}`,
          "X-Shopify-Shop-Domain": "demo-shop.myshopify.com",
          "X-Shopify-API-Version": "2024-04",
          ...signShopifyDelivery(SHOPIFY_SECRET, body),
        },
        body,
      });
      await response.arrayBuffer();
      return response.status;
    },
    async setSegment(people) {
      await warehouse.run("DELETE FROM marts.seg_retargeting");
      await warehouse.insertRows(
        RETARGETING_SEGMENT,
        people.map((p) => ({
          contact_id: p.id,
          email: p.email,
          consent_email_marketing: true,
          consent_ad_user_data: true,
          consent_ad_personalization: true,
          phone: p.phone ?? null,
          first_name: null,
          last_name: null,
          country_code: "GB",
          zip: null,
        })),
      );
    },
    async plan() {
      const plans: ActivationPlan[] = [];
      for (const sync of syncs) {
        plans.push(await planActivation({ warehouse, store, bus, clock, logger }, sync));
      }
      await bus.drain();
      return plans;
    },
    async close() {
      await ingest.close();
      await bus.drain();
      await meta.close();
      await google.close();
      await warehouse.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A Shopify order as the webhook sends it (ids beyond 2^53, as Shopify's are). */
export function orderBody(
  n: number,
  person: { email: string; phone?: string; firstName?: string; lastName?: string },
): string {
  const id = `${5_000_000_000_000_000n + BigInt(n)}`;
  const at = "2026-05-01T10:00:00Z";
  return `{"id":${id},"email":${JSON.stringify(person.email)},"phone":${JSON.stringify(person.phone ?? null)},"created_at":"${at}","updated_at":"${at}","currency":"EUR","total_price":"10.00","financial_status":"paid","customer":{"id":${7_000_000_000_000_000n + BigInt(n)},"email":${JSON.stringify(person.email)},"first_name":${JSON.stringify(person.firstName ?? null)},"last_name":${JSON.stringify(person.lastName ?? null)}},"billing_address":{"first_name":${JSON.stringify(person.firstName ?? null)},"last_name":${JSON.stringify(person.lastName ?? null)},"country_code":"GB","zip":"SW1A 1AA"},"line_items":[{"id":${9_000_000_000_000_000n + BigInt(n)},"title":"Mug","quantity":1,"price":"10.00"}]}`;
}
