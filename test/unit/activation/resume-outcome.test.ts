import { describe, expect, it } from "vitest";
import type { ActivationBatch } from "../../../functions/core/activation/batches.js";
import { planMembershipDiff, type SegmentMember } from "../../../functions/core/activation/diff.js";
import { runOutcome, type SettledBatchRow } from "../../../functions/core/activation/outcome.js";
import { partitionPending } from "../../../functions/core/activation/resume.js";
import { customAudienceEmailKey } from "../../../functions/destinations/meta/normalize.js";

/** Email-keyed members, as Meta's single-key sync identifies them. */
const identify = (m: SegmentMember) => {
  const k = customAudienceEmailKey(m.values.email);
  return k
    ? { ok: true as const, key: k, digest: k, payload: {} }
    : { ok: false as const, reason: "invalid_email" as const };
};

const key = (email: string) => customAudienceEmailKey(email) ?? "";
const all = { email_marketing: true, ad_user_data: true, ad_personalization: true };
const member = (id: string, email: string, adUserData = true): SegmentMember => ({
  contactId: id,
  values: { email },
  consent: { ...all, ad_user_data: adUserData },
});
const rules = { requiredConsent: ["ad_user_data"] as const, identify };
const batch = (op: "add" | "remove", emails: Record<string, string>, n = 1): ActivationBatch => ({
  version: 1,
  syncId: "s",
  runId: "r1",
  destination: "meta",
  target: "1",
  op,
  batch: n,
  batches: 1,
  totalRows: Object.keys(emails).length,
  schema: "EMAIL_SHA256",
  plannedAt: "2026-12-01T10:00:00.000Z",
  rows: Object.entries(emails).map(([id, email]) => ({ hash: key(email), contactIds: [id] })),
});

describe("pending batches of an unfinished run", () => {
  const wanted = new Map([[key("ann@example.com"), { digest: key("ann@example.com") }]]);

  it("resumes a batch whose every row still agrees with the segment", () => {
    const p = partitionPending(
      [
        { key: "k1", batch: batch("add", { c1: "ann@example.com" }) },
        { key: "k2", batch: batch("remove", { c2: "bob@example.com" }) },
      ],
      wanted,
    );
    expect(p.resume.map((b) => b.key)).toEqual(["k1", "k2"]);
    expect(p.takeOver).toEqual([]);
  });

  it("takes over a batch with one row that contradicts the segment", () => {
    const p = partitionPending(
      [{ key: "k1", batch: batch("add", { c1: "ann@example.com", c2: "bob@example.com" }) }],
      wanted,
    );
    expect(p.takeOver.map((b) => b.key)).toEqual(["k1"]);
    expect([...p.changes.mayHaveAdded.keys()].sort()).toEqual(
      [key("ann@example.com"), key("bob@example.com")].sort(),
    );
  });
});

describe("the diff around pending changes", () => {
  const members = [member("c1", "ann@example.com"), member("c2", "bob@example.com", false)];

  it("does not plan again what a resumed batch will send", () => {
    const pending = partitionPending(
      [{ key: "k", batch: batch("add", { c1: "ann@example.com" }) }],
      new Map([[key("ann@example.com"), { digest: key("ann@example.com") }]]),
    );
    const diff = planMembershipDiff(members, [], rules, pending.changes);
    expect(diff).toMatchObject({ adds: [], removes: [], unchanged: 1 });
  });

  it("removes what a taken-over add may have put there, and adds what it was still right about", () => {
    const pending = partitionPending(
      [{ key: "k", batch: batch("add", { c1: "ann@example.com", c2: "bob@example.com" }) }],
      new Map([[key("ann@example.com"), { digest: key("ann@example.com") }]]),
    );
    const diff = planMembershipDiff(members, [], rules, pending.changes);
    expect(diff.adds.map((i) => [i.identifierHash, i.contactIds])).toEqual([
      [key("ann@example.com"), ["c1"]],
    ]);
    expect(diff.removes.map((i) => [i.identifierHash, i.contactIds])).toEqual([
      [key("bob@example.com"), ["c2"]],
    ]);
  });

  it("adds back a held member a taken-over remove may have removed", () => {
    const pending = partitionPending(
      [{ key: "k", batch: batch("remove", { c1: "ann@example.com" }) }],
      new Map([[key("ann@example.com"), { digest: key("ann@example.com") }]]),
    );
    const held = [{ contactId: "c1", identifierHash: key("ann@example.com") }];
    const diff = planMembershipDiff(members, held, rules, pending.changes);
    expect(diff.adds.map((a) => a.contactIds)).toEqual([["c1"]]);
    expect(diff.removes).toEqual([]);
  });
});

describe("a run's final status", () => {
  const row = (over: Partial<SettledBatchRow>): SettledBatchRow => ({
    op: "add",
    batch: 1,
    status: "succeeded",
    accepted: 10,
    errorCode: null,
    error: null,
    ...over,
  });

  it("stays open while a planned batch has no outcome", () => {
    expect(runOutcome(2, [row({})])).toBeUndefined();
  });

  it("counts a batch delivered twice once", () => {
    expect(runOutcome(2, [row({}), row({}), row({ batch: 2 })])).toMatchObject({
      status: "succeeded",
      reason: null,
      acceptedAdds: 20,
    });
  });

  it("is failed with the first failure's code and message when a batch was not delivered", () => {
    const outcome = runOutcome(2, [
      row({ op: "remove", accepted: 3 }),
      row({
        batch: 2,
        status: "failed",
        accepted: 0,
        errorCode: "meta_190",
        error: "Check META_ACCESS_TOKEN.",
      }),
    ]);
    expect(outcome).toMatchObject({
      status: "failed",
      failed: 1,
      acceptedRemoves: 3,
      errorCodes: ["meta_190"],
    });
    expect(outcome?.reason).toContain(
      "1 of 2 batches not delivered; add batch 2 (meta_190): Check META_ACCESS_TOKEN.",
    );
  });

  it("is partially rejected when the destination refused some rows", () => {
    expect(runOutcome(1, [row({ status: "partial" })])?.status).toBe("partially_rejected");
  });
});
