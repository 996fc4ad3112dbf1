import { describe, expect, it } from "vitest";
import {
  diffAgainst,
  type PendingChanges,
  type SnapshotMember,
} from "../../../functions/core/activation/diff.js";
import type { MembershipTarget, WantedMember } from "../../../functions/core/activation/members.js";

/**
 * The diff against the last accepted snapshot and the changes of an unfinished earlier run,
 * stated on a target built by hand (keys k1…, contacts c1…): what a run sends, and what only
 * changes in the ledger.
 */

const skipped = { noConsent: 0, noEmail: 0, invalid: [], forgotten: 0, suppressed: 0 };
function target(
  members: Record<string, { contacts: string[]; digest?: string }>,
): MembershipTarget {
  const wanted = new Map<string, WantedMember>();
  for (const [key, m] of Object.entries(members)) {
    wanted.set(key, {
      contactIds: m.contacts,
      digest: m.digest ?? key,
      payload: { keys: { EMAIL: key } },
    });
  }
  return { wanted, eligibleContacts: 7, skipped };
}
const held = (identifierHash: string, contactId: string, extra: Partial<SnapshotMember> = {}) => ({
  identifierHash,
  contactId,
  ...extra,
});
const pending = (p: Partial<Record<keyof PendingChanges, Record<string, string[]>>>) =>
  ({
    willAdd: new Map(Object.entries(p.willAdd ?? {})),
    willRemove: new Map(Object.entries(p.willRemove ?? {})),
    mayHaveAdded: new Map(Object.entries(p.mayHaveAdded ?? {})),
    mayHaveRemoved: new Map(Object.entries(p.mayHaveRemoved ?? {})),
  }) satisfies PendingChanges;
const keysOf = (items: readonly { identifierHash: string }[]) => items.map((i) => i.identifierHash);

describe("a membership diff against the snapshot", () => {
  it("sends each wanted key's payload and digest, with its contacts sorted, and counts the target", () => {
    const diff = diffAgainst(target({ k1: { contacts: ["c2", "c1"], digest: "d1" } }), []);
    expect(diff).toEqual({
      adds: [
        {
          identifierHash: "k1",
          contactIds: ["c1", "c2"],
          payload: { keys: { EMAIL: "k1" } },
          digest: "d1",
        },
      ],
      updates: [],
      removes: [],
      relinks: [],
      eligibleContacts: 7,
      targetIdentifiers: 1,
      unchanged: 0,
      skipped,
    });
  });

  it("re-sends a held key whose payload digest changed as an update, carrying the destination's id", () => {
    const diff = diffAgainst(target({ k1: { contacts: ["c1"], digest: "new" } }), [
      held("k1", "c1", { digest: "old", destinationId: "sg-1" }),
    ]);
    expect(diff.adds).toEqual([]);
    expect(diff.updates).toEqual([
      {
        identifierHash: "k1",
        contactIds: ["c1"],
        payload: { keys: { EMAIL: "k1" } },
        digest: "new",
        destinationId: "sg-1",
      },
    ]);
    expect(diff.unchanged).toBe(0);
  });

  it("takes a snapshot row without a digest (earlier versions) as holding the key itself", () => {
    const same = diffAgainst(target({ k1: { contacts: ["c1"], digest: "k1" } }), [
      held("k1", "c1", { digest: null }),
    ]);
    expect([same.updates.length, same.unchanged]).toEqual([0, 1]);
  });

  it("relinks a held key now wanted by other contacts (a merge): nothing is sent", () => {
    const diff = diffAgainst(target({ k1: { contacts: ["c9", "c1"] } }), [held("k1", "c1")]);
    expect([diff.adds, diff.updates, diff.removes]).toEqual([[], [], []]);
    expect(diff.unchanged).toBe(1);
    expect(diff.relinks.map((r) => [r.identifierHash, r.contactIds])).toEqual([
      ["k1", ["c1", "c9"]],
    ]);
  });

  it("does not relink a key held for the same contacts listed in another order or twice", () => {
    const diff = diffAgainst(target({ k1: { contacts: ["c2", "c1"] } }), [
      held("k1", "c1"),
      held("k1", "c2"),
      held("k1", "c1"),
    ]);
    expect([diff.relinks, diff.unchanged]).toEqual([[], 1]);
  });

  it("relinks when the same number of contacts differ", () => {
    const diff = diffAgainst(target({ k1: { contacts: ["c1", "c3"] } }), [
      held("k1", "c1"),
      held("k1", "c2"),
    ]);
    expect(keysOf(diff.relinks)).toEqual(["k1"]);
  });

  it("removes a key nobody wants with the keys last sent and the destination's id, for all its contacts", () => {
    const diff = diffAgainst(target({}), [
      held("k1", "c2", { keys: { EMAIL: "k1", PHONE: "p1" }, destinationId: "hs-1" }),
      held("k1", "c1"),
      held("k2", "c3"),
    ]);
    expect(diff.removes).toEqual([
      {
        identifierHash: "k1",
        contactIds: ["c1", "c2"],
        payload: { keys: { EMAIL: "k1", PHONE: "p1" } },
        destinationId: "hs-1",
      },
      { identifierHash: "k2", contactIds: ["c3"] },
    ]);
  });

  it("keeps leavers where the destination keeps records (CRM), but removes the keys of contacts being erased", () => {
    const snapshot = [held("k1", "c1"), held("k2", "c2"), held("k3", "c3"), held("k3", "c4")];
    const diff = diffAgainst(target({}), snapshot, undefined, {
      removesOnLeave: false,
      forget: new Set(["c2", "c3"]),
    });
    // k3 is shared with c4, who is not erased: kept.
    expect(keysOf(diff.removes)).toEqual(["k2"]);
    expect(keysOf(diffAgainst(target({}), snapshot, undefined, {}).removes)).toEqual([
      "k1",
      "k2",
      "k3",
    ]);
    expect(
      keysOf(diffAgainst(target({}), snapshot, undefined, { removesOnLeave: false }).removes),
    ).toEqual([]);
  });
});

describe("a membership diff with an unfinished earlier run", () => {
  it("does not send again what a resumed batch will add or remove", () => {
    const diff = diffAgainst(
      target({ k1: { contacts: ["c1"] } }),
      [held("k2", "c2")],
      pending({ willAdd: { k1: ["c1"] }, willRemove: { k2: ["c2"] } }),
    );
    expect([diff.adds, diff.removes, diff.unchanged]).toEqual([[], [], 1]);
  });

  it("adds again a held key that a taken-over batch may have removed", () => {
    const diff = diffAgainst(
      target({ k1: { contacts: ["c1"] } }),
      [held("k1", "c1")],
      pending({ mayHaveRemoved: { k1: ["c1"] } }),
    );
    expect(keysOf(diff.adds)).toEqual(["k1"]);
    expect(diff.unchanged).toBe(0);
  });

  it("removes a key a taken-over batch may have added when it is no longer wanted, for the contacts it was sent for", () => {
    const diff = diffAgainst(
      target({ k1: { contacts: ["c1"] } }),
      [held("k3", "c3", { keys: { EMAIL: "k3" } })],
      pending({ mayHaveAdded: { k1: ["c1"], k2: ["c5", "c2"], k3: ["c9"] } }),
    );
    expect(diff.removes).toEqual([
      { identifierHash: "k2", contactIds: ["c2", "c5"] },
      // Held already: the snapshot's contacts and keys, not the pending batch's.
      { identifierHash: "k3", contactIds: ["c3"], payload: { keys: { EMAIL: "k3" } } },
    ]);
  });
});
