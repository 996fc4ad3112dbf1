import { describe, expect, it } from "vitest";
import {
  parseSyncConfig,
  parseSyncsConfig,
  syncTarget,
} from "../../../functions/core/activation/sync-config.js";
import { activateSettings, configuredSyncs } from "../../../functions/handlers/configured-syncs.js";

const segment = { dataset: "marts", table: "seg_recent_purchasers" };
const google = {
  id: "google_recent_purchasers",
  segment,
  destination: "google_ads",
  customerId: "1234567890",
  audienceId: "55",
  requiredConsent: ["ad_user_data"],
};

describe("sync definitions", () => {
  it("refuses an add path without the consent purpose the platform needs", () => {
    expect(() => parseSyncConfig({ ...google, requiredConsent: [] })).toThrow(
      /google_ads needs ad_user_data consent/,
    );
    expect(() =>
      parseSyncConfig({
        id: "sg",
        segment,
        destination: "sendgrid",
        listId: "0b7a4e0e-6c53-4b2e-a5a5-2d1f0b1e9f10",
        requiredConsent: ["ad_user_data"],
      }),
    ).toThrow(/sendgrid needs email_marketing consent/);
  });

  it("lets a CRM sync run without a marketing purpose", () => {
    const sync = parseSyncConfig({ id: "crm", segment, destination: "hubspot", mode: "upsert" });
    expect(sync.requiredConsent).toEqual([]);
    expect(syncTarget(sync)).toBe("contacts");
  });

  it("refuses an audience matched on neither email nor phone", () => {
    expect(() => parseSyncConfig({ ...google, identifiers: ["address"] })).toThrow(
      /email or phone/,
    );
  });

  it("refuses a Google customer id written with dashes", () => {
    expect(() => parseSyncConfig({ ...google, customerId: "123-456-7890" })).toThrow(/10 digits/);
  });

  it("refuses two syncs with one id", () => {
    expect(() => parseSyncsConfig({ syncs: [google, google] })).toThrow(/duplicate sync id/);
  });

  it("reads the deployment's syncs from UNISTACK_SYNCS, or the one Meta sync from META_AUDIENCE_ID", () => {
    const meta = { ...google, id: "meta_buyers", destination: "meta", audienceId: "77" };
    const env = { UNISTACK_SYNCS: JSON.stringify({ syncs: [meta, google] }) };
    expect(configuredSyncs(env).map(syncTarget)).toEqual(["77", "1234567890/55"]);
    expect(configuredSyncs({ META_AUDIENCE_ID: "42" }).map((s) => [s.id, syncTarget(s)])).toEqual([
      ["meta_recent_purchasers", "42"],
    ]);
    expect(() => configuredSyncs({ UNISTACK_SYNCS: "{" })).toThrow(/not JSON/);
    expect(() => configuredSyncs({})).toThrow(/set UNISTACK_SYNCS/);
  });

  it("deploys a HubSpot sync now that activate-hubspot delivers it, with its task key property", () => {
    const hubspot = { id: "crm", segment, destination: "hubspot", mode: "upsert" };
    const tasks = {
      id: "leads",
      segment,
      destination: "hubspot",
      mode: "tasks",
      task: { keyColumns: ["contact_id", "webinar_uuid"], subject: "Follow up {webinar_topic}" },
    };
    const env = { UNISTACK_SYNCS: JSON.stringify([hubspot, tasks]) };
    expect(configuredSyncs(env).map((s) => s.id)).toEqual(["crm", "leads"]);
    const [, parsed] = activateSettings("hubspot", env).syncs;
    expect(
      parsed?.destination === "hubspot" && parsed.mode === "tasks" && parsed.task,
    ).toMatchObject({
      keyProperty: "unistack_task_key",
      ownerColumn: "owner_id",
      dueColumn: "due_at",
    });
  });

  it("refuses a realtime rule this version does not run, rather than ignoring it", () => {
    // The purchase remove runs (test/unit/realtime); the CRM upsert has no sender yet.
    const meta = { ...google, destination: "meta", realtime: { onPurchase: "upsert" } };
    expect(() => configuredSyncs({ UNISTACK_SYNCS: JSON.stringify([meta]) })).toThrow(
      /has the realtime rule "upsert" \(purchaser to the CRM\), which this version does not run yet/,
    );
  });
});
