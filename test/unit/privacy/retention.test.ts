import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyRetention, RETENTION_DEFAULTS } from "../../../functions/core/privacy/retention.js";
import type { DuckDbWarehouse } from "../../../functions/platform/local/duckdb-warehouse.js";
import { NOW } from "../handlers/deliveries.js";
import { capturingLogger, createLake, fixedClock, type Lake } from "../handlers/harness.js";
import { seedDeployment } from "./erasure-harness.js";

const DAY = 86_400_000;
const streams = [{ source: "sendgrid", stream: "events" }];

let lake: Lake;
let warehouse: DuckDbWarehouse;
beforeEach(async () => {
  lake = await createLake();
  warehouse = await seedDeployment(lake);
  for (const key of [
    "quarantine/shopify/orders/dt=2025-11-01/old.ndjson",
    "quarantine/shopify/orders/dt=2026-02-20/recent.ndjson",
    "activation/meta_recent_purchasers/20260120T100000Z-abcdef/add-1.json",
    "activation/meta_recent_purchasers/20260228T100000Z-abcdef/add-1.json",
    "privacy/exports/dt=2026-01-15/old.json",
    "privacy/exports/dt=2026-02-27/recent.json",
    "loads/manifests/raw/sendgrid/events/m.json",
  ]) {
    await lake.store.put(key, "{}\n");
  }
});
afterEach(() => lake.cleanup());

const run = (at: Date) =>
  applyRetention(
    { store: lake.store, warehouse, clock: fixedClock(at), logger: capturingLogger().logger },
    { policy: RETENTION_DEFAULTS, streams },
  );

describe("retention applied locally (unistack retention)", () => {
  it("deletes quarantine, activation batches and exports older than their layer allows, and nothing else", async () => {
    const rawBefore = await lake.keys("raw/");
    const result = await run(NOW);
    expect(result.objects).toEqual({
      "raw/": 0,
      "quarantine/": 1,
      "privacy/exports/": 1,
      "activation/": 1,
    });
    expect(await lake.keys("quarantine/")).toEqual([
      "quarantine/shopify/orders/dt=2026-02-20/recent.ndjson",
    ]);
    expect(await lake.keys("activation/")).toEqual([
      "activation/meta_recent_purchasers/20260228T100000Z-abcdef/add-1.json",
    ]);
    expect(await lake.keys("privacy/exports/")).toEqual([
      "privacy/exports/dt=2026-02-27/recent.json",
    ]);
    expect(await lake.keys("raw/")).toEqual(rawBefore);
    expect(await lake.keys("loads/")).toContain("loads/manifests/raw/sendgrid/events/m.json");
    expect(result.rows).toEqual({ "raw.sendgrid_events": 0 });
  });

  it("expires raw objects and raw rows once raw_retention_days have passed, as the cloud's lifecycle and partition expiration do", async () => {
    const rows = await warehouse.query("SELECT COUNT(*) AS n FROM raw.sendgrid_events");
    const later = new Date(NOW.getTime() + (RETENTION_DEFAULTS.rawDays + 2) * DAY);
    const result = await run(later);
    expect(result.rows).toEqual({ "raw.sendgrid_events": Number(rows[0]?.n) });
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
    expect(await warehouse.query("SELECT * FROM raw.sendgrid_events")).toEqual([]);
    expect(await lake.keys("raw/")).toEqual([]);
    expect(await run(later)).toMatchObject({ rows: { "raw.sendgrid_events": 0 } });
  });

  it("uses the same defaults as the cloud's Terraform variables (configured once)", () => {
    const tf = readFileSync(resolve(import.meta.dirname, "../../../infra/variables.tf"), "utf8");
    const defaultOf = (name: string) =>
      Number(new RegExp(`variable "${name}" \\{[^}]*?default\\s*=\\s*(\\d+)`, "s").exec(tf)?.[1]);
    expect({
      rawDays: defaultOf("raw_retention_days"),
      quarantineDays: defaultOf("lake_quarantine_delete_after_days"),
      activationDays: defaultOf("lake_activation_delete_after_days"),
      exportsDays: defaultOf("lake_exports_delete_after_days"),
    }).toEqual(RETENTION_DEFAULTS);
  });
});
