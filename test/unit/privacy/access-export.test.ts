import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingestWebhook } from "../../../functions/core/ingest/ingest-webhook.js";
import {
  type AccessDeps,
  accessDocumentJson,
  exportPerson,
} from "../../../functions/core/privacy/access-export.js";
import { parseAccessRequest } from "../../../functions/core/privacy/access-request.js";
import type { TableDeclaration } from "../../../functions/core/privacy/declarations.js";
import { runErasure } from "../../../functions/core/privacy/erasure.js";
import { parseErasureRequest } from "../../../functions/core/privacy/erasure-request.js";
import type { DuckDbWarehouse } from "../../../functions/platform/local/duckdb-warehouse.js";
import { SOURCE_CATALOG } from "../../../functions/sources/registry.js";
import { env, keys, NOW, STAMP, sendgridEvent, sendgridRequest } from "../handlers/deliveries.js";
import {
  capturingLogger,
  createLake,
  fixedClock,
  ingestDeps,
  type Lake,
} from "../handlers/harness.js";
import { erasureDeps, PEOPLE_TABLE, SALT, seedDeployment } from "./erasure-harness.js";

/** Consent decisions, declared like int_consent_events__unioned. */
const CONSENT_TABLE: TableDeclaration = {
  dataset: "marts",
  table: "consents",
  personal: true,
  erase: "now",
  consentHistory: true,
  identifiers: [{ column: "email", kind: "email" }],
};

let lake: Lake;
let warehouse: DuckDbWarehouse;
beforeEach(async () => {
  lake = await createLake();
  warehouse = await seedDeployment(lake);
  await warehouse.run(
    "CREATE TABLE marts.consents AS SELECT * FROM (VALUES ('person2@example.com', 'email_marketing', false, TIMESTAMP '2026-03-02 10:00:00'), ('person2@example.com', 'email_marketing', true, TIMESTAMP '2026-03-01 09:00:00'), ('person3@example.com', 'email_marketing', true, TIMESTAMP '2026-03-01 09:00:00')) v(email, purpose, is_granted, decided_at)",
  );
});
afterEach(() => lake.cleanup());

const deps = (): AccessDeps => ({
  store: lake.store,
  warehouse,
  logger: capturingLogger().logger,
  salt: SALT,
  catalogs: SOURCE_CATALOG,
  tables: [PEOPLE_TABLE, CONSENT_TABLE],
});

const request = (input: Record<string, unknown>) =>
  parseAccessRequest({ kind: "export", origin: "test", ...input });

describe("an access request (unistack export)", () => {
  it("returns the person's records per source and stream, their table rows and consent history, and nobody else's", async () => {
    // A delivery landed after the last load: found in the lake, not the raw table.
    const ingest = ingestDeps(lake, {
      env,
      clock: fixedClock(NOW),
      logger: capturingLogger().logger,
    });
    const late = [sendgridEvent(2, { sg_event_id: "evt-2c", event: "click" }), sendgridEvent(6)];
    await ingestWebhook(ingest, sendgridRequest(keys.privateKeyPem, STAMP, JSON.stringify(late)));

    const document = await exportPerson(deps(), request({ contactIds: ["ct_2"] }), NOW);
    const events = document.sources.sendgrid?.events ?? [];
    expect(events.map((r) => r.recordId).sort()).toEqual(["evt-2", "evt-2b", "evt-2c"]);
    expect(events.find((r) => r.recordId === "evt-2c")?.from).toMatch(/^raw\/sendgrid\/events\//);
    expect(events.find((r) => r.recordId === "evt-2")?.from).toBe("raw.sendgrid_events");
    expect(events.find((r) => r.recordId === "evt-2b")?.payload).toMatchObject({
      email: "person2@example.com",
      event: "open",
    });
    expect(document.contactIds).toEqual(["ct_2"]);
    expect(document.tables["marts.people"]).toEqual([
      { contact_id: "ct_2", email: "person2@example.com" },
    ]);
    expect(document.consentHistory.map((r) => [r.is_granted, r.decided_at])).toEqual([
      [true, "2026-03-01T09:00:00.000Z"],
      [false, "2026-03-02T10:00:00.000Z"],
    ]);
    expect(document.onSuppressionList).toBe(false);
    const json = accessDocumentJson(document);
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(document)));
    expect(json).not.toMatch(/person[13456]@|ct_[13456]/);
  });

  it("finds the person by an email in any spelling", async () => {
    const document = await exportPerson(
      deps(),
      request({ emails: [" PERSON5@example.COM "] }),
      NOW,
    );
    expect(document.contactIds).toEqual(["ct_5"]);
    expect((document.sources.sendgrid?.events ?? []).map((r) => r.recordId)).toEqual(["evt-5"]);
  });

  it("says the person was erased and holds nothing about them after an erasure", async () => {
    await runErasure(
      erasureDeps(lake, lake.store, warehouse, { tables: [PEOPLE_TABLE, CONSENT_TABLE] }),
      parseErasureRequest({
        kind: "erase",
        erasureId: "er_unit_access",
        emails: ["person2@example.com"],
      }),
    );
    const document = await exportPerson(deps(), request({ emails: ["person2@example.com"] }), NOW);
    expect(document.onSuppressionList).toBe(true);
    expect(document.sources).toEqual({});
    expect(document.consentHistory).toEqual([]);
    expect(Object.values(document.tables).flat()).toEqual([]);
  });

  it("refuses a request that names nobody", () => {
    expect(() => request({})).toThrow(/name the person/);
  });
});
