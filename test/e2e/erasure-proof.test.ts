import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseCommand } from "../../functions/cli/commands/erase.js";
import { exportCommand } from "../../functions/cli/commands/export.js";
import { sweepLocalLake } from "../../functions/cli/commands/load.js";
import { openDemo } from "../../functions/cli/demo/demo-context.js";
import { runDemo } from "../../functions/cli/demo/run-demo.js";
import { type SendTally, sendDeliveries } from "../../functions/cli/demo/send-deliveries.js";
import {
  generateDeliveries,
  type SyntheticPerson,
} from "../../functions/cli/demo/synthetic/generate.js";
import { rawTableSpec } from "../../functions/core/raw-table.js";
import { compileProject, runDuckDbGraph } from "../../functions/dataform/index.js";
import { startIngestServer } from "../../functions/handlers/ingest-server.js";
import { createDuckDbWarehouse } from "../../functions/platform/local/duckdb-warehouse.js";
import {
  filesNaming,
  lakeRecords,
  mentions,
  type Needles,
  needlesOf,
  type Row,
  rowText,
  warehouseRows,
} from "./erasure/search.js";

/**
 * The proof of erasure (issue 10): erase two people from a demo deployment, then search every
 * file of the folder (lake, sandbox state, the warehouse file's bytes) and every table and view
 * for their identifiers, plain and hashed as Meta and Google receive them: nothing is found, and
 * everyone else's data is intact. Then the next day and a replay of every delivery must not bring
 * them back, nor a restored raw table.
 */
const repoRoot = resolve(import.meta.dirname, "../..");
const CONTACTS = 150;
const SEED = 11;
/** Bookkeeping that grows with every run (an erasure's removal is a sync run too). */
const GROWS = /^(ops\.(sync_runs|sync_batches|sync_run_outcomes|load_jobs)|ops_load\.|privacy\.)/;

const sha256 = (v: string) => createHash("sha256").update(v).digest("hex");

interface Snapshot {
  readonly rows: Map<string, Row[]>;
  readonly lake: { total: Map<string, number>; naming: Map<string, number> };
  readonly audience: string[];
}

async function audienceOf(dir: string): Promise<string[]> {
  const state = JSON.parse(await readFile(join(dir, "sandbox", "meta-audiences.json"), "utf8"));
  // Sandbox state file v2: held rows of hashed keys (this sync sends EMAIL only).
  return Object.values(state.audiences as Record<string, { rows: Array<{ EMAIL?: string }> }>)
    .flatMap((a) => a.rows)
    .flatMap((row) => (row.EMAIL ? [row.EMAIL] : []));
}

async function snapshot(dir: string, needles: readonly Needles[]): Promise<Snapshot> {
  return {
    rows: await warehouseRows(join(dir, "warehouse.duckdb")),
    lake: await lakeRecords(join(dir, "lake"), needles),
    audience: await audienceOf(dir),
  };
}

function namingRows(rows: readonly Row[], needles: readonly Needles[]): Row[] {
  return rows.filter((row) => needles.some((n) => mentions(rowText(row), n).length > 0));
}

describe("erasure, proven on a demo deployment", () => {
  let dir: string;
  let people: SyntheticPerson[];
  let needles: Needles[];
  let before: Snapshot;
  let after: Snapshot;
  let exitCodes: number[];
  let filesBefore: string[][];
  let anchor: string;
  let exported: { code: number; text: string; mode: number };
  let firstContacts: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "unistack-erasure-"));
    const options = { dir, contacts: CONTACTS, seed: SEED, fresh: true, concurrency: 8 };
    await runDemo({ ...options, projectDir: repoRoot }, { interactive: false });
    anchor = JSON.parse(await readFile(join(dir, "demo-state.json"), "utf8")).anchor;
    const generated = generateDeliveries({ contacts: CONTACTS, seed: SEED, now: new Date(anchor) });
    const audience = await audienceOf(dir);
    const inAudience = generated.people.find(
      (p) => p.inShopify && p.inSendgrid && audience.includes(sha256(p.email)),
    );
    const withPhone = generated.people.find(
      (p) => p !== inAudience && p.phone !== null && p.inShopify && p.inSendgrid,
    );
    if (!inAudience || !withPhone)
      throw new Error("the demo data lacks the people this test needs");
    people = [inAudience, withPhone];
    const rows = await warehouseRows(join(dir, "warehouse.duckdb"));
    const contacts = rows.get("marts.dim_contacts") ?? [];
    needles = people.map((p) =>
      needlesOf(
        p,
        contacts.filter((c) => c.email === p.email).map((c) => String(c.contact_id)),
      ),
    );
    firstContacts = contacts
      .filter((c) => c.email === inAudience.email)
      .map((c) => String(c.contact_id))
      .sort();
    before = await snapshot(dir, needles);
    filesBefore = await Promise.all(needles.map((n) => filesNaming(dir, n)));
    // An access request first (outside the folder, which the proof searches afterwards).
    const exportDir = await mkdtemp(join(tmpdir(), "unistack-export-"));
    const out = join(exportDir, "person.json");
    const code = await exportCommand({
      email: [inAudience.email],
      phone: [],
      contact: [],
      out,
      dir,
      project: repoRoot,
    });
    exported = { code, text: await readFile(out, "utf8"), mode: (await stat(out)).mode & 0o777 };
    await rm(exportDir, { recursive: true, force: true });
    const flags = {
      contact: [],
      dir,
      project: repoRoot,
      deep: false,
      resume: false,
      reapply: false,
    };
    exitCodes = [
      // A messy variant of the address: erasure normalizes it as the models do.
      await eraseCommand({ ...flags, email: [`  ${inAudience.email.toUpperCase()} `], phone: [] }),
      await eraseCommand({ ...flags, email: [withPhone.email], phone: [withPhone.phone ?? ""] }),
    ];
    after = await snapshot(dir, needles);
  }, 400_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("finds both people in the lake, the tables and the Meta audience before (the search has teeth)", () => {
    for (const [i, n] of needles.entries()) {
      const files = filesBefore[i] ?? [];
      expect(files.some((f) => f.startsWith("lake/raw/shopify/"))).toBe(true);
      expect(files.some((f) => f.startsWith("lake/raw/sendgrid/"))).toBe(true);
      const tables = [...before.rows].filter(([, rows]) => namingRows(rows, [n]).length > 0);
      const names = tables.map(([t]) => t);
      expect(names).toEqual(expect.arrayContaining(["raw.shopify_orders", "raw.sendgrid_events"]));
      expect(names).toEqual(expect.arrayContaining(["marts.dim_contacts", "marts.fct_orders"]));
    }
    expect(before.audience).toContain(sha256(people[0]?.email ?? ""));
    expect(filesBefore[0]?.some((f) => f.startsWith("sandbox/"))).toBe(true);
    expect(before.lake.naming.get("raw/shopify/orders")).toBeGreaterThan(0);
    expect(before.lake.naming.get("raw/sendgrid/events")).toBeGreaterThan(0);
    expect(before.lake.naming.get("activation")).toBeGreaterThan(0);
  });

  it("answers an access request with the person's records, rows and consent history, and nobody else's", () => {
    expect(exported.code).toBe(0);
    expect(exported.mode).toBe(0o600);
    const doc = JSON.parse(exported.text);
    const person = people[0];
    const contactIds = firstContacts;
    expect(doc.contactIds).toEqual([...contactIds].sort());
    const rawNaming = (table: string) =>
      namingRows(before.rows.get(table) ?? [], needles.slice(0, 1));
    expect(doc.sources.shopify.orders.length).toBe(rawNaming("raw.shopify_orders").length);
    expect(doc.sources.sendgrid.events.length).toBe(rawNaming("raw.sendgrid_events").length);
    expect(doc.tables["marts.dim_contacts"].map((r: Row) => r.contact_id).sort()).toEqual(
      [...contactIds].sort(),
    );
    expect(doc.consentHistory.length).toBeGreaterThan(0);
    expect(doc.destinations["ops.sync_members"].length).toBeGreaterThan(0);
    // SendGrid's smtp-id (<id>@ismtpd….sendgrid.net) is shaped like an address: not a person.
    const emails = new Set(
      [...exported.text.matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g)]
        .map((m) => m[0].toLowerCase())
        .filter((e) => !e.endsWith(".sendgrid.net")),
    );
    expect([...emails]).toEqual([person?.email.toLowerCase()]);
  });

  it("completes both erasures (exit 0)", () => {
    expect(exitCodes).toEqual([0, 0]);
  });

  it("leaves no file of the deployment naming them, plain or hashed (lake, sandbox, warehouse file)", async () => {
    for (const n of needles) expect(await filesNaming(dir, n), n.label).toEqual([]);
  });

  it("leaves no table or view naming them", () => {
    for (const [table, rows] of after.rows) {
      expect(namingRows(rows, needles).map(rowText), table).toEqual([]);
    }
  });

  it("keeps everyone else's rows: every table has its rows before minus exactly theirs", () => {
    const checked: string[] = [];
    // Rows keyed by one of their orders only (order lines, refunds) are theirs too.
    const theirOrders = new Set(
      namingRows(before.rows.get("staging.stg_shopify__orders") ?? [], needles).map((r) =>
        String(r.order_id),
      ),
    );
    // So are rows keyed by one of their email events only (an event's categories).
    const theirEvents = new Set(
      namingRows(before.rows.get("staging.stg_sendgrid__events") ?? [], needles).map((r) =>
        String(r.event_id),
      ),
    );
    // Identity's rows of a record carry it as record_key (`shopify:order:<id>`): an order's
    // name, address and date-of-birth identifiers name the person without their email or phone.
    const recordKeys = new Set([
      ...[...theirOrders].map((id) => `shopify:order:${id}`),
      ...[...theirEvents].map((id) => `sendgrid:email_event:${id}`),
    ]);
    const isTheirs = (row: Row) =>
      namingRows([row], needles).length > 0 ||
      (row.order_id !== undefined && theirOrders.has(String(row.order_id))) ||
      (row.event_id !== undefined && theirEvents.has(String(row.event_id))) ||
      (row.record_key !== undefined && recordKeys.has(String(row.record_key)));
    for (const [table, rows] of before.rows) {
      if (GROWS.test(table)) continue;
      const theirs = rows.filter(isTheirs).length;
      expect(after.rows.get(table)?.length, table).toBe(rows.length - theirs);
      checked.push(table);
    }
    expect(checked).toEqual(
      expect.arrayContaining(["raw.shopify_orders", "raw.sendgrid_events", "marts.dim_contacts"]),
    );
  });

  it("keeps every other record of the lake: each location has its records before minus theirs", () => {
    for (const [location, total] of before.lake.total) {
      const theirs = before.lake.naming.get(location) ?? 0;
      expect(after.lake.total.get(location) ?? 0, location).toBe(total - theirs);
    }
  });

  it("removes exactly them from the Meta audience", () => {
    const erased = people.map((p) => sha256(p.email));
    expect(after.audience).toEqual(before.audience.filter((h) => !erased.includes(h)));
    expect(after.audience.length).toBeGreaterThan(0);
  });

  it("writes a report per erasure with counts per location and no personal data", async () => {
    const reportsDir = join(dir, "lake", "privacy", "reports");
    const reports = await readdir(reportsDir);
    expect(reports).toHaveLength(2);
    for (const name of reports) {
      const text = await readFile(join(reportsDir, name), "utf8");
      for (const n of needles) expect(mentions(text, n)).toEqual([]);
      const report = JSON.parse(text) as {
        status: string;
        removed: { location: string; count: number }[];
      };
      expect(report.status).toBe("completed");
      const where = new Map(report.removed.map((r) => [r.location, r.count]));
      expect(where.get("warehouse:raw.shopify_orders")).toBeGreaterThan(0);
      expect(where.get("lake:raw/shopify/orders")).toBeGreaterThan(0);
      expect(where.get("warehouse:marts.dim_contacts")).toBe(1);
    }
  });

  it("does not bring them back when every delivery is replayed and the next day runs", async () => {
    const ctx = await openDemo({
      dir,
      contacts: CONTACTS,
      seed: SEED,
      fresh: false,
      concurrency: 8,
      projectDir: repoRoot,
    });
    let tally: SendTally;
    try {
      const { store, secrets, clock, logger } = ctx.platform;
      const server = await startIngestServer({ deps: { store, secrets, clock, logger } });
      try {
        const replay = generateDeliveries({
          contacts: CONTACTS,
          seed: SEED,
          now: new Date(anchor),
        });
        tally = await sendDeliveries(server.url, replay.deliveries, ctx.keys, {
          concurrency: 8,
          nowSeconds: () => Math.floor(Date.now() / 1000),
        });
      } finally {
        await server.close();
      }
      await sweepLocalLake(ctx.platform);
    } finally {
      await ctx.close();
    }
    const sum = (k: "accepted" | "suppressed") =>
      Object.values(tally).reduce((n, t) => n + t[k], 0);
    expect(sum("accepted")).toBe(0);
    expect(sum("suppressed")).toBeGreaterThan(0);
    await runDemo(
      { dir, contacts: CONTACTS, seed: SEED, fresh: false, concurrency: 8, projectDir: repoRoot },
      { interactive: false },
    );
    for (const n of needles) expect(await filesNaming(dir, n), n.label).toEqual([]);
    for (const [table, rows] of await warehouseRows(join(dir, "warehouse.duckdb"))) {
      expect(namingRows(rows, needles).map(rowText), table).toEqual([]);
    }
  }, 300_000);

  it("keeps a restored raw table's rows of them out of the models, and --reapply erases them again", async () => {
    const restored = new Map<string, Row[]>();
    for (const table of ["raw.shopify_orders", "raw.sendgrid_events"]) {
      restored.set(table, namingRows(before.rows.get(table) ?? [], needles));
    }
    const warehouse = await createDuckDbWarehouse({ path: join(dir, "warehouse.duckdb") });
    try {
      for (const [table, rows] of restored) {
        const [source, stream] = table.slice(4).split("_") as [string, string];
        await warehouse.insertRows(rawTableSpec(source, stream), rows);
      }
      const graph = await compileProject({ projectDir: repoRoot, target: "duckdb" });
      await runDuckDbGraph(warehouse, graph);
      for (const table of [
        "staging.stg_shopify__orders",
        "staging.stg_sendgrid__events",
        "marts.dim_contacts",
        "marts.fct_orders",
        "marts.fct_email_events",
        "marts.seg_recent_purchasers",
        "staging.int_identity__node_contacts",
      ]) {
        const rows = await warehouse.query(`SELECT * FROM ${table}`);
        expect(namingRows(rows, needles).map(rowText), table).toEqual([]);
      }
    } finally {
      await warehouse.close();
    }
    const code = await eraseCommand({
      email: [],
      phone: [],
      contact: [],
      dir,
      project: repoRoot,
      deep: false,
      resume: false,
      reapply: true,
    });
    expect(code).toBe(0);
    for (const [table, rows] of await warehouseRows(join(dir, "warehouse.duckdb"))) {
      expect(namingRows(rows, needles).map(rowText), table).toEqual([]);
    }
  }, 300_000);
});
