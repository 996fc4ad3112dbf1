import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ACTIVATE_TOPICS } from "../../../../functions/core/activation/batches.js";
import {
  parseSyncConfig,
  type SyncInputOf,
  type SyncOf,
} from "../../../../functions/core/activation/sync-config.js";
import {
  createGoogleAdsClient,
  dataManagerIngestion,
} from "../../../../functions/destinations/google-ads/client.js";
import {
  type GoogleAdsSandbox,
  startGoogleAdsSandbox,
} from "../../../../functions/destinations/google-ads/sandbox.js";
import { activateGoogleAds } from "../../../../functions/handlers/activate-google-ads.js";
import {
  type PlanActivationDeps,
  planActivation,
} from "../../../../functions/handlers/plan-activation.js";
import type { CloudEvent } from "../../../../functions/platform/cloudevents.js";
import {
  createDuckDbWarehouse,
  type DuckDbWarehouse,
} from "../../../../functions/platform/local/duckdb-warehouse.js";
import { createFsObjectStore } from "../../../../functions/platform/local/fs-object-store.js";
import {
  createLocalEventBus,
  type LocalEventBus,
} from "../../../../functions/platform/local/local-event-bus.js";
import { createLogger } from "../../../../functions/platform/logger.js";
import type { Clock, Row } from "../../../../functions/platform/ports.js";
import { SEGMENT } from "../../activation/harness.js";

/** Activation to Google Ads on local adapters: DuckDB, a folder store, the bus, the sandbox. */

export const LIST = "1234567890/9876543";
export const GOOGLE_SYNC: SyncInputOf<"google_ads"> = {
  id: "google_recent_purchasers",
  segment: { dataset: "marts", table: "seg_recent_purchasers" },
  destination: "google_ads",
  customerId: "1234567890",
  audienceId: "9876543",
  identifiers: ["email", "phone"],
  defaultRegion: "GB",
  requiredConsent: ["ad_user_data"],
};

export interface Buyer {
  readonly id: string;
  readonly email: string | null;
  readonly phone?: string;
  readonly adUserData?: boolean;
  readonly adPersonalization?: boolean;
}

export interface GoogleHarness {
  readonly warehouse: DuckDbWarehouse;
  readonly bus: LocalEventBus;
  readonly sandbox: GoogleAdsSandbox;
  readonly delivered: CloudEvent<unknown>[];
  readonly logLines: string[];
  readonly planDeps: PlanActivationDeps;
  readonly sleeps: number[];
  /** Delivers one activation message to activate-google-ads directly (a redelivery). */
  activate(event: CloudEvent<unknown>): ReturnType<typeof activateGoogleAds>;
  setSegment(people: readonly Buyer[]): Promise<void>;
  run(): Promise<Awaited<ReturnType<typeof planActivation>>>;
  rows<T extends Row>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

export async function startGoogleHarness(): Promise<GoogleHarness> {
  const dir = await mkdtemp(join(tmpdir(), "unistack-google-"));
  const warehouse = await createDuckDbWarehouse({ path: ":memory:" });
  const store = createFsObjectStore({ root: join(dir, "bucket") });
  let tick = 0;
  const clock: Clock = { now: () => new Date(Date.UTC(2026, 4, 1, 10, 0, 0) + tick++ * 1000) };
  const bus = createLocalEventBus({ clock, minBackoffMs: 1, maxBackoffMs: 5 });
  const sandbox = await startGoogleAdsSandbox({ userLists: [LIST] });
  const logLines: string[] = [];
  const logger = createLogger({
    level: "info",
    destination: { write: (line: string) => void logLines.push(line) },
  });
  const sleeps: number[] = [];
  const ingestion = dataManagerIngestion({
    baseUrl: sandbox.baseUrl,
    accessToken: sandbox.accessToken,
  });
  const google = createGoogleAdsClient({
    ingestion,
    retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxRetryAfterMs: 60_000 },
    sleep: async (ms) => void sleeps.push(ms),
    logger,
  });
  const sync = parseSyncConfig(GOOGLE_SYNC) as SyncOf<"google_ads">;
  const planDeps: PlanActivationDeps = { warehouse, store, bus, clock, logger };
  const delivered: CloudEvent<unknown>[] = [];
  const activate = (event: CloudEvent<unknown>) =>
    activateGoogleAds(
      { warehouse, store, google, logger, clock, syncs: [sync], maxDeliveries: 5 },
      event,
    );
  bus.subscribe(ACTIVATE_TOPICS.google_ads, async (event) => {
    delivered.push(event);
    await activate(event);
  });
  await warehouse.ensureTable(SEGMENT);
  return {
    warehouse,
    bus,
    sandbox,
    delivered,
    logLines,
    planDeps,
    sleeps,
    activate,
    async setSegment(people) {
      await warehouse.run("DELETE FROM marts.seg_recent_purchasers");
      await warehouse.insertRows(
        SEGMENT,
        people.map((p) => ({
          contact_id: p.id,
          email: p.email,
          consent_email_marketing: true,
          consent_ad_user_data: p.adUserData ?? true,
          consent_ad_personalization: p.adPersonalization ?? true,
          last_order_at: new Date("2026-04-20T12:00:00Z"),
          orders_count: 1,
          phone: p.phone ?? null,
          first_name: null,
          last_name: null,
          country_code: null,
          zip: null,
        })),
      );
    },
    async run() {
      const plan = await planActivation(planDeps, GOOGLE_SYNC);
      await bus.drain();
      return plan;
    },
    rows: <T extends Row>(sql: string) => warehouse.query<T>(sql),
    async close() {
      await bus.drain();
      await ingestion.close();
      await sandbox.close();
      await warehouse.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
