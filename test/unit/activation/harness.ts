import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ACTIVATE_META_TOPIC } from "../../../functions/core/activation/batches.js";
import type { SyncInputOf } from "../../../functions/core/activation/sync-config.js";
import { createMetaClient } from "../../../functions/destinations/meta/client.js";
import { customAudienceEmailKey } from "../../../functions/destinations/meta/normalize.js";
import {
  type MetaSandbox,
  startMetaSandbox,
} from "../../../functions/destinations/meta/sandbox.js";
import { type ActivateMetaDeps, activateMeta } from "../../../functions/handlers/activate-meta.js";
import {
  type PlanActivationDeps,
  planActivation,
} from "../../../functions/handlers/plan-activation.js";
import type { CloudEvent } from "../../../functions/platform/cloudevents.js";
import {
  createDuckDbWarehouse,
  type DuckDbWarehouse,
} from "../../../functions/platform/local/duckdb-warehouse.js";
import { createFsObjectStore } from "../../../functions/platform/local/fs-object-store.js";
import {
  createLocalEventBus,
  type LocalEventBus,
} from "../../../functions/platform/local/local-event-bus.js";
import { createLogger } from "../../../functions/platform/logger.js";
import type { Clock, Row, TableSpec } from "../../../functions/platform/ports.js";

/** The activation flow wired on local adapters: DuckDB, a folder store, the local bus, the sandbox. */

export const AUDIENCE_ID = "23850000000000042";

export const SEGMENT: TableSpec = {
  dataset: "marts",
  table: "seg_recent_purchasers",
  columns: [
    { name: "contact_id", type: "STRING", mode: "REQUIRED" },
    { name: "email", type: "STRING" },
    { name: "consent_email_marketing", type: "BOOL", mode: "REQUIRED" },
    { name: "consent_ad_user_data", type: "BOOL", mode: "REQUIRED" },
    { name: "consent_ad_personalization", type: "BOOL", mode: "REQUIRED" },
    { name: "last_order_at", type: "TIMESTAMP" },
    { name: "orders_count", type: "INT64" },
    { name: "phone", type: "STRING" },
    { name: "first_name", type: "STRING" },
    { name: "last_name", type: "STRING" },
    { name: "country_code", type: "STRING" },
    { name: "zip", type: "STRING" },
  ],
};

export const SYNC: SyncInputOf<"meta"> = {
  id: "meta_recent_purchasers",
  segment: { dataset: "marts", table: "seg_recent_purchasers" },
  destination: "meta",
  audienceId: AUDIENCE_ID,
  requiredConsent: ["ad_user_data"],
};

export interface Person {
  readonly id: string;
  readonly email: string | null;
  readonly adUserData?: boolean;
  readonly phone?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly country?: string;
  readonly zip?: string;
}

export const emailKey = (email: string) => customAudienceEmailKey(email) ?? "";

export interface Harness {
  readonly warehouse: DuckDbWarehouse;
  readonly bus: LocalEventBus;
  readonly sandbox: MetaSandbox;
  readonly logLines: string[];
  /** Every activation event the bus delivered, for redelivery tests. */
  readonly delivered: CloudEvent<unknown>[];
  readonly planDeps: PlanActivationDeps;
  readonly activateDeps: ActivateMetaDeps;
  setSegment(people: readonly Person[]): Promise<void>;
  /** Subscribes activate-meta to the bus (for a harness started with `subscribe: false`). */
  connect(): void;
  /** Plans a run and waits until every batch was delivered (retries included). */
  run(sync?: SyncInputOf<"meta">): Promise<Awaited<ReturnType<typeof planActivation>>>;
  audience(): string[];
  rows<T extends Row>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

export async function startHarness(options: { subscribe?: boolean } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "unistack-activation-"));
  const warehouse = await createDuckDbWarehouse({ path: ":memory:" });
  const store = createFsObjectStore({ root: join(dir, "bucket") });
  let tick = 0;
  const clock: Clock = { now: () => new Date(Date.UTC(2026, 4, 1, 10, 0, 0) + tick++ * 1000) };
  const bus = createLocalEventBus({ clock, minBackoffMs: 1, maxBackoffMs: 5 });
  const sandbox = await startMetaSandbox({ audiences: [AUDIENCE_ID] });
  const logLines: string[] = [];
  const logger = createLogger({
    level: "info",
    destination: { write: (line: string) => void logLines.push(line) },
  });
  const meta = createMetaClient({
    accessToken: sandbox.accessToken,
    baseUrl: sandbox.baseUrl,
    retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxRetryAfterMs: 5_000 },
    logger,
  });
  const planDeps: PlanActivationDeps = { warehouse, store, bus, clock, logger };
  const activateDeps: ActivateMetaDeps = {
    warehouse,
    store,
    meta,
    logger,
    clock,
    audienceId: AUDIENCE_ID,
    // The bus delivers 5 times: the batch is settled on the last one instead of dead-lettered.
    maxDeliveries: 5,
  };
  const delivered: CloudEvent<unknown>[] = [];
  const connect = () =>
    bus.subscribe(ACTIVATE_META_TOPIC, async (event) => {
      delivered.push(event);
      await activateMeta(activateDeps, event);
    });
  if (options.subscribe !== false) connect();
  await warehouse.ensureTable(SEGMENT);

  return {
    warehouse,
    bus,
    sandbox,
    logLines,
    delivered,
    connect,
    planDeps,
    activateDeps,
    async setSegment(people) {
      await warehouse.run("DELETE FROM marts.seg_recent_purchasers");
      await warehouse.insertRows(
        SEGMENT,
        people.map((p) => ({
          contact_id: p.id,
          email: p.email,
          consent_email_marketing: true,
          consent_ad_user_data: p.adUserData ?? true,
          consent_ad_personalization: true,
          last_order_at: new Date("2026-04-20T12:00:00Z"),
          orders_count: 1,
          phone: p.phone ?? null,
          first_name: p.firstName ?? null,
          last_name: p.lastName ?? null,
          country_code: p.country ?? null,
          zip: p.zip ?? null,
        })),
      );
    },
    async run(sync = SYNC) {
      const plan = await planActivation(planDeps, sync);
      await bus.drain();
      return plan;
    },
    audience: () => sandbox.members(AUDIENCE_ID),
    rows: <T extends Row>(sql: string) => warehouse.query<T>(sql),
    async close() {
      await bus.drain();
      await sandbox.close();
      await warehouse.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
