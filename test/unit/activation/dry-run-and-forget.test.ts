import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  planActivation,
  removeFromEveryDestination,
} from "../../../functions/handlers/plan-activation.js";
import { emailKey, type Harness, type Person, SYNC, startHarness } from "./harness.js";

const ANN: Person = { id: "c1", email: "ann@example.com" };
const BOB: Person = { id: "c2", email: "bob@example.com" };
const CY: Person = { id: "c3", email: "cy@example.com" };

describe("dry runs and the removal path for erasure", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it("a dry run shows counts and masked rows, and sends and records nothing", async () => {
    await h.setSegment([ANN, BOB]);
    await h.run();
    const requests = h.sandbox.requests.length;
    const runs = await h.rows("SELECT * FROM ops.sync_runs");
    await h.setSegment([ANN, CY]);

    const plan = await planActivation(h.planDeps, SYNC, { dryRun: true });
    await h.bus.drain();

    expect(plan).toMatchObject({ status: "dry_run", plannedAdds: 1, plannedRemoves: 1 });
    expect(plan.batches).toEqual([]);
    expect(plan.preview?.adds).toEqual([
      { contactIds: ["c3"], key: emailKey("cy@example.com").slice(0, 12), fields: {} },
    ]);
    expect(plan.preview?.removes.map((r) => r.contactIds)).toEqual([["c2"]]);
    expect(JSON.stringify(plan.preview)).not.toContain("example.com");
    expect(h.sandbox.requests.length).toBe(requests);
    expect(await h.rows("SELECT * FROM ops.sync_runs")).toEqual(runs);
    expect(h.audience()).toEqual([emailKey(ANN.email ?? ""), emailKey(BOB.email ?? "")].sort());

    // The real run that follows sends exactly what the dry run showed.
    const real = await h.run();
    expect(real).toMatchObject({ status: "planned", plannedAdds: 1, plannedRemoves: 1 });
    expect(h.audience()).toEqual([emailKey(ANN.email ?? ""), emailKey(CY.email ?? "")].sort());
  });

  it("removes erased contacts from the destination although the segment still lists them", async () => {
    await h.setSegment([ANN, BOB]);
    await h.run();

    const [plan] = await removeFromEveryDestination(h.planDeps, [SYNC], { contactIds: ["c1"] });
    await h.bus.drain();

    expect(plan).toMatchObject({ plannedRemoves: 1, plannedAdds: 0 });
    expect(plan?.skipped.forgotten).toBe(1);
    expect(h.audience()).toEqual([emailKey(BOB.email ?? "")]);
    expect(await h.rows("SELECT contact_id FROM ops.sync_members ORDER BY contact_id")).toEqual([
      { contact_id: "c2" },
    ]);
  });
});
