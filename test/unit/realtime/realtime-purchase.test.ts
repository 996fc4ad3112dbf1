import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PURCHASES_TOPIC } from "../../../functions/core/realtime/purchase-message.js";
import { customAudienceEmailKey } from "../../../functions/destinations/meta/normalize.js";
import type { DestinationSender } from "../../../functions/destinations/sender.js";
import { configuredSyncs } from "../../../functions/handlers/configured-syncs.js";
import { handleRealtimePurchase } from "../../../functions/handlers/realtime-purchase.js";
import type { CloudEvent } from "../../../functions/platform/cloudevents.js";
import { pubsubCloudEvent } from "../../../functions/platform/cloudevents.js";
import {
  GOOGLE_LIST,
  META_AUDIENCE,
  orderBody,
  RETARGETING_SYNCS,
  type RealtimeStack,
  startRealtimeStack,
} from "../../support/realtime-stack.js";

const ALICE = { id: "c-alice", email: "alice@example.com" };
const BOB = { id: "c-bob", email: "bob@example.com" };
const aliceKey = customAudienceEmailKey(ALICE.email) ?? "";
const bobKey = customAudienceEmailKey(BOB.email) ?? "";
const LIST = `${GOOGLE_LIST.customerId}/${GOOGLE_LIST.audienceId}`;

const envelope = { project: "local", messageId: "m-1", publishTime: new Date() };

let stack: RealtimeStack;
let purchases: CloudEvent<unknown>[];

async function start(options: { subscribe?: boolean } = {}): Promise<void> {
  stack = await startRealtimeStack(options);
  purchases = [];
  stack.bus.subscribe(PURCHASES_TOPIC, async (event) => void purchases.push(event));
  await stack.setSegment([ALICE, BOB]);
  await stack.plan();
}

beforeEach(async (context) => {
  await start({ subscribe: !context.task.name.includes("process dies") });
});
afterEach(async () => {
  await stack.close();
});

const metaMembers = () => stack.meta.members(META_AUDIENCE);
const googleEmails = () => stack.google.members(LIST).map((m) => m.email ?? m.emailAddress);
const removeCalls = () => ({
  meta: stack.meta.requests.filter((r) => r.op === "remove" && r.status === 200).length,
  google: stack.google.requests.filter((r) => r.op === "remove" && r.httpStatus === 200).length,
});
const ledger = () =>
  stack.warehouse.query(
    "SELECT sync_id, identifier_hash, source_record_id, removed_at IS NOT NULL AS done FROM ops.sync_suppressions ORDER BY sync_id, done",
  );

describe("realtime purchase path", () => {
  it("takes a purchaser out of every retargeting audience, and the next batch plan from the older segment does not add them back", async () => {
    expect(metaMembers()).toEqual([aliceKey, bobKey].sort());
    expect(googleEmails()).toHaveLength(2);

    expect(await stack.postOrder(orderBody(1, ALICE))).toBe(200);
    await stack.bus.drain();

    expect(metaMembers()).toEqual([bobKey]);
    expect(googleEmails()).toEqual([bobKey]);
    const held = await stack.warehouse.query(
      "SELECT DISTINCT sync_id, contact_id FROM ops.sync_members ORDER BY sync_id",
    );
    expect(held).toEqual([
      { sync_id: "google_retargeting", contact_id: BOB.id },
      { sync_id: "meta_retargeting", contact_id: BOB.id },
    ]);
    const orderKey = "shopify:order:5000000000000001";
    expect((await ledger()).filter((r) => r.done)).toEqual([
      {
        sync_id: "google_retargeting",
        identifier_hash: aliceKey,
        source_record_id: orderKey,
        done: true,
      },
      {
        sync_id: "meta_retargeting",
        identifier_hash: aliceKey,
        source_record_id: orderKey,
        done: true,
      },
    ]);

    // The model has not run since: the segment still lists Alice. No add-back, no remove.
    const stale = await stack.plan();
    expect(stale.map((p) => [p.plannedAdds, p.plannedRemoves, p.skipped.suppressed])).toEqual([
      [0, 0, 1],
      [0, 0, 1],
    ]);
    expect(metaMembers()).toEqual([bobKey]);

    // The model caught up: Alice left the segment. The plan agrees: nothing to send.
    await stack.setSegment([BOB]);
    const fresh = await stack.plan();
    expect(fresh.map((p) => [p.plannedAdds, p.plannedRemoves])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(metaMembers()).toEqual([bobKey]);
    expect(googleEmails()).toEqual([bobKey]);
  });

  it("a delivery redelivered three times and a Shopify retry of the webhook remove once per destination", async () => {
    const body = orderBody(2, ALICE);
    expect(await stack.postOrder(body)).toBe(200);
    await stack.bus.drain();
    expect(removeCalls()).toEqual({ meta: 1, google: 1 });
    const [event] = purchases;
    if (!event) throw new Error("no purchase message was published");
    for (let i = 0; i < 3; i++) {
      const outcome = await handleRealtimePurchase(stack.deps, event);
      expect(outcome.results.map((r) => r.outcome)).toEqual(["duplicate", "duplicate"]);
    }
    // Shopify retries the webhook: the raw object exists, the message is published again.
    expect(await stack.postOrder(body)).toBe(200);
    // orders/paid of the same order is the same (order, sync) pair.
    expect(await stack.postOrder(body, "orders/paid")).toBe(200);
    await stack.bus.drain();
    expect(purchases).toHaveLength(3);
    expect(removeCalls()).toEqual({ meta: 1, google: 1 });
    expect((await ledger()).filter((r) => r.done)).toHaveLength(2);
    expect(metaMembers()).toEqual([bobKey]);
  });

  it("converges when the process dies between the remove and the ledger write", async () => {
    const realMeta = stack.deps.senders.meta as DestinationSender;
    const dying: DestinationSender = {
      destination: "meta",
      async send(batch) {
        await realMeta.send(batch);
        throw new Error("process killed after the remove was sent");
      },
    };
    const crashing = { ...stack.deps, senders: { ...stack.deps.senders, meta: dying } };
    // No realtime function is subscribed here: the test delivers the message itself.
    expect(await stack.postOrder(orderBody(3, ALICE))).toBe(200);
    await stack.bus.drain();
    const [event] = purchases;
    if (!event) throw new Error("no purchase message was published");
    await expect(handleRealtimePurchase(crashing, event)).rejects.toThrow("process killed");
    expect(metaMembers()).toEqual([bobKey]);
    expect((await ledger()).map((r) => [r.sync_id, r.done])).toEqual([["meta_retargeting", false]]);

    // A batch plan in between keeps Alice out (she is suppressed), whatever the stale segment says.
    const between = await stack.plan();
    expect(between.every((p) => p.plannedAdds === 0)).toBe(true);
    expect(metaMembers()).toEqual([bobKey]);

    // Pub/Sub redelivers: the remove is sent again (a no-op for the audience) and recorded once.
    const again = await handleRealtimePurchase(stack.deps, event);
    expect(again.results.map((r) => [r.syncId, r.outcome])).toEqual([
      ["meta_retargeting", "removed"],
      ["google_retargeting", "removed"],
    ]);
    expect(metaMembers()).toEqual([bobKey]);
    expect(googleEmails()).toEqual([bobKey]);
    expect((await ledger()).filter((r) => r.done).map((r) => r.sync_id)).toEqual([
      "google_retargeting",
      "meta_retargeting",
    ]);
  });

  it("publishes nothing for other order topics and acknowledges a pointer to a record that is gone", async () => {
    expect(await stack.postOrder(orderBody(4, ALICE), "orders/updated")).toBe(200);
    await stack.bus.drain();
    expect(purchases).toHaveLength(0);
    expect(metaMembers()).toEqual([aliceKey, bobKey].sort());

    const gone = pubsubCloudEvent({
      ...envelope,
      topic: PURCHASES_TOPIC,
      data: {
        version: 1,
        source: "shopify",
        topic: "orders/create",
        key: "raw/shopify/orders/dt=2026-05-01/erased.ndjson",
        recordIds: ["5000000000000004:2026-05-01T10:00:00.000Z"],
        receivedAt: "2026-05-01T10:00:00.000Z",
      },
    });
    expect((await handleRealtimePurchase(stack.deps, gone)).status).toBe("not_found");
    const junk = pubsubCloudEvent({
      ...envelope,
      topic: PURCHASES_TOPIC,
      data: { email: ALICE.email },
    });
    expect((await handleRealtimePurchase(stack.deps, junk)).status).toBe("discarded");
    expect(removeCalls()).toEqual({ meta: 0, google: 0 });
  });
});

describe("realtime rules in the sync configuration", () => {
  const env = (syncs: unknown) => ({ UNISTACK_SYNCS: JSON.stringify({ syncs }) });

  it("accepts a purchase remove on ad audiences", () => {
    expect(configuredSyncs(env(RETARGETING_SYNCS)).map((s) => s.realtime)).toEqual([
      { onPurchase: "remove" },
      { onPurchase: "remove" },
    ]);
  });

  it("refuses a CRM upsert rule (not run yet) and a remove rule on an email list", () => {
    const upsert = { ...RETARGETING_SYNCS[0], realtime: { onPurchase: "upsert" } };
    expect(() => configuredSyncs(env([upsert]))).toThrow(
      'sync meta_retargeting has the realtime rule "upsert"',
    );
    const sendgrid = {
      id: "sendgrid_list",
      segment: { dataset: "marts", table: "seg_onboarding" },
      destination: "sendgrid",
      listId: "0b7a4e0e-6c53-4b2e-a5a5-2d1f0b1e9f10",
      requiredConsent: ["email_marketing"],
      realtime: { onPurchase: "remove" },
    };
    expect(() => configuredSyncs(env([sendgrid]))).toThrow("which only ad audiences take");
  });
});
