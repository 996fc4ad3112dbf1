import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDemoState } from "../../functions/cli/demo/demo-state.js";
import { runDemo } from "../../functions/cli/demo/run-demo.js";
import { generateDeliveries } from "../../functions/cli/demo/synthetic/generate.js";
import { startMetaSandbox } from "../../functions/destinations/meta/sandbox.js";
import { createBigQueryWarehouse } from "../../functions/platform/gcp/bigquery-warehouse.js";
import { createDuckDbWarehouse } from "../../functions/platform/local/duckdb-warehouse.js";
import type { Warehouse } from "../../functions/platform/ports.js";
import { type BigQueryEmulators, startBigQueryEmulators } from "../support/bigquery-emulator.js";
import {
  canonicalRows,
  contactEmails,
  diffRows,
  type ParityTable,
  type TableDiff,
} from "./gcp-parity.js";
import { type GcpRun, runGcpPipeline } from "./gcp-pipeline.js";

/**
 * The whole pipeline through the GCP adapters against the emulators (fake-gcs-server, the
 * BigQuery emulator), then its tables compared with the DuckDB demo run of the same synthetic
 * deliveries. A row in one and not the other is a parity bug (docs/operations.md lists those
 * found and fixed). Small data: the emulator runs each statement in DuckDB through SQLGlot.
 */
const repoRoot = resolve(import.meta.dirname, "../..");
const CONTACTS = 30;
const SEED = 11;
const AUDIENCE = "23850000000000001";

const RUN_TIMES = ["_received_at", "assigned_at", "added_at", "recorded_at", "started_at"];
const TABLES: readonly ParityTable[] = [
  { name: "raw.shopify_orders", ignore: ["_received_at"], json: ["payload"] },
  { name: "raw.sendgrid_events", ignore: ["_received_at"], json: ["payload"] },
  { name: "staging.stg_shopify__orders", ignore: RUN_TIMES },
  { name: "staging.stg_sendgrid__events", ignore: RUN_TIMES },
  { name: "staging.int_identifiers__unioned", ignore: RUN_TIMES },
  { name: "staging.int_consent_events__unioned", ignore: RUN_TIMES },
  {
    name: "staging.int_identity__node_contacts",
    ignore: RUN_TIMES,
    contactIds: ["contact_id"],
  },
  { name: "marts.dim_contacts", ignore: RUN_TIMES, contactIds: ["contact_id"] },
  { name: "marts.fct_orders", ignore: RUN_TIMES, contactIds: ["contact_id"] },
  { name: "marts.fct_email_events", ignore: RUN_TIMES, contactIds: ["contact_id"] },
  { name: "marts.seg_recent_purchasers", ignore: RUN_TIMES, contactIds: ["contact_id"] },
  { name: "ops.sync_members", ignore: [...RUN_TIMES, "run_id"], contactIds: ["contact_id"] },
];

let emulators: BigQueryEmulators | string;
let dir: string;
let gcp: GcpRun;
let localAudience: string[];
const diffs = new Map<string, TableDiff>();

describe("the pipeline through the GCP adapters on the emulators, compared with DuckDB", () => {
  beforeAll(async () => {
    emulators = await startBigQueryEmulators("the end-to-end run through the GCP adapters", {
      project: "unistack-e2e",
    });
    if (typeof emulators === "string") return;
    dir = await mkdtemp(join(tmpdir(), "unistack-gcp-e2e-"));
    const anchor = new Date().toISOString();
    const generated = generateDeliveries({
      contacts: CONTACTS,
      seed: SEED,
      run: 1,
      now: new Date(anchor),
      // The demo sends its Zoom webinars too: both runs land the same deliveries.
      webinars: true,
    });

    // The DuckDB run: the demo, on the very same scenario (same seed, size and anchor).
    const localDir = join(dir, "local");
    await mkdir(localDir, { recursive: true });
    await writeDemoState(localDir, {
      version: 1,
      seed: SEED,
      contacts: CONTACTS,
      anchor,
      runs: 0,
      metaAudienceId: AUDIENCE,
    });
    const options = { dir: localDir, contacts: CONTACTS, seed: SEED, fresh: false };
    await runDemo({ ...options, concurrency: 4, projectDir: repoRoot }, { interactive: false });
    const sandbox = await startMetaSandbox({
      statePath: join(localDir, "sandbox", "meta-audiences.json"),
    });
    localAudience = [...sandbox.members(AUDIENCE)].sort();
    await sandbox.close();

    gcp = await runGcpPipeline({
      emulators,
      deliveries: generated.deliveries,
      projectDir: repoRoot,
      sandboxDir: join(dir, "gcp-sandbox"),
      audienceId: AUDIENCE,
    });

    const bigquery = createBigQueryWarehouse({ bigquery: emulators.bigquery, location: "EU" });
    const duckdb = await createDuckDbWarehouse({ path: join(localDir, "warehouse.duckdb") });
    try {
      const emails = { bq: await contactEmails(bigquery), duck: await contactEmails(duckdb) };
      for (const table of TABLES) {
        const rows = async (w: Warehouse, e: Map<string, string>) => canonicalRows(w, table, e);
        diffs.set(
          table.name,
          diffRows(await rows(bigquery, emails.bq), await rows(duckdb, emails.duck)),
        );
      }
    } finally {
      await duckdb.close();
    }
  }, 600_000);

  afterAll(async () => {
    if (typeof emulators !== "string") await emulators?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("lands, loads, models and activates through the GCP adapters", (ctx) => {
    if (typeof emulators === "string") return ctx.skip(emulators);
    expect(gcp.accepted).toBeGreaterThan(0);
    expect(gcp.load).toMatchObject({ status: "complete", failed: [] });
    expect(gcp.load.status !== "skipped" && gcp.load.jobs).toBeGreaterThan(0);
    expect(gcp.graph.results.filter((r) => r.status !== "succeeded")).toEqual([]);
    expect(gcp.plan.plannedAdds).toBeGreaterThan(0);
    expect(gcp.activations.every((a) => a.status === "succeeded")).toBe(true);
    expect(gcp.audience).toHaveLength(gcp.plan.plannedAdds);
  });

  for (const { name } of TABLES) {
    it(`${name} holds the same rows as the DuckDB run`, (ctx) => {
      if (typeof emulators === "string") return ctx.skip(emulators);
      const diff = diffs.get(name);
      expect(diff?.rows.bigquery).toBeGreaterThan(0);
      expect(diff).toEqual({ ...diff, onlyBigQuery: [], onlyDuckDb: [] });
    });
  }

  it("leaves the same members in the Meta sandbox audience as the DuckDB run", (ctx) => {
    if (typeof emulators === "string") return ctx.skip(emulators);
    expect(localAudience.length).toBeGreaterThan(0);
    expect(gcp.audience).toEqual(localAudience);
  });
});
