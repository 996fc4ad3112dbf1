import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Buyer, type GoogleHarness, LIST, startGoogleHarness } from "./harness.js";

const sha = (v: string) => createHash("sha256").update(v).digest("hex");
const ANN: Buyer = { id: "c1", email: " Ann@Example.com ", phone: "020 7183 8750" };
const BOB: Buyer = { id: "c2", email: "bob@example.com" };
const CY: Buyer = { id: "c3", email: "cy@example.com", adUserData: false };
const DEE: Buyer = { id: "c4", email: null, phone: "+1 415 555 0100" };

describe("activation to Google Ads Customer Match, end to end on the sandbox", () => {
  let h: GoogleHarness;
  beforeEach(async () => {
    h = await startGoogleHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it("puts the consented buyers in the user list with Google-normalized hashed email and E.164 phone", async () => {
    await h.setSegment([ANN, BOB, CY, DEE]);
    const plan = await h.run();
    expect(plan).toMatchObject({ status: "planned", plannedAdds: 3, destination: "google_ads" });
    expect(h.sandbox.members(LIST)).toEqual(
      [
        { email: sha("ann@example.com"), phone: sha("+442071838750") },
        { email: sha("bob@example.com") },
        { phone: sha("+14155550100") },
      ].sort((a, b) => (a.email ?? a.phone).localeCompare(b.email ?? b.phone)),
    );
    const outcome = await h.rows<{ status: string; accepted_adds: number }>(
      "SELECT status, accepted_adds FROM ops.sync_run_outcomes",
    );
    expect(outcome).toEqual([{ status: "succeeded", accepted_adds: 3 }]);
  });

  it("removes a buyer who leaves or withdraws ad_user_data, and re-sends one whose ad_personalization changed", async () => {
    await h.setSegment([ANN, BOB, DEE]);
    await h.run();
    const before = h.sandbox.requests.length;
    await h.setSegment([
      { ...ANN, adPersonalization: false },
      { ...BOB, adUserData: false },
    ]);
    const plan = await h.run();
    expect(plan).toMatchObject({ plannedAdds: 0, plannedUpdates: 1, plannedRemoves: 2 });
    const sent = h.sandbox.requests.slice(before).map((r) => [r.op, r.members, r.httpStatus]);
    expect(sent).toEqual([
      ["remove", 2, 200],
      ["add", 1, 200],
    ]);
    expect(h.sandbox.members(LIST)).toEqual([
      { email: sha("ann@example.com"), phone: sha("+442071838750") },
    ]);
  });

  it("sends nothing more when a batch message is delivered three more times", async () => {
    await h.setSegment([ANN, BOB]);
    await h.run();
    const [event] = h.delivered;
    if (!event) throw new Error("no delivery");
    const requests = h.sandbox.requests.length;
    for (let i = 0; i < 3; i++) expect((await h.activate(event)).status).toBe("duplicate");
    expect(h.sandbox.requests.length).toBe(requests);
    expect(await h.rows("SELECT COUNT(*) AS n FROM ops.sync_members")).toEqual([{ n: 2 }]);
    expect(await h.rows("SELECT COUNT(*) AS n FROM ops.sync_batches")).toEqual([{ n: 1 }]);
  });

  it("after a crash before the batch was recorded, the redelivery re-sends the same members and records them once", async () => {
    await h.setSegment([ANN, BOB]);
    await h.run();
    const [event] = h.delivered;
    if (!event) throw new Error("no delivery");
    // The crash: Google took the request and members were written, the batch row never was.
    await h.warehouse.run("DELETE FROM ops.sync_batches");
    const members = h.sandbox.members(LIST);

    expect(await h.activate(event)).toMatchObject({ status: "succeeded", accepted: 2 });

    expect(h.sandbox.members(LIST)).toEqual(members);
    expect(await h.rows("SELECT COUNT(*) AS n FROM ops.sync_members")).toEqual([{ n: 2 }]);
    expect(await h.rows("SELECT COUNT(*) AS n FROM ops.sync_batches")).toEqual([{ n: 1 }]);
  });

  it("waits out RESOURCE_EXHAUSTED's retryDelay exactly, then lands the batch once", async () => {
    await h.setSegment([ANN, BOB]);
    h.sandbox.failNext({ kind: "resource_exhausted", retryDelaySeconds: 7 }, 2);
    await h.run();
    expect(h.sleeps).toEqual([7_000, 7_000]);
    expect(h.sandbox.requests.map((r) => r.status)).toEqual([
      "RESOURCE_EXHAUSTED",
      "RESOURCE_EXHAUSTED",
      "OK",
    ]);
    expect(h.sandbox.members(LIST)).toHaveLength(2);
  });

  it("closes the run as failed, naming the credentials, when the token has expired; the next run sends the rows", async () => {
    await h.setSegment([ANN, BOB]);
    h.sandbox.expireToken();
    await h.run();
    const [batch] = await h.rows<{ status: string; error_code: string; error: string }>(
      "SELECT status, error_code, error FROM ops.sync_batches",
    );
    expect(batch).toMatchObject({ status: "failed", error_code: "UNAUTHENTICATED" });
    expect(batch?.error).toMatch(/credentials were refused/);
    expect(h.sandbox.requests).toHaveLength(1);
    expect(await h.rows("SELECT status FROM ops.sync_run_outcomes")).toEqual([
      { status: "failed" },
    ]);
    expect(h.logLines.join("\n")).not.toContain("example.com");

    h.sandbox.renewToken();
    expect(await h.run()).toMatchObject({ plannedAdds: 2 });
    expect(h.sandbox.members(LIST)).toHaveLength(2);
  });
});
