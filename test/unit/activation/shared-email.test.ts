import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emailKey, type Harness, type Person, startHarness } from "./harness.js";

/**
 * Two contacts can share one email (a household, a duplicate the identity graph kept apart).
 * Meta holds identifiers, not contacts: the address is one member, sent once, and it stays in
 * the audience while either contact qualifies.
 */

const ANN: Person = { id: "c1", email: "ann@example.com" };
const ANN_AGAIN: Person = { id: "c2", email: "  Ann@Example.COM " };
const BOB: Person = { id: "c3", email: "bob@example.com" };

describe("activation of contacts who share an email", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it("sends the shared address once and records both contacts as members", async () => {
    await h.setSegment([ANN, ANN_AGAIN, BOB]);
    const plan = await h.run();
    expect(plan).toMatchObject({ eligibleContacts: 3, plannedAdds: 2, plannedRemoves: 0 });
    expect(h.sandbox.requests.map((r) => [r.op, r.rows, r.status])).toEqual([["add", 2, 200]]);
    expect(h.audience()).toEqual([emailKey("ann@example.com"), emailKey("bob@example.com")].sort());
    const members = await h.rows<{ contact_id: string; identifier_hash: string }>(
      "SELECT contact_id, identifier_hash FROM ops.sync_members ORDER BY contact_id",
    );
    expect(members).toEqual([
      { contact_id: "c1", identifier_hash: emailKey("ann@example.com") },
      { contact_id: "c2", identifier_hash: emailKey("ann@example.com") },
      { contact_id: "c3", identifier_hash: emailKey("bob@example.com") },
    ]);
    expect(await h.rows("SELECT status, sent, accepted FROM ops.sync_batches")).toEqual([
      { status: "succeeded", sent: 2, accepted: 2 },
    ]);
    expect(h.bus.deadLetters).toEqual([]);
  });

  it("keeps the address while one of the two still qualifies, and removes it when neither does", async () => {
    await h.setSegment([ANN, ANN_AGAIN, BOB]);
    await h.run();
    const afterFirst = h.sandbox.requests.length;

    await h.setSegment([{ ...ANN, adUserData: false }, ANN_AGAIN, BOB]);
    expect(await h.run()).toMatchObject({ plannedAdds: 0, plannedRemoves: 0 });
    expect(h.sandbox.requests.length).toBe(afterFirst);
    expect(h.audience()).toContain(emailKey("ann@example.com"));

    await h.setSegment([BOB]);
    expect(await h.run()).toMatchObject({ plannedAdds: 0, plannedRemoves: 1 });
    expect(h.sandbox.requests.slice(afterFirst).map((r) => [r.op, r.rows])).toEqual([
      ["remove", 1],
    ]);
    expect(h.audience()).toEqual([emailKey("bob@example.com")]);
  });
});
