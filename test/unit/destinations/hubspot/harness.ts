import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ACTIVATE_TOPICS } from "../../../../functions/core/activation/batches.js";
import type { SyncInputOf } from "../../../../functions/core/activation/sync-config.js";
import { parseSyncConfig } from "../../../../functions/core/activation/sync-config.js";
import {
  createHubspotClient,
  type HubspotClient,
} from "../../../../functions/destinations/hubspot/client.js";
import {
  type HubspotSandbox,
  startHubspotSandbox,
} from "../../../../functions/destinations/hubspot/sandbox.js";
import { activateHubspot } from "../../../../functions/handlers/activate-hubspot.js";
import { planActivation } from "../../../../functions/handlers/plan-activation.js";
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
import { createSilentLogger } from "../../../../functions/platform/logger.js";
import type { Clock, Row, TableSpec } from "../../../../functions/platform/ports.js";

/**
 * The HubSpot flow on local adapters: DuckDB with marts.seg_hot_webinar_leads (the columns
 * answers' model has), a folder store, the local bus, activate-hubspot and the HubSpot sandbox.
 * Time is one fake clock shared by the sandbox (search lag, rate windows), the client's pacing
 * and the handler: a sleep advances it, so waits cost nothing.
 */

export const OWNERS = ["501", "502"];

export const LEADS: TableSpec = {
  dataset: "marts",
  table: "seg_hot_webinar_leads",
  columns: [
    { name: "contact_id", type: "STRING", mode: "REQUIRED" },
    { name: "email", type: "STRING" },
    { name: "first_name", type: "STRING" },
    { name: "last_name", type: "STRING" },
    { name: "webinar_uuid", type: "STRING" },
    { name: "webinar_topic", type: "STRING" },
    { name: "lead_score", type: "INT64" },
    { name: "owner_id", type: "STRING" },
    { name: "routed_at", type: "TIMESTAMP" },
    { name: "due_at", type: "TIMESTAMP" },
    { name: "sla_hours", type: "INT64" },
    { name: "consent_email_marketing", type: "BOOL", mode: "REQUIRED" },
    { name: "consent_ad_user_data", type: "BOOL", mode: "REQUIRED" },
    { name: "consent_ad_personalization", type: "BOOL", mode: "REQUIRED" },
  ],
};

export const TASKS_SYNC: SyncInputOf<"hubspot"> = {
  id: "hubspot_webinar_tasks",
  segment: { dataset: "marts", table: "seg_hot_webinar_leads" },
  destination: "hubspot",
  mode: "tasks",
  task: {
    keyColumns: ["contact_id", "webinar_uuid"],
    subject: "Follow up: {webinar_topic}",
    bodyColumns: ["lead_score", "sla_hours"],
  },
};

export interface Lead {
  readonly contact: string;
  readonly email: string;
  readonly webinar?: string;
  readonly owner?: string | null;
}

export interface HubspotHarness {
  readonly sandbox: HubspotSandbox;
  readonly bus: LocalEventBus;
  readonly delivered: CloudEvent<unknown>[];
  readonly warehouse: DuckDbWarehouse;
  /** While true, deliveries are only recorded (acknowledged, not handled): tests deliver them. */
  hold: boolean;
  time(): number;
  setLeads(leads: readonly Lead[]): Promise<void>;
  /** Plans a run and waits until every batch was delivered (redeliveries included). */
  run(): Promise<Awaited<ReturnType<typeof planActivation>>>;
  deliver(event: CloudEvent<unknown>): Promise<unknown>;
  rows<T extends Row>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

export async function startHubspotHarness(
  options: {
    searchLagMs?: number;
    batchSize?: number;
    /** Wraps the client (crash injection). */
    wrap?: (client: HubspotClient) => HubspotClient;
    requestsPer10s?: number;
  } = {},
): Promise<HubspotHarness> {
  const dir = await mkdtemp(join(tmpdir(), "unistack-hubspot-"));
  let t = Date.UTC(2026, 11, 1, 9, 0, 0);
  const clock: Clock = { now: () => new Date(t) };
  const sleep = async (ms: number) => {
    t += Math.max(0, ms);
  };
  const warehouse = await createDuckDbWarehouse({ path: ":memory:" });
  const store = createFsObjectStore({ root: join(dir, "bucket") });
  const bus = createLocalEventBus({ clock, minBackoffMs: 1, maxBackoffMs: 5 });
  const sandbox = await startHubspotSandbox({
    owners: OWNERS,
    searchLagMs: options.searchLagMs ?? 5_000,
    now: () => t,
    ...(options.requestsPer10s ? { requestsPer10s: options.requestsPer10s } : {}),
  });
  const real = createHubspotClient({
    accessToken: sandbox.accessToken,
    baseUrl: sandbox.baseUrl,
    now: () => new Date(t),
    sleep,
    random: () => 0,
    retry: { retries: 5, minTimeoutMs: 10, maxTimeoutMs: 100 },
  });
  const hubspot = options.wrap ? options.wrap(real) : real;
  const sync = parseSyncConfig({ ...TASKS_SYNC, batchSize: options.batchSize ?? 1_000 });
  const logger = createSilentLogger();
  const deps = {
    warehouse,
    store,
    hubspot,
    logger,
    clock,
    syncs: [sync] as const,
    maxDeliveries: 5,
    // The ledger's bound on the index lag is above the sandbox's actual lag, as in production;
    // a create starts within 1 s of its intent (the fake clock only moves when someone sleeps).
    searchLagMs: (options.searchLagMs ?? 5_000) + 1_000,
    intentWindowMs: 1_000,
    sleep,
  } as Parameters<typeof activateHubspot>[0];
  const delivered: CloudEvent<unknown>[] = [];
  const harness = { hold: false };
  bus.subscribe(ACTIVATE_TOPICS.hubspot, async (event) => {
    delivered.push(event);
    if (!harness.hold) await activateHubspot(deps, event);
  });
  await warehouse.ensureTable(LEADS);
  return {
    get hold() {
      return harness.hold;
    },
    set hold(value: boolean) {
      harness.hold = value;
    },
    sandbox,
    bus,
    delivered,
    warehouse,
    time: () => t,
    async setLeads(leads) {
      await warehouse.query("DELETE FROM marts.seg_hot_webinar_leads");
      await warehouse.insertRows(
        LEADS,
        leads.map((l) => ({
          contact_id: l.contact,
          email: l.email,
          first_name: "Ann",
          last_name: "Lee",
          webinar_uuid: l.webinar ?? "wb-1",
          webinar_topic: "Spring launch",
          lead_score: 80,
          owner_id: l.owner === undefined ? "501" : l.owner,
          routed_at: new Date("2026-11-30T18:00:00Z"),
          due_at: new Date("2026-12-01T18:00:00Z"),
          sla_hours: 24,
          consent_email_marketing: false,
          consent_ad_user_data: false,
          consent_ad_personalization: false,
        })),
      );
    },
    async run() {
      const plan = await planActivation({ warehouse, store, bus, clock, logger }, sync);
      await bus.drain();
      return plan;
    },
    deliver: (event) => activateHubspot(deps, event),
    rows: <T extends Row>(sql: string) => warehouse.query<T>(sql),
    async close() {
      await bus.drain();
      await sandbox.close();
      await warehouse.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const leads = (n: number, owner: string | null = "501"): Lead[] =>
  Array.from({ length: n }, (_, i) => ({
    contact: `c${String(i).padStart(4, "0")}`,
    email: `lead${i}@example.com`,
    owner,
  }));
