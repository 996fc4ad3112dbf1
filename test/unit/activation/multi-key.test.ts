import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SyncInputOf } from "../../../functions/core/activation/sync-config.js";
import { metaPhoneKey, normalizeAndHash } from "../../../functions/destinations/meta/normalize.js";
import { AUDIENCE_ID, emailKey, type Harness, type Person, SYNC, startHarness } from "./harness.js";

const MULTI: SyncInputOf<"meta"> = {
  ...SYNC,
  identifiers: ["email", "phone", "first_name", "last_name", "country", "zip"],
};
const ANN: Person = {
  id: "c1",
  email: "ann@example.com",
  phone: "020 7183 8750",
  firstName: "Ann",
  lastName: "Lee",
  country: "GB",
  zip: "SW1A 1AA",
};
const BOB: Person = { id: "c2", email: null, phone: "+1 415 555 2671", country: "US" };

describe("Meta multi-key matching", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it("sends every key the segment has, the phone in E.164 from the row's country", async () => {
    await h.setSegment([ANN, BOB]);
    const plan = await h.run(MULTI);
    expect(plan).toMatchObject({ plannedAdds: 2, missingColumns: [] });
    expect(h.sandbox.rows(AUDIENCE_ID)).toEqual(
      [
        {
          EMAIL: emailKey("ann@example.com"),
          PHONE: metaPhoneKey("+442071838750"),
          FN: normalizeAndHash("fn", "Ann"),
          LN: normalizeAndHash("ln", "Lee"),
          COUNTRY: normalizeAndHash("country", "gb"),
          ZIP: normalizeAndHash("zp", "sw1a1aa"),
        },
        {
          PHONE: metaPhoneKey("+14155552671"),
          COUNTRY: normalizeAndHash("country", "us"),
        },
      ].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
    );
    const last = h.sandbox.requests.at(-1);
    expect(last).toMatchObject({ op: "add", rows: 2, status: 200 });
  });

  it("re-sends a member whose phone changed, and removes the whole person when it leaves", async () => {
    await h.setSegment([ANN]);
    await h.run(MULTI);
    await h.setSegment([{ ...ANN, phone: "+44 20 7946 0958" }]);
    const update = await h.run(MULTI);
    expect(update).toMatchObject({ plannedAdds: 0, plannedUpdates: 1, plannedRemoves: 0 });
    expect(h.sandbox.members(AUDIENCE_ID, "PHONE")).toContain(metaPhoneKey("+442079460958"));
    await h.setSegment([]);
    const leave = await h.run(MULTI);
    expect(leave).toMatchObject({ plannedRemoves: 1 });
    expect(h.sandbox.rows(AUDIENCE_ID)).toEqual([]);
  });

  it("reports the match-key columns a segment lacks and sends the others", async () => {
    await h.setSegment([ANN]);
    const plan = await h.run({ ...MULTI, columns: { zip: "postcode" } });
    expect(plan.missingColumns).toEqual(["postcode"]);
    expect(Object.keys(h.sandbox.rows(AUDIENCE_ID)[0] ?? {}).sort()).toEqual(
      ["COUNTRY", "EMAIL", "FN", "LN", "PHONE"].sort(),
    );
  });
});

describe("a merge of two contacts between runs", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it("neither removes nor re-adds the merged contact's email: only the ledger follows", async () => {
    // Identity's segments have one row per (contact, email): B → A keeps both emails, under A.
    await h.setSegment([
      { id: "cA", email: "ann@example.com" },
      { id: "cB", email: "ann.work@example.com" },
    ]);
    await h.run();
    const before = h.sandbox.requests.length;
    await h.setSegment([
      { id: "cA", email: "ann@example.com" },
      { id: "cA", email: "ann.work@example.com" },
    ]);
    const plan = await h.run();
    expect(plan).toMatchObject({
      status: "no_changes",
      plannedAdds: 0,
      plannedRemoves: 0,
      relinked: 1,
    });
    expect(h.sandbox.requests.length).toBe(before);
    expect(h.audience()).toEqual(
      [emailKey("ann@example.com"), emailKey("ann.work@example.com")].sort(),
    );
    const ledger = await h.rows<{ contact_id: string; identifier_hash: string }>(
      "SELECT contact_id, identifier_hash FROM ops.sync_members ORDER BY identifier_hash",
    );
    expect(ledger.map((r) => r.contact_id)).toEqual(["cA", "cA"]);
  });
});
