import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ACTIVATE_TOPICS } from "../../../../functions/core/activation/batches.js";
import {
  parseSyncConfig,
  type SyncInputOf,
  type SyncOf,
} from "../../../../functions/core/activation/sync-config.js";
import { createSendgridClient } from "../../../../functions/destinations/sendgrid/client.js";
import {
  type SendgridSandbox,
  startSendgridSandbox,
} from "../../../../functions/destinations/sendgrid/sandbox.js";
import { activateSendgrid } from "../../../../functions/handlers/activate-sendgrid.js";
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
import { createLogger } from "../../../../functions/platform/logger.js";
import type { Clock, Row, TableSpec } from "../../../../functions/platform/ports.js";

const LIST = "0b7a4e0e-6c53-4b2e-a5a5-2d1f0b1e9f10";
const ONBOARDING: TableSpec = {
  dataset: "marts",
  table: "seg_onboarding",
  columns: [
    { name: "contact_id", type: "STRING", mode: "REQUIRED" },
    { name: "email", type: "STRING" },
    { name: "first_name", type: "STRING" },
    { name: "recommended_product_1_title", type: "STRING" },
    { name: "consent_email_marketing", type: "BOOL", mode: "REQUIRED" },
    { name: "consent_ad_user_data", type: "BOOL", mode: "REQUIRED" },
    { name: "consent_ad_personalization", type: "BOOL", mode: "REQUIRED" },
  ],
};
const SYNC: SyncInputOf<"sendgrid"> = {
  id: "sendgrid_onboarding",
  segment: { dataset: "marts", table: "seg_onboarding" },
  destination: "sendgrid",
  listId: LIST,
  suppressionGroupId: 42,
  requiredConsent: ["email_marketing"],
  fields: { first_name: "first_name" },
  customFields: { e1_T: "recommended_product_1_title" },
};
type Buyer = { id: string; email: string; name?: string; product?: string; consent?: boolean };

describe("activation to SendGrid Marketing (onboarding list), end to end on the sandbox", () => {
  let dir: string;
  let warehouse: DuckDbWarehouse;
  let bus: LocalEventBus;
  let sandbox: SendgridSandbox;
  let sleeps: number[];
  let delivered: CloudEvent<unknown>[];
  let activate: (event: CloudEvent<unknown>) => ReturnType<typeof activateSendgrid>;
  let run: () => ReturnType<typeof planActivation>;
  const setSegment = async (people: Buyer[]) => {
    await warehouse.run("DELETE FROM marts.seg_onboarding");
    await warehouse.insertRows(
      ONBOARDING,
      people.map((p) => ({
        contact_id: p.id,
        email: p.email,
        first_name: p.name ?? null,
        recommended_product_1_title: p.product ?? null,
        consent_email_marketing: p.consent ?? true,
        consent_ad_user_data: false,
        consent_ad_personalization: false,
      })),
    );
  };
  const rows = <T extends Row>(sql: string) => warehouse.query<T>(sql);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "unistack-sendgrid-"));
    warehouse = await createDuckDbWarehouse({ path: ":memory:" });
    const store = createFsObjectStore({ root: join(dir, "bucket") });
    let tick = 0;
    const clock: Clock = { now: () => new Date(Date.UTC(2026, 4, 1, 10, 0, 0) + tick++ * 1000) };
    bus = createLocalEventBus({ clock, minBackoffMs: 1, maxBackoffMs: 5 });
    sandbox = await startSendgridSandbox({
      lists: [LIST],
      customFields: ["e1_T"],
      globalUnsubscribes: ["gone@example.com"],
      groups: { 42: ["optout@example.com"] },
      now: () => new Date(Date.UTC(2026, 4, 1, 10, 0, 0)),
    });
    sleeps = [];
    const logger = createLogger({ level: "silent" });
    const sendgrid = createSendgridClient({
      apiKey: sandbox.apiKey,
      baseUrl: sandbox.baseUrl,
      sleep: async (ms) => void sleeps.push(ms),
      pollIntervalMs: 10,
      now: () => new Date(Date.UTC(2026, 4, 1, 10, 0, 0)),
    });
    const sync = parseSyncConfig(SYNC) as SyncOf<"sendgrid">;
    delivered = [];
    activate = (event) =>
      activateSendgrid({ warehouse, store, sendgrid, logger, clock, syncs: [sync] }, event);
    bus.subscribe(ACTIVATE_TOPICS.sendgrid, async (event) => {
      delivered.push(event);
      await activate(event);
    });
    await warehouse.ensureTable(ONBOARDING);
    run = async () => {
      const plan = await planActivation({ warehouse, store, bus, clock, logger }, SYNC);
      await bus.drain();
      return plan;
    };
  });
  afterEach(async () => {
    await bus.drain();
    await sandbox.close();
    await warehouse.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("upserts consented buyers with their first name and recommended product, polls the import job, keeps SendGrid's ids", async () => {
    await setSegment([
      { id: "c1", email: "Ann@Example.com", name: "Ann", product: "Trail shoes" },
      { id: "c2", email: "bob@example.com", consent: false },
    ]);
    const plan = await run();
    expect(plan).toMatchObject({ plannedAdds: 1, destination: "sendgrid" });
    expect(sandbox.list(LIST)).toEqual([
      { email: "ann@example.com", first_name: "Ann", custom_fields: { e1_T: "Trail shoes" } },
    ]);
    expect(sandbox.calls.filter((c) => c.path.includes("/imports/")).map((c) => c.status)).toEqual([
      200, 200,
    ]);
    const [member] = await rows<{ destination_id: string | null }>(
      "SELECT destination_id FROM ops.sync_members",
    );
    expect(member?.destination_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("does not write contacts suppressed in the unsubscribe group or globally, and records why", async () => {
    await setSegment([
      { id: "c1", email: "ann@example.com" },
      { id: "c2", email: "optout@example.com" },
      { id: "c3", email: "gone@example.com" },
    ]);
    await run();
    expect(sandbox.list(LIST).map((c) => c.email)).toEqual(["ann@example.com"]);
    expect(
      await rows("SELECT contact_id, reason FROM ops.sync_rejections ORDER BY contact_id"),
    ).toEqual([
      { contact_id: "c2", reason: "suppressed" },
      { contact_id: "c3", reason: "suppressed" },
    ]);
  });

  it("takes a leaver off the list by id and upserts a buyer whose recommendation changed", async () => {
    await setSegment([
      { id: "c1", email: "ann@example.com", product: "Trail shoes" },
      { id: "c2", email: "bob@example.com", product: "Socks" },
    ]);
    await run();
    await setSegment([{ id: "c1", email: "ann@example.com", product: "Rain jacket" }]);
    const plan = await run();
    expect(plan).toMatchObject({ plannedAdds: 0, plannedUpdates: 1, plannedRemoves: 1 });
    expect(sandbox.list(LIST)).toEqual([
      { email: "ann@example.com", custom_fields: { e1_T: "Rain jacket" } },
    ]);
  });

  it("waits out a 429 until X-RateLimit-Reset exactly, lands once, and ignores three redeliveries", async () => {
    await setSegment([{ id: "c1", email: "ann@example.com" }]);
    sandbox.failNext({ kind: "rate_limit", resetInSeconds: 3 });
    await run();
    expect(sleeps[0]).toBe(3_000);
    const [event] = delivered;
    if (!event) throw new Error("no delivery");
    const calls = sandbox.calls.length;
    for (let i = 0; i < 3; i++) expect((await activate(event)).status).toBe("duplicate");
    expect(sandbox.calls.length).toBe(calls);
    expect(sandbox.list(LIST)).toHaveLength(1);
  });
});
