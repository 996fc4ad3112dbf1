import { ingestWebhook } from "../../../functions/core/ingest/ingest-webhook.js";
import { sweepRawLoads } from "../../../functions/core/loading/sweep.js";
import { LOCAL_SWEEP } from "../../../functions/core/loading/sweep-config.js";
import type { TableDeclaration } from "../../../functions/core/privacy/declarations.js";
import type { ErasureDeps } from "../../../functions/core/privacy/erasure.js";
import { LAKE_PREFIXES } from "../../../functions/core/privacy/lake-prefixes.js";
import { rawStreamsOf } from "../../../functions/handlers/load-raw.js";
import type { DuckDbWarehouse } from "../../../functions/platform/local/duckdb-warehouse.js";
import type { Logger } from "../../../functions/platform/logger.js";
import type { ObjectStore, Warehouse } from "../../../functions/platform/ports.js";
import { SOURCE_CATALOG, WEBHOOK_SOURCES } from "../../../functions/sources/registry.js";
import { env, keys, NOW, STAMP, sendgridEvent, sendgridRequest } from "../handlers/deliveries.js";
import {
  BUCKET,
  capturingLogger,
  fixedClock,
  ingestDeps,
  type Lake,
  ndjsonLines,
} from "../handlers/harness.js";

export const SALT = "c3".repeat(32);

/** A model table holding people, declared like the real marts are. */
export const PEOPLE_TABLE: TableDeclaration = {
  dataset: "marts",
  table: "people",
  personal: true,
  erase: "now",
  resolves: true,
  identifiers: [
    { column: "contact_id", kind: "contact_id" },
    { column: "email", kind: "email" },
  ],
};

/**
 * A small deployment: three SendGrid deliveries (person 2 in two of them, person 5 alone in one),
 * loaded into raw by the real sweep, and a `marts.people` table with a contact id per person.
 */
export async function seedDeployment(lake: Lake): Promise<DuckDbWarehouse> {
  const deps = ingestDeps(lake, { env, clock: fixedClock(NOW), logger: capturingLogger().logger });
  const deliveries = [
    [sendgridEvent(1), sendgridEvent(2), sendgridEvent(3)],
    [sendgridEvent(2, { sg_event_id: "evt-2b", event: "open" }), sendgridEvent(4)],
    [sendgridEvent(5)],
  ];
  for (const events of deliveries) {
    await ingestWebhook(deps, sendgridRequest(keys.privateKeyPem, STAMP, JSON.stringify(events)));
  }
  const warehouse = await lake.warehouse();
  await sweep(lake.store, warehouse, capturingLogger().logger);
  await warehouse.run("CREATE SCHEMA IF NOT EXISTS marts");
  await warehouse.run(
    "CREATE TABLE marts.people AS SELECT * FROM (VALUES ('ct_1', 'person1@example.com'), ('ct_2', 'person2@example.com'), ('ct_3', 'person3@example.com'), ('ct_4', 'person4@example.com'), ('ct_5', 'person5@example.com')) v(contact_id, email)",
  );
  return warehouse;
}

export async function sweep(
  store: ObjectStore,
  warehouse: Warehouse,
  logger: Logger,
): Promise<void> {
  await sweepRawLoads(
    {
      store,
      warehouse,
      logger,
      clock: fixedClock(NOW),
      bucket: BUCKET,
      uriOf: (key) => store.uriOf(key),
      streams: rawStreamsOf(WEBHOOK_SOURCES),
      holder: { holder: "test-sweep" },
      holderGone: () => true,
    },
    { trigger: "manual", scope: { kind: "all" }, debounce: false },
    LOCAL_SWEEP,
  );
}

export function erasureDeps(
  lake: Lake,
  store: ObjectStore,
  warehouse: Warehouse,
  options: { holder?: string; logger?: Logger; tables?: readonly TableDeclaration[] } = {},
): ErasureDeps {
  const logger = options.logger ?? capturingLogger().logger;
  const holder = options.holder ?? "erasure-test";
  return {
    store,
    warehouse,
    logger,
    clock: fixedClock(NOW),
    salt: SALT,
    catalogs: SOURCE_CATALOG,
    tables: options.tables ?? [PEOPLE_TABLE],
    prefixes: LAKE_PREFIXES,
    // Any earlier holder is a killed process: its lease is free at once.
    lease: { holder: { holder }, holderGone: (lease) => lease.holder !== holder },
    requestRemovals: async () => {},
    reload: () => sweep(lake.store, warehouse, logger),
  };
}

/** What a person would look at: raw rows, the people table, the lake's record lines. */
export async function observe(lake: Lake, warehouse: Warehouse) {
  const raw = (await warehouse.query("SELECT _record_id, _object FROM raw.sendgrid_events"))
    .map((r) => `${r._record_id} @ ${r._object}`)
    .sort();
  const people = (await warehouse.query("SELECT contact_id FROM marts.people"))
    .map((r) => String(r.contact_id))
    .sort();
  const lines: string[] = [];
  for (const prefix of ["raw/", "quarantine/"]) {
    for (const key of await lake.keys(prefix)) {
      for (const line of ndjsonLines(await lake.read(key)))
        lines.push(`${key}: ${String(line._record_id)}`);
    }
  }
  return { raw, people, lines: lines.sort() };
}
