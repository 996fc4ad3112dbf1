import { afterEach, describe, expect, it } from "vitest";
import { uploadSessionId } from "../../../functions/core/activation/batches.js";
import { createMetaClient } from "../../../functions/destinations/meta/client.js";
import { activateMeta } from "../../../functions/handlers/activate-meta.js";
import { planActivation } from "../../../functions/handlers/plan-activation.js";
import type { EventBus } from "../../../functions/platform/ports.js";
import { emailKey, type Harness, type Person, SYNC, startHarness } from "./harness.js";

/**
 * Activation recovers unfinished runs from durable state (ops rows and batch objects), not from a
 * timer: a kill -9 loses the in-process bus's messages, and the next plan must finish the work.
 */

const ANN: Person = { id: "c1", email: "ann@example.com" };
const BOB: Person = { id: "c2", email: "bob@example.com" };
const CY: Person = { id: "c3", email: "cy@example.com" };
const keys = (...people: Person[]) => people.map((p) => emailKey(p.email ?? "")).sort();

type RunRow = {
  run_id: string;
  status: string;
};

describe("activation recovers unfinished runs from durable state", () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  const latestStatus = async (runId: string) => {
    const rows = await h.rows<RunRow>(
      `SELECT run_id, status FROM ops.sync_runs WHERE run_id = '${runId}' ORDER BY recorded_at`,
    );
    return rows.map((r) => r.status);
  };

  it("resends the batches of a run whose messages were lost, under the same upload session, and closes it", async () => {
    h = await startHarness({ subscribe: false });
    await h.setSegment([ANN, BOB]);
    // The process dies with the run planned and its message only in memory.
    const lost = await planActivation(h.planDeps, SYNC);
    expect(h.sandbox.requests).toEqual([]);
    h.connect();

    const next = await h.run();

    expect(next).toMatchObject({ status: "no_changes", plannedAdds: 0, takenOver: 0 });
    expect(next.resumed.map((b) => [b.runId, b.op, b.batch])).toEqual([[lost.runId, "add", 1]]);
    expect(h.audience()).toEqual(keys(ANN, BOB));
    expect(h.sandbox.requests.map((r) => r.session?.session_id)).toEqual([
      uploadSessionId(lost.runId, "add"),
    ]);
    expect(await latestStatus(lost.runId)).toEqual(["planned", "succeeded"]);
    expect(await h.rows(`SELECT status, accepted_adds, reason FROM ops.sync_run_outcomes`)).toEqual(
      [{ status: "succeeded", accepted_adds: 2, reason: null }],
    );
  });

  it("plans new changes at once while an unfinished run is resumed (no in-flight timer)", async () => {
    h = await startHarness({ subscribe: false });
    await h.setSegment([ANN]);
    await planActivation(h.planDeps, SYNC);
    h.connect();
    await h.setSegment([ANN, BOB]);

    const next = await h.run();

    expect(next).toMatchObject({ status: "planned", plannedAdds: 1 });
    expect(h.audience()).toEqual(keys(ANN, BOB));
    const open = await h.rows<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ops.sync_runs r WHERE status = 'planned' AND NOT EXISTS (SELECT 1 FROM ops.sync_runs f WHERE f.run_id = r.run_id AND f.status <> 'planned')`,
    );
    expect(open).toEqual([{ n: 0 }]);
  });

  it("sends a consent withdrawal at once although the add planned before it never settled", async () => {
    h = await startHarness({ subscribe: false });
    await h.setSegment([ANN, BOB]);
    const stuck = await planActivation(h.planDeps, SYNC);
    // Worst case: Meta applied the add, then the process died before ops recorded anything.
    const [pointer] = stuck.batches;
    if (!pointer) throw new Error("nothing planned");
    await createMetaClient({
      accessToken: h.sandbox.accessToken,
      baseUrl: h.sandbox.baseUrl,
    }).send("add", SYNC.audienceId, keys(ANN, BOB));
    expect(h.audience()).toEqual(keys(ANN, BOB));
    h.connect();
    await h.setSegment([{ ...ANN, adUserData: false }, BOB]);

    const next = await h.run();

    expect(next).toMatchObject({ plannedAdds: 1, plannedRemoves: 1, takenOver: 1, resumed: [] });
    expect(h.audience()).toEqual(keys(BOB));
    expect(await h.rows("SELECT contact_id FROM ops.sync_members ORDER BY contact_id")).toEqual([
      { contact_id: "c2" },
    ]);
    expect(await latestStatus(stuck.runId)).toEqual(["planned", "succeeded"]);
    const [outcome] = await h.rows<{ batches_superseded: number; reason: string }>(
      `SELECT batches_superseded, reason FROM ops.sync_run_outcomes WHERE run_id = '${stuck.runId}'`,
    );
    expect(outcome?.batches_superseded).toBe(1);
    expect(outcome?.reason).toMatch(/taken over by a later run/);
  });

  it("puts back a member whose removal never settled when the member qualifies again", async () => {
    h = await startHarness();
    await h.setSegment([ANN, BOB]);
    await h.run();
    const bus = h.planDeps.bus;
    const dropped: EventBus = { publish: async () => "lost" };
    await h.setSegment([BOB]);
    await planActivation({ ...h.planDeps, bus: dropped }, SYNC);
    // Meta got the remove, ops did not hear of it.
    await createMetaClient({ accessToken: h.sandbox.accessToken, baseUrl: h.sandbox.baseUrl }).send(
      "remove",
      SYNC.audienceId,
      keys(ANN),
    );
    await h.setSegment([ANN, BOB]);

    const next = await planActivation({ ...h.planDeps, bus }, SYNC);
    await h.bus.drain();

    expect(next).toMatchObject({ plannedAdds: 1, plannedRemoves: 0, takenOver: 1 });
    expect(h.audience()).toEqual(keys(ANN, BOB));
  });

  it("resumes a plan that died after recording the run and before publishing (a bus failure says so)", async () => {
    h = await startHarness();
    await h.setSegment([ANN, BOB, CY]);
    const failing: EventBus = {
      publish: async () => {
        throw new Error("Pub/Sub unavailable");
      },
    };
    await expect(
      planActivation({ ...h.planDeps, bus: failing }, { ...SYNC, batchSize: 2 }),
    ).rejects.toThrow(/published 0 of 2 batches before the bus failed .*the run stays open/);
    expect(h.sandbox.requests).toEqual([]);

    const next = await h.run({ ...SYNC, batchSize: 2 });

    expect(next.resumed).toHaveLength(2);
    expect(h.audience()).toEqual(keys(ANN, BOB, CY));
    expect(h.sandbox.requests.map((r) => r.status)).toEqual([200, 200]);
  });

  it("records members once when Meta took a batch but the process died before ops did", async () => {
    h = await startHarness({ subscribe: false });
    await h.setSegment([ANN, BOB]);
    // Deliver to a function whose process dies right after Meta answered.
    const sendThenDie = {
      ...h.activateDeps,
      meta: {
        send: async (...args: Parameters<typeof h.activateDeps.meta.send>) => {
          await h.activateDeps.meta.send(...args);
          throw new Error("SIGKILL");
        },
      },
    };
    let dying = true;
    h.bus.subscribe("activate-meta", async (event) => {
      if (!dying) return void (await activateMeta(h.activateDeps, event));
      await activateMeta(sendThenDie, event).catch(() => undefined);
    });
    const crashed = await planActivation(h.planDeps, SYNC);
    await h.bus.drain();
    expect(h.audience()).toEqual(keys(ANN, BOB));
    expect(await h.rows("SELECT COUNT(*) AS n FROM ops.sync_batches")).toEqual([{ n: 0 }]);
    dying = false;

    const next = await planActivation(h.planDeps, SYNC);
    await h.bus.drain();

    expect(next.resumed.map((b) => b.runId)).toEqual([crashed.runId]);
    expect(h.audience()).toEqual(keys(ANN, BOB));
    const sessions = h.sandbox.requests.map((r) => [r.session?.session_id, r.session?.batch_seq]);
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    expect(new Set(sessions.map((s) => JSON.stringify(s))).size).toBe(1);
    expect(await h.rows("SELECT COUNT(*) AS n FROM ops.sync_members")).toEqual([{ n: 2 }]);
    expect(await latestStatus(crashed.runId)).toEqual(["planned", "succeeded"]);
  });
});
