import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoResult, runDemo } from "../../functions/cli/demo/run-demo.js";
import { generateDeliveries } from "../../functions/cli/demo/synthetic/generate.js";
import { startMetaSandbox } from "../../functions/destinations/meta/sandbox.js";
import { createDuckDbWarehouse } from "../../functions/platform/local/duckdb-warehouse.js";
import { createLogger } from "../../functions/platform/logger.js";

const repoRoot = resolve(import.meta.dirname, "../..");
const CONTACTS = 300;
const SEED = 7;

interface Snapshot {
  readonly audience: string[];
  readonly expectedAudience: string[];
  readonly contactEmails: string[];
  readonly contactIds: Map<string, string>;
  readonly raw: { shopify: number; sendgrid: number; zoom: number };
  readonly quarantine: { records: number; withReasons: number };
  readonly mergedAcrossSources: number;
}

/** Reads back, with fresh connections, what a user would look at after a demo run. */
async function inspect(dir: string, audienceId: string): Promise<Snapshot> {
  const warehouse = await createDuckDbWarehouse({ path: join(dir, "warehouse.duckdb") });
  try {
    const contacts = await warehouse.query<{ contact_id: string; email: string }>(
      "SELECT contact_id, email FROM marts.dim_contacts",
    );
    const eligible = await warehouse.query<{ email: string }>(
      "SELECT email FROM marts.seg_recent_purchasers WHERE consent_ad_user_data AND email IS NOT NULL",
    );
    const [raw] = await warehouse.query<{ shopify: number; sendgrid: number; zoom: number }>(
      `SELECT (SELECT COUNT(*) FROM raw.shopify_orders) AS shopify, (SELECT COUNT(*) FROM raw.sendgrid_events) AS sendgrid,
         (SELECT COUNT(*) FROM raw.zoom_webinar_events) + (SELECT COUNT(*) FROM raw.zoom_registration_events)
           + (SELECT COUNT(*) FROM raw.zoom_participant_events) AS zoom`,
    );
    const [merged] = await warehouse.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM marts.dim_contacts c
        WHERE EXISTS (SELECT 1 FROM marts.fct_orders o WHERE o.contact_id = c.contact_id)
          AND EXISTS (SELECT 1 FROM marts.fct_email_events e WHERE e.contact_id = c.contact_id)`,
    );
    const sandbox = await startMetaSandbox({
      statePath: join(dir, "sandbox", "meta-audiences.json"),
    });
    const audience = sandbox.members(audienceId);
    await sandbox.close();
    const quarantine = { records: 0, withReasons: 0 };
    const { createFsObjectStore } = await import(
      "../../functions/platform/local/fs-object-store.js"
    );
    const store = createFsObjectStore({ root: join(dir, "lake") });
    for (const object of await store.list("quarantine/")) {
      const text = new TextDecoder().decode(await store.get(object.key));
      for (const line of text.split("\n").filter((l) => l.trim())) {
        quarantine.records++;
        const reasons = (JSON.parse(line) as { reasons?: unknown[] }).reasons ?? [];
        if (reasons.length > 0) quarantine.withReasons++;
      }
    }
    return {
      audience,
      expectedAudience: eligible.map((r) => sha256(r.email)).sort(),
      contactEmails: contacts.map((c) => c.email).sort(),
      contactIds: new Map(contacts.map((c) => [c.email, c.contact_id])),
      raw: { shopify: raw?.shopify ?? 0, sendgrid: raw?.sendgrid ?? 0, zoom: raw?.zoom ?? 0 },
      quarantine,
      mergedAcrossSources: merged?.n ?? 0,
    };
  } finally {
    await warehouse.close();
  }
}

function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

describe("unistack demo, end to end at small scale", () => {
  let dir: string;
  let first: DemoResult;
  let second: DemoResult;
  let afterFirst: Snapshot;
  let afterSecond: Snapshot;
  let state: { anchor: string; metaAudienceId: string };
  let generated: ReturnType<typeof generateDeliveries>;
  const logLines: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "unistack-e2e-"));
    const options = {
      dir,
      contacts: CONTACTS,
      seed: SEED,
      fresh: true,
      concurrency: 8,
      projectDir: repoRoot,
    };
    const logger = createLogger({
      level: "info",
      destination: { write: (line: string) => void logLines.push(line) },
    });
    first = await runDemo({ ...options, logger }, { interactive: false });
    state = JSON.parse(await readFile(join(dir, "demo-state.json"), "utf8"));
    generated = generateDeliveries({
      contacts: CONTACTS,
      seed: SEED,
      run: 1,
      now: new Date(state.anchor),
      webinars: true,
    });
    afterFirst = await inspect(dir, state.metaAudienceId);
    second = await runDemo({ ...options, fresh: false }, { interactive: false });
    afterSecond = await inspect(dir, state.metaAudienceId);
  }, 240_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("lands every valid record in its raw table exactly once, redeliveries included", () => {
    const { expected } = generated;
    expect(afterFirst.raw).toEqual({
      shopify: expected.shopify.validRecords,
      sendgrid: expected.sendgrid.rawRows,
      // One record per Zoom delivery (one event each); redeliveries land nothing.
      zoom: expected.zoom.deliveries,
    });
    expect(expected.zoom.deliveries).toBeGreaterThan(0);
    expect(first.summary.redeliveries.requests).toBeGreaterThan(0);
    expect(first.summary.redeliveries.accepted).toBe(0);
    expect(first.summary.redeliveries.duplicate).toBeGreaterThan(0);
  });

  it("quarantines each deliberately broken record with its reasons and lands the rest of its batch", () => {
    const { expected } = generated;
    const broken = expected.shopify.invalidRecords + expected.sendgrid.invalidRecords;
    expect(broken).toBeGreaterThan(0);
    expect(afterFirst.quarantine).toEqual({ records: broken, withReasons: broken });
    expect(first.summary.quarantine.records).toBe(broken);
  });

  it("resolves one contact per person across Shopify and SendGrid despite messy emails", () => {
    const people = generated.people.filter((p) => p.firstRun === 1);
    expect(afterFirst.contactEmails).toEqual(people.map((p) => p.email).sort());
    expect(afterFirst.mergedAcrossSources).toBeGreaterThan(0);
    expect(afterFirst.mergedAcrossSources).toBeLessThanOrEqual(generated.expected.people.both);
    expect(first.summary.contacts.total).toBe(people.length);
  });

  it("fills the Meta audience with exactly the recent purchasers who gave ad_user_data consent, hashed", () => {
    expect(afterFirst.expectedAudience.length).toBeGreaterThan(0);
    expect(afterFirst.audience).toEqual(afterFirst.expectedAudience);
    expect(first.summary.activation.adds).toBe(afterFirst.expectedAudience.length);
    expect(first.summary.activation.removes).toBe(0);
  });

  it("keeps every contact id on the second run and adds the new people", () => {
    for (const [email, id] of afterFirst.contactIds)
      expect(afterSecond.contactIds.get(email)).toBe(id);
    expect(afterSecond.contactIds.size).toBeGreaterThan(afterFirst.contactIds.size);
  });

  it("sends only the changes on the second run and leaves the audience right", () => {
    const before = new Set(afterFirst.audience);
    const after = new Set(afterSecond.audience);
    const added = [...after].filter((h) => !before.has(h)).length;
    const removed = [...before].filter((h) => !after.has(h)).length;
    expect(afterSecond.audience).toEqual(afterSecond.expectedAudience);
    expect(second.summary.activation.adds).toBe(added);
    expect(second.summary.activation.removes).toBe(removed);
    expect(added + removed).toBeGreaterThan(0);
    expect(added + removed).toBeLessThan(afterFirst.audience.length);
  });

  it("logs what happened in Cloud Logging's shape without a single email address", () => {
    expect(logLines.length).toBeGreaterThan(100);
    expect(logLines.every((line) => "severity" in JSON.parse(line))).toBe(true);
    const emails = logLines.filter((line) => /[\w.+-]+@[\w-]+\.[\w.]+/.test(line));
    expect(emails).toEqual([]);
  });

  it("loads each run's new files in micro-batches and says how many were already loaded", () => {
    const load = (stages: DemoResult["stages"]) =>
      stages.find((s) => s.id === "load")?.result ?? "";
    const numbers = (text: string) =>
      /^([\d,]+) files loaded \(([\d,]+) rows, (\d+) load jobs?\), ([\d,]+) already loaded/
        .exec(text)
        ?.slice(1)
        .map((n) => Number(n.replaceAll(",", "")));
    const [files1, rows1, jobs1, already1] = numbers(load(first.stages)) ?? [];
    expect(rows1).toBe(afterFirst.raw.shopify + afterFirst.raw.sendgrid + afterFirst.raw.zoom);
    expect(already1).toBe(0);
    expect(jobs1).toBeLessThan(files1 ?? 0);
    const [files2, , , already2] = numbers(load(second.stages)) ?? [];
    expect(already2).toBe(files1);
    expect(files2).toBeGreaterThan(0);
  });

  it("times every stage so the benchmark can report them", () => {
    expect(first.stages.map((s) => s.id)).toEqual([
      "generate",
      "ingest",
      "load",
      "model",
      "activate",
      "report",
    ]);
  });
});
