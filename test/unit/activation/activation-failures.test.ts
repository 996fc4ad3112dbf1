import { afterEach, describe, expect, it } from "vitest";
import { ACTIVATE_META_TOPIC } from "../../../functions/core/activation/batches.js";
import { createMetaClient } from "../../../functions/destinations/meta/client.js";
import { activateMeta } from "../../../functions/handlers/activate-meta.js";
import { settleDeadLetteredActivation } from "../../../functions/handlers/activation-dead-letters.js";
import { planActivation } from "../../../functions/handlers/plan-activation.js";
import { type Harness, type Person, SYNC, startHarness } from "./harness.js";

/** A run that cannot finish ends with a final, explained status in ops, never "planned". */

const ANN: Person = { id: "c1", email: "ann@example.com" };
const BOB: Person = { id: "c2", email: "bob@example.com" };

type Outcome = {
  status: string;
  reason: string | null;
  batches_failed: number;
  error_codes: string | null;
};

describe("activation failures are final and explained", () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  const outcome = async () => {
    const rows = await h.rows<Outcome>(
      "SELECT status, reason, batches_failed, error_codes FROM ops.sync_run_outcomes",
    );
    expect(rows).toHaveLength(1);
    return rows[0] as Outcome;
  };
  const runStatuses = async () =>
    (await h.rows<{ status: string }>("SELECT status FROM ops.sync_runs ORDER BY recorded_at")).map(
      (r) => r.status,
    );

  it("closes the run as failed, naming the token, when Meta refuses it", async () => {
    h = await startHarness({ subscribe: false });
    const badToken = createMetaClient({ accessToken: "revoked", baseUrl: h.sandbox.baseUrl });
    h.bus.subscribe(ACTIVATE_META_TOPIC, async (event) => {
      await activateMeta({ ...h.activateDeps, meta: badToken }, event);
    });
    await h.setSegment([ANN, BOB]);
    await h.run();

    expect(await outcome()).toMatchObject({
      status: "failed",
      batches_failed: 1,
      error_codes: "meta_190",
    });
    expect((await outcome()).reason).toMatch(
      /Check META_ACCESS_TOKEN: it is missing, expired or revoked/,
    );
    expect(await runStatuses()).toEqual(["planned", "failed"]);
    expect(h.bus.deadLetters).toEqual([]);
  });

  it("gives up on an endless 429 after the delivery budget: failed, not dead-lettered, not planned", async () => {
    h = await startHarness();
    h.sandbox.failAlways({ kind: "rate_limit", code: 17, status: 429 });
    await h.setSegment([ANN, BOB]);
    await h.run();

    const result = await outcome();
    expect(result).toMatchObject({ status: "failed", error_codes: "meta_17" });
    expect(result.reason).toMatch(
      /did not take the batch in 5 deliveries, each retried by the client \(last answer: HTTP 429, Graph code 17\)/,
    );
    expect(h.bus.deadLetters).toEqual([]);
    // 5 deliveries × (1 attempt + 3 client retries), then nothing more
    expect(h.sandbox.requests).toHaveLength(20);
    expect(await runStatuses()).toEqual(["planned", "failed"]);
    const batches = await h.rows<{ status: string }>(
      "SELECT status FROM ops.sync_batches ORDER BY recorded_at",
    );
    expect(batches.map((b) => b.status)).toEqual([
      "retrying",
      "retrying",
      "retrying",
      "retrying",
      "failed",
    ]);
  });

  it("a failed run's rows are sent by the next run once the destination is back", async () => {
    h = await startHarness();
    h.sandbox.failNext({ kind: "server_error", status: 503 }, 20);
    await h.setSegment([ANN, BOB]);
    await h.run();
    expect((await outcome()).status).toBe("failed");

    const next = await h.run();

    expect(next).toMatchObject({ status: "planned", plannedAdds: 2, resumed: [] });
    expect(h.audience()).toHaveLength(2);
  });

  it("records a dead-lettered delivery as a failed batch and closes the run", async () => {
    h = await startHarness({ subscribe: false });
    h.bus.subscribe(ACTIVATE_META_TOPIC, async () => {
      throw new Error("warehouse unreachable");
    });
    await h.setSegment([ANN]);
    await planActivation(h.planDeps, SYNC);
    await h.bus.drain();
    const [letter] = h.bus.deadLetters;
    if (!letter) throw new Error("nothing was dead-lettered");

    expect(await settleDeadLetteredActivation(h.activateDeps, letter.event, letter.error)).toBe(
      true,
    );

    expect(await outcome()).toMatchObject({ status: "failed", error_codes: "dead_lettered" });
    expect(await runStatuses()).toEqual(["planned", "failed"]);
  });

  it("refuses a message that names another audience than the configured one, sending nothing", async () => {
    h = await startHarness();
    await h.setSegment([ANN]);
    await h.run({ ...SYNC, audienceId: "23850000000000999" });

    expect(h.sandbox.requests).toEqual([]);
    expect(await outcome()).toMatchObject({ status: "failed", error_codes: "audience_mismatch" });
  });

  it("closes a run whose batch objects are gone as failed, and plans its rows again", async () => {
    h = await startHarness();
    await h.setSegment([ANN, BOB]);
    const lost = await planActivation(
      { ...h.planDeps, bus: { publish: async () => "lost" } },
      SYNC,
    );
    for (const b of lost.batches) await h.planDeps.store.delete(b.key);

    const next = await h.run();

    expect(next).toMatchObject({ status: "planned", plannedAdds: 2, resumed: [] });
    expect(h.audience()).toHaveLength(2);
    const [closed] = await h.rows<Outcome>(
      `SELECT status, reason, batches_failed, error_codes FROM ops.sync_run_outcomes WHERE run_id = '${lost.runId}'`,
    );
    expect(closed).toMatchObject({ status: "failed", error_codes: "batch_object_missing" });
    expect(closed?.reason).toMatch(/1 of 1 batch objects of this run are gone from the store/);
  });
});
