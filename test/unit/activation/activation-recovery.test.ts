import { afterEach, describe, expect, it } from "vitest";
import { ACTIVATE_META_TOPIC } from "../../../functions/core/activation/batches.js";
import { activateMeta } from "../../../functions/handlers/activate-meta.js";
import { planActivation } from "../../../functions/handlers/plan-activation.js";
import { type CloudEvent, pubsubCloudEvent } from "../../../functions/platform/cloudevents.js";
import { emailKey, type Harness, type Person, SYNC, startHarness } from "./harness.js";

const ANN: Person = { id: "c1", email: "ann@example.com" };
const BOB: Person = { id: "c2", email: "bob@example.com" };
const keys = (...people: Person[]) => people.map((p) => emailKey(p.email ?? "")).sort();

describe("activation: redelivery, permanent failures, logs", () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it("ignores a redelivered activation message: no second request, nothing counted twice", async () => {
    h = await startHarness();
    await h.setSegment([ANN, BOB]);
    await h.run();
    const [event] = h.delivered;
    if (!event) throw new Error("no activation was delivered");
    const requests = h.sandbox.requests.length;

    const again = await activateMeta(h.activateDeps, event);

    expect(again.status).toBe("duplicate");
    expect(h.sandbox.requests.length).toBe(requests);
    expect(
      await h.rows("SELECT COUNT(*) AS n, SUM(accepted) AS accepted FROM ops.sync_batches"),
    ).toEqual([{ n: 1, accepted: 2 }]);
    expect(await h.rows("SELECT COUNT(*) AS n FROM ops.sync_members")).toEqual([{ n: 2 }]);
  });

  it("redelivered after a crash before the batch was recorded, it re-sends but records members once", async () => {
    h = await startHarness();
    await h.setSegment([ANN, BOB]);
    await h.run();
    const [event] = h.delivered;
    if (!event) throw new Error("no activation was delivered");
    // The crash: members were written, the batch row never was.
    await h.warehouse.run("DELETE FROM ops.sync_batches");

    const again = await activateMeta(h.activateDeps, event);

    expect(again).toMatchObject({ status: "succeeded", accepted: 2 });
    expect(h.audience()).toEqual(keys(ANN, BOB));
    expect(await h.rows("SELECT COUNT(*) AS n FROM ops.sync_members")).toEqual([{ n: 2 }]);
    expect(await h.rows("SELECT COUNT(*) AS n FROM ops.sync_batches")).toEqual([{ n: 1 }]);
  });

  it("records a permanently refused batch without retrying it, and the next run sends it again", async () => {
    h = await startHarness();
    h.sandbox.failNext({
      kind: "graph_error",
      code: 100,
      subcode: 1_713_230,
      message: "Invalid parameter",
    });
    await h.setSegment([ANN, BOB]);
    await h.run();

    expect(h.bus.deadLetters).toEqual([]);
    expect(h.sandbox.requests).toHaveLength(1);
    expect(h.audience()).toEqual([]);
    expect(await h.rows("SELECT status, sent, accepted, error_code FROM ops.sync_batches")).toEqual(
      [{ status: "failed", sent: 2, accepted: 0, error_code: "meta_100_1713230" }],
    );
    expect(
      await h.rows(
        "SELECT contact_id, op, stage, reason FROM ops.sync_rejections ORDER BY contact_id",
      ),
    ).toEqual([
      { contact_id: "c1", op: "add", stage: "send", reason: "meta_100_1713230" },
      { contact_id: "c2", op: "add", stage: "send", reason: "meta_100_1713230" },
    ]);
    expect(await h.rows("SELECT COUNT(*) AS n FROM ops.sync_members")).toEqual([{ n: 0 }]);

    const retry = await h.run();

    expect(retry).toMatchObject({ status: "planned", plannedAdds: 2 });
    expect(h.audience()).toEqual(keys(ANN, BOB));
    expect(await h.rows("SELECT COUNT(*) AS n FROM ops.sync_members")).toEqual([{ n: 2 }]);
  });

  it("discards a message that is not an activation pointer without throwing", async () => {
    h = await startHarness();
    const event = pubsubCloudEvent({
      project: "local",
      topic: ACTIVATE_META_TOPIC,
      messageId: "m-1",
      data: { hello: "world" },
      publishTime: new Date(),
    });
    await expect(activateMeta(h.activateDeps, event)).resolves.toMatchObject({
      status: "discarded",
    });
    expect(h.sandbox.requests).toEqual([]);
  });

  it("records a batch whose object is gone as failed, and the next run plans its rows again", async () => {
    h = await startHarness({ subscribe: false });
    const published: CloudEvent<unknown>[] = [];
    h.bus.subscribe(ACTIVATE_META_TOPIC, async (event) => void published.push(event));
    await h.setSegment([ANN]);
    const plan = await planActivation(h.planDeps, SYNC);
    await h.bus.drain();
    await h.planDeps.store.delete(plan.batches[0]?.key ?? "");
    const [event] = published;
    if (!event) throw new Error("nothing was published");

    await expect(activateMeta(h.activateDeps, event)).resolves.toMatchObject({ status: "failed" });

    h.bus.subscribe(ACTIVATE_META_TOPIC, async (e) => void (await activateMeta(h.activateDeps, e)));
    const redo = await planActivation(h.planDeps, SYNC);
    await h.bus.drain();
    expect(redo).toMatchObject({ status: "planned", plannedAdds: 1 });
    expect(await h.rows("SELECT status, error_code FROM ops.sync_batches ORDER BY status")).toEqual(
      [
        { status: "failed", error_code: "batch_object_unusable" },
        { status: "succeeded", error_code: null },
      ],
    );
    expect(h.audience()).toEqual(keys(ANN));
  });

  it("logs each run's counts and never an email or a hash", async () => {
    h = await startHarness();
    await h.setSegment([ANN, BOB, { id: "c3", email: null }]);
    await h.run();
    const lines = h.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((l) => l.message === "activation planned")).toMatchObject({
      severity: "INFO",
      syncId: SYNC.id,
      plannedAdds: 2,
      plannedRemoves: 0,
      eligibleContacts: 2,
      batches: 1,
      skipped: { noConsent: 0, noEmail: 1, invalidEmail: 0 },
    });
    expect(lines.find((l) => l.message === "activation batch sent")).toMatchObject({
      op: "add",
      sent: 2,
      accepted: 2,
      invalid: 0,
      status: "succeeded",
    });
    const text = h.logLines.join("\n");
    for (const secret of [ANN.email, BOB.email, ...keys(ANN, BOB), h.sandbox.accessToken]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe("activation pointers", () => {
  it("does not read an object outside the batch's own key", async () => {
    const h = await startHarness();
    try {
      await h.planDeps.store.put("raw/shopify/orders/secret.json", "{}");
      const event = pubsubCloudEvent({
        project: "local",
        topic: ACTIVATE_META_TOPIC,
        messageId: "m-2",
        data: {
          version: 1,
          syncId: SYNC.id,
          runId: "r1",
          destination: "meta",
          audienceId: SYNC.audienceId,
          op: "add",
          batch: 1,
          batches: 1,
          totalRows: 1,
          rows: 1,
          key: "raw/shopify/orders/secret.json",
        },
        publishTime: new Date(),
      });
      await expect(activateMeta(h.activateDeps, event)).resolves.toMatchObject({
        status: "failed",
      });
      expect(h.sandbox.requests).toEqual([]);
      const [row] = await h.rows<{ error: string }>("SELECT error FROM ops.sync_batches");
      expect(row?.error).toContain("outside its batch's key");
    } finally {
      await h.close();
    }
  });
});
