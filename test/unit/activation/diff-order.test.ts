import { describe, expect, it } from "vitest";
import { planMembershipDiff, type SegmentMember } from "../../../functions/core/activation/diff.js";
import { settleBatch } from "../../../functions/core/activation/settle.js";
import { parseSyncConfig, type SyncOf } from "../../../functions/core/activation/sync-config.js";
import { metaPlanSpec } from "../../../functions/destinations/meta/members.js";
import { customAudienceEmailKey } from "../../../functions/destinations/meta/normalize.js";

/**
 * A plan is deterministic: the same segment and snapshot give the same batches in the same order
 * (a re-planned run after a crash writes the same batch objects), whatever order the warehouse
 * returned rows in.
 */

const key = (email: string) => customAudienceEmailKey(email) ?? "";
const all = { email_marketing: true, ad_user_data: true, ad_personalization: true };
const member = (contactId: string, email: string | null): SegmentMember => ({
  contactId,
  values: { email },
  consent: all,
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
/** A diff item as compared here: key and contacts. */
const kc = (items: readonly { identifierHash: string; contactIds: readonly string[] }[]) =>
  items.map(({ identifierHash, contactIds }) => ({ identifierHash, contactIds }));

describe("the order of a membership diff", () => {
  it("lists adds by their first contact id, whatever order the segment came in", () => {
    const diff = planMembershipDiff(
      [member("c3", "cy@example.com"), member("c1", "ann@example.com"), member("c2", "b@x.io")],
      [],
      rules,
    );
    expect(diff.adds.map((a) => a.contactIds[0])).toEqual(["c1", "c2", "c3"]);
  });

  it("lists removes by their first contact id, whatever order the snapshot came in", () => {
    const diff = planMembershipDiff(
      [],
      [
        { contactId: "c9", identifierHash: key("z@example.com") },
        { contactId: "c4", identifierHash: key("d@example.com") },
        { contactId: "c7", identifierHash: key("g@example.com") },
      ],
      rules,
    );
    expect(diff.removes.map((r) => r.contactIds)).toEqual([["c4"], ["c7"], ["c9"]]);
  });

  it("orders two identifiers of the same first contact by hash", () => {
    const diff = planMembershipDiff(
      [],
      [
        { contactId: "c1", identifierHash: "f".repeat(64) },
        { contactId: "c1", identifierHash: "0".repeat(64) },
        { contactId: "c1", identifierHash: "8".repeat(64) },
      ],
      rules,
    );
    expect(diff.removes.map((r) => r.identifierHash[0])).toEqual(["0", "8", "f"]);
  });

  it("lists the contacts sharing an identifier in id order", () => {
    const diff = planMembershipDiff(
      [member("c2", "shared@example.com"), member("c10", "shared@example.com")],
      [],
      rules,
    );
    expect(kc(diff.adds)).toEqual([
      { identifierHash: key("shared@example.com"), contactIds: ["c10", "c2"] },
    ]);
  });

  it("reports contacts with an unusable email in id order", () => {
    const diff = planMembershipDiff(
      [member("c5", "nope"), member("c3", "also nope"), member("c4", "ann@example.com")],
      [],
      rules,
    );
    expect(diff.skipped.invalid).toEqual([
      { contactId: "c3", reason: "invalid_email" },
      { contactId: "c5", reason: "invalid_email" },
    ]);
  });
});

describe("contacts without an email", () => {
  it("counts a blank or whitespace-only email as missing, not as invalid", () => {
    const diff = planMembershipDiff(
      [member("c1", ""), member("c2", "  \t"), member("c3", null), member("c4", "ann@example.com")],
      [],
      rules,
    );
    expect(diff.skipped).toMatchObject({ noConsent: 0, noEmail: 3, invalid: [] });
    expect(diff.eligibleContacts).toBe(1);
  });
});

describe("settling a batch Meta answered with unattributed refusals", () => {
  it("rejects every row with the unattributed reason and accepts none", () => {
    const rows = [
      { hash: key("a@example.com"), contactIds: ["c1"] },
      { hash: key("b@example.com"), contactIds: ["c2"] },
    ];
    const settled = settleBatch(rows, {
      received: 2,
      invalid: 2,
      invalidSamples: { [key("a@example.com")]: "Invalid format" },
    });
    expect(settled).toEqual({
      status: "partial",
      accepted: [],
      rejections: [
        { contactId: "c1", reason: "destination_invalid_entry" },
        { contactId: "c2", reason: "destination_invalid_unattributed" },
      ],
    });
  });
});
