import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emailKey, type Harness, type Person, SYNC, startHarness } from "./harness.js";

const ANN: Person = { id: "c1", email: "ann@example.com" };
const BOB: Person = { id: "c2", email: "bob@example.com" };
const CY: Person = { id: "c3", email: "cy@example.com" };
const NO_CONSENT: Person = { id: "c4", email: "dee@example.com", adUserData: false };
const NO_EMAIL: Person = { id: "c5", email: null };
const BAD_EMAIL: Person = { id: "c6", email: "not-an-email" };

const keys = (...people: Person[]) => people.map((p) => emailKey(p.email ?? "")).sort();

describe("activation to Meta, end to end on local adapters", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it("first run puts exactly the consented members with a usable email in the audience", async () => {
    await h.setSegment([ANN, BOB, CY, NO_CONSENT, NO_EMAIL, BAD_EMAIL]);
    const plan = await h.run();
    expect(plan).toMatchObject({
      status: "planned",
      segmentRows: 6,
      eligibleContacts: 3,
      plannedAdds: 3,
      plannedRemoves: 0,
      skipped: { noConsent: 1, noEmail: 1, invalidEmail: 1 },
    });
    expect(h.audience()).toEqual(keys(ANN, BOB, CY));
    const members = await h.rows<{ contact_id: string; identifier_hash: string }>(
      "SELECT contact_id, identifier_hash FROM ops.sync_members ORDER BY contact_id",
    );
    expect(members).toEqual(
      [ANN, BOB, CY].map((p) => ({ contact_id: p.id, identifier_hash: emailKey(p.email ?? "") })),
    );
    expect(await h.rows("SELECT contact_id, stage, reason FROM ops.sync_rejections")).toEqual([
      { contact_id: "c6", stage: "plan", reason: "invalid_email" },
    ]);
    expect(h.bus.deadLetters).toEqual([]);
  });

  it("second run sends one add and two removes: a new member, a withdrawal, a departure", async () => {
    await h.setSegment([ANN, BOB, CY]);
    await h.run();
    const before = h.sandbox.requests.length;
    const DEE: Person = { id: "c7", email: "dee.new@example.com" };
    await h.setSegment([ANN, { ...BOB, adUserData: false }, DEE]);
    const plan = await h.run();
    expect(plan).toMatchObject({ plannedAdds: 1, plannedRemoves: 2, unchanged: 1 });
    const sent = h.sandbox.requests.slice(before).map((r) => [r.op, r.rows, r.status]);
    expect(sent.sort()).toEqual([
      ["add", 1, 200],
      ["remove", 2, 200],
    ]);
    expect(h.audience()).toEqual(keys(ANN, DEE));
    const members = await h.rows<{ contact_id: string }>(
      "SELECT contact_id FROM ops.sync_members ORDER BY contact_id",
    );
    expect(members.map((m) => m.contact_id)).toEqual(["c1", "c7"]);
  });

  it("a run with no changes sends nothing", async () => {
    await h.setSegment([ANN, BOB]);
    await h.run();
    const before = h.sandbox.requests.length;
    const plan = await h.run();
    expect(plan).toMatchObject({ status: "no_changes", batches: [], unchanged: 2 });
    expect(h.sandbox.requests.length).toBe(before);
    expect(h.audience()).toEqual(keys(ANN, BOB));
    const runs = await h.rows<{ status: string }>(
      "SELECT status FROM ops.sync_runs ORDER BY recorded_at",
    );
    expect(runs.map((r) => r.status)).toEqual(["planned", "succeeded", "no_changes"]);
  });

  it("a rate-limited first call (429, Retry-After, code 17) still ends with the right audience", async () => {
    h.sandbox.failNext({ kind: "rate_limit", code: 17, status: 429, retryAfterSeconds: 1 });
    await h.setSegment([ANN, BOB]);
    await h.run();
    expect(h.sandbox.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(h.audience()).toEqual(keys(ANN, BOB));
    expect(await h.rows("SELECT status, sent, accepted, attempts FROM ops.sync_batches")).toEqual([
      { status: "succeeded", sent: 2, accepted: 2, attempts: 2 },
    ]);
  });

  it("splits a run into batches of the configured size, tied by one upload session", async () => {
    await h.setSegment([
      ANN,
      BOB,
      CY,
      { id: "c8", email: "eve@example.com" },
      { id: "c9", email: "fay@example.com" },
    ]);
    const plan = await h.run({ ...SYNC, batchSize: 2 });
    expect(plan.batches.map((b) => b.rows)).toEqual([2, 2, 1]);
    const sessions = h.sandbox.requests
      .map((r) => r.session)
      .sort((a, b) => (a?.batch_seq ?? 0) - (b?.batch_seq ?? 0));
    expect(sessions.map((s) => [s?.batch_seq, s?.last_batch_flag, s?.estimated_num_total])).toEqual(
      [
        [1, false, 5],
        [2, false, 5],
        [3, true, 5],
      ],
    );
    expect(new Set(sessions.map((s) => s?.session_id)).size).toBe(1);
    expect(h.audience()).toHaveLength(5);
    // three batches settle at about the same time; the run is closed once
    expect(await h.rows("SELECT status, accepted_adds FROM ops.sync_run_outcomes")).toEqual([
      { status: "succeeded", accepted_adds: 5 },
    ]);
    expect(
      (
        await h.rows<{ status: string }>("SELECT status FROM ops.sync_runs ORDER BY recorded_at")
      ).map((r) => r.status),
    ).toEqual(["planned", "succeeded"]);
  });

  it("a transient outage outlasting the client's retries is redelivered by the bus and lands once", async () => {
    h.sandbox.failNext({ kind: "server_error", status: 503 }, 4);
    await h.setSegment([ANN, BOB]);
    await h.run();
    expect(h.bus.deadLetters).toEqual([]);
    expect(h.audience()).toEqual(keys(ANN, BOB));
    const batches = await h.rows<{ status: string; error_code: string | null }>(
      "SELECT status, error_code FROM ops.sync_batches ORDER BY recorded_at",
    );
    expect(batches).toEqual([
      { status: "retrying", error_code: "meta_2" },
      { status: "succeeded", error_code: null },
    ]);
    expect(await h.rows("SELECT COUNT(*) AS n FROM ops.sync_members")).toEqual([{ n: 2 }]);
  });
});
