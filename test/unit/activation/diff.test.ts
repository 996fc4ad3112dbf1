import { describe, expect, it } from "vitest";
import {
  planMembershipDiff,
  type SegmentMember,
  type SnapshotMember,
} from "../../../functions/core/activation/diff.js";
import { settleBatch } from "../../../functions/core/activation/settle.js";
import { parseSyncConfig, type SyncOf } from "../../../functions/core/activation/sync-config.js";
import { metaPlanSpec } from "../../../functions/destinations/meta/members.js";
import { customAudienceEmailKey } from "../../../functions/destinations/meta/normalize.js";

const key = (email: string) => customAudienceEmailKey(email) ?? "";
const all = { email_marketing: true, ad_user_data: true, ad_personalization: true };
const member = (
  contactId: string,
  email: string | null,
  consent: Partial<SegmentMember["consent"]> = {},
): SegmentMember => ({ contactId, values: { email }, consent: { ...all, ...consent } });
const held = (contactId: string, email: string): SnapshotMember => ({
  contactId,
  identifierHash: key(email),
});
const metaSync = parseSyncConfig({
  id: "meta_test",
  segment: { dataset: "marts", table: "seg" },
  destination: "meta",
  audienceId: "1",
  requiredConsent: ["ad_user_data"],
}) as SyncOf<"meta">;
const rules = {
  requiredConsent: ["ad_user_data"] as const,
  identify: metaPlanSpec(metaSync, new Set(["email"])).identify,
};
/** A diff item as the tests compare it: key and contacts. */
const kc = (items: readonly { identifierHash: string; contactIds: readonly string[] }[]) =>
  items.map(({ identifierHash, contactIds }) => ({ identifierHash, contactIds }));

describe("planMembershipDiff", () => {
  it("adds only contacts with every required consent and a usable email", () => {
    const diff = planMembershipDiff(
      [
        member("c1", "ann@example.com"),
        member("c2", "bob@example.com", { ad_user_data: false }),
        member("c3", null),
        member("c4", "not an email"),
        member("c5", "cy@example.com", { email_marketing: false }),
      ],
      [],
      rules,
    );
    expect(kc(diff.adds)).toEqual([
      { identifierHash: key("ann@example.com"), contactIds: ["c1"] },
      { identifierHash: key("cy@example.com"), contactIds: ["c5"] },
    ]);
    expect(kc(diff.removes)).toEqual([]);
    expect(diff.skipped).toEqual({
      noConsent: 1,
      noEmail: 1,
      invalid: [{ contactId: "c4", reason: "invalid_email" }],
      forgotten: 0,
      suppressed: 0,
    });
    expect(diff.eligibleContacts).toBe(2);
  });

  it("requires every listed purpose, not just one", () => {
    const diff = planMembershipDiff(
      [
        member("c1", "ann@example.com", { ad_personalization: false }),
        member("c2", "bob@example.com"),
      ],
      [],
      { ...rules, requiredConsent: ["ad_user_data", "ad_personalization"] },
    );
    expect(diff.adds.map((a) => a.contactIds)).toEqual([["c2"]]);
  });

  it("removes a contact who withdrew consent and one who left the segment, and re-sends nobody", () => {
    const diff = planMembershipDiff(
      [
        member("c1", "ann@example.com"),
        member("c2", "bob@example.com", { ad_user_data: false }),
        member("c4", "dee@example.com"),
      ],
      [held("c1", "ann@example.com"), held("c2", "bob@example.com"), held("c3", "cy@example.com")],
      rules,
    );
    expect(kc(diff.adds)).toEqual([{ identifierHash: key("dee@example.com"), contactIds: ["c4"] }]);
    expect(kc(diff.removes)).toEqual([
      { identifierHash: key("bob@example.com"), contactIds: ["c2"] },
      { identifierHash: key("cy@example.com"), contactIds: ["c3"] },
    ]);
    expect(diff.unchanged).toBe(1);
  });

  it("plans nothing when the segment matches the snapshot", () => {
    const diff = planMembershipDiff(
      [member("c1", "ann@example.com")],
      [held("c1", "ann@example.com")],
      rules,
    );
    expect([diff.adds, diff.updates, diff.removes]).toEqual([[], [], []]);
  });

  it("removes the old identifier and adds the new one when a contact's email changes", () => {
    const diff = planMembershipDiff(
      [member("c1", "ann.new@example.com")],
      [held("c1", "ann@example.com")],
      rules,
    );
    expect(kc(diff.adds)).toEqual([
      { identifierHash: key("ann.new@example.com"), contactIds: ["c1"] },
    ]);
    expect(kc(diff.removes)).toEqual([
      { identifierHash: key("ann@example.com"), contactIds: ["c1"] },
    ]);
  });

  it("removes a held contact whose email became unusable", () => {
    const diff = planMembershipDiff([member("c1", null)], [held("c1", "ann@example.com")], rules);
    expect(diff.removes.map((r) => r.contactIds)).toEqual([["c1"]]);
  });

  it("sends a shared email once, and keeps it while any contact with it still qualifies", () => {
    const first = planMembershipDiff(
      [member("c1", "shared@example.com"), member("c2", "Shared@Example.com ")],
      [],
      rules,
    );
    expect(kc(first.adds)).toEqual([
      { identifierHash: key("shared@example.com"), contactIds: ["c1", "c2"] },
    ]);
    const oneLeft = planMembershipDiff(
      [member("c2", "shared@example.com")],
      [held("c1", "shared@example.com"), held("c2", "shared@example.com")],
      rules,
    );
    expect([oneLeft.adds, oneLeft.updates, oneLeft.removes]).toEqual([[], [], []]);
  });
});

describe("sync configuration", () => {
  const valid = {
    id: "meta_recent_purchasers",
    segment: { dataset: "marts", table: "seg_recent_purchasers" },
    destination: "meta",
    audienceId: "23850000000000001",
    requiredConsent: ["ad_user_data", "ad_user_data"],
  };

  it("fills in the mode and the batch size and drops repeated purposes", () => {
    expect(parseSyncConfig(valid)).toMatchObject({
      mode: "membership",
      batchSize: 10_000,
      requiredConsent: ["ad_user_data"],
    });
  });

  it("refuses a sync that names no consent purpose", () => {
    expect(() => parseSyncConfig({ ...valid, requiredConsent: [] })).toThrow(/requiredConsent/);
  });

  it("refuses a segment name that is not a plain identifier", () => {
    expect(() =>
      parseSyncConfig({ ...valid, segment: { dataset: "marts", table: "x; DROP TABLE y" } }),
    ).toThrow(/segment\.table/);
  });

  it("refuses batches larger than Meta takes", () => {
    expect(() => parseSyncConfig({ ...valid, batchSize: 10_001 })).toThrow(/batchSize/);
  });
});

describe("settling a sent batch", () => {
  const rows = [
    { hash: key("a@example.com"), contactIds: ["c1"] },
    { hash: key("b@example.com"), contactIds: ["c2", "c3"] },
    { hash: key("c@example.com"), contactIds: ["c4"] },
  ];

  it("accepts every row when Meta refused none", () => {
    const settled = settleBatch(rows, { received: 3, invalid: 0, invalidSamples: {} });
    expect(settled).toEqual({ status: "succeeded", accepted: rows, rejections: [] });
  });

  it("rejects the rows Meta names as invalid and accepts the others", () => {
    const [, second] = rows;
    const settled = settleBatch(rows, {
      received: 3,
      invalid: 1,
      invalidSamples: { [second?.hash ?? ""]: "Invalid format" },
    });
    expect(settled.accepted.map((r) => r.contactIds)).toEqual([["c1"], ["c4"]]);
    expect(settled.rejections).toEqual([
      { contactId: "c2", reason: "destination_invalid_entry" },
      { contactId: "c3", reason: "destination_invalid_entry" },
    ]);
  });

  it("records nothing as accepted when Meta does not name every refused row", () => {
    const settled = settleBatch(rows, { received: 3, invalid: 2, invalidSamples: {} });
    expect(settled.status).toBe("partial");
    expect(settled.accepted).toEqual([]);
    expect(settled.rejections.map((r) => r.contactId)).toEqual(["c1", "c2", "c3", "c4"]);
  });
});
