import { z } from "zod";
import type { Logger } from "../../platform/logger.js";
import type { Clock, ObjectStore, Warehouse } from "../../platform/ports.js";
import { RAW_DATASET, rawTableName } from "../raw-table.js";
import { tableSql } from "./sql.js";
import { tableKind } from "./warehouse-catalog.js";

/**
 * How long each layer keeps personal data, configured once. The cloud applies it with the lake's
 * lifecycle rules and the raw dataset's partition expiration (infra/variables.tf: the defaults
 * there equal these, test/unit/privacy/retention.test.ts checks it); a local deployment with
 * `unistack retention`, which deletes the same things by the same dates.
 */
export const RetentionSchema = z.object({
  /** raw/ objects and raw table rows (by `_received_at`): `raw_retention_days`. */
  rawDays: z.number().int().positive(),
  /** quarantine/ objects: `lake_quarantine_delete_after_days`. */
  quarantineDays: z.number().int().positive(),
  /** activation/ batch objects: `lake_activation_delete_after_days`. */
  activationDays: z.number().int().positive(),
  /** privacy/exports/ access documents: `lake_exports_delete_after_days`. */
  exportsDays: z.number().int().positive(),
});
export type Retention = z.infer<typeof RetentionSchema>;

export const RETENTION_DEFAULTS: Retention = {
  rawDays: 730,
  quarantineDays: 90,
  activationDays: 30,
  exportsDays: 30,
};

export interface RetentionResult {
  /** Objects deleted per prefix. */
  readonly objects: Record<string, number>;
  /** Rows deleted per raw table. */
  readonly rows: Record<string, number>;
}

const DAY_MS = 86_400_000;

/**
 * Deletes what is older than its layer allows. An object's age is the date in its key (`dt=` of
 * raw, quarantine and exports; the run id's timestamp of activation batches), as GCS's age is
 * the object's creation; raw rows by `_received_at`, as BigQuery expires their partitions.
 * Deleting is idempotent: a run killed half-way is finished by the next.
 */
export async function applyRetention(
  deps: {
    readonly store: ObjectStore;
    readonly warehouse: Warehouse;
    readonly clock: Clock;
    readonly logger: Logger;
  },
  input: { policy: Retention; streams: readonly { source: string; stream: string }[] },
): Promise<RetentionResult> {
  const now = deps.clock.now().getTime();
  const cutoff = (days: number) => new Date(now - days * DAY_MS).toISOString().slice(0, 10);
  const layers: Array<[string, string, (key: string) => string | undefined]> = [
    ["raw/", cutoff(input.policy.rawDays), dtOf],
    ["quarantine/", cutoff(input.policy.quarantineDays), dtOf],
    ["privacy/exports/", cutoff(input.policy.exportsDays), dtOf],
    ["activation/", cutoff(input.policy.activationDays), runDateOf],
  ];
  const objects: Record<string, number> = {};
  for (const [prefix, before, dateOf] of layers) {
    let n = 0;
    for (const object of await deps.store.list(prefix)) {
      const date = dateOf(object.key);
      if (date !== undefined && date < before) {
        await deps.store.delete(object.key);
        n++;
      }
    }
    objects[prefix] = n;
  }
  const rows: Record<string, number> = {};
  const rawCutoff = new Date(now - input.policy.rawDays * DAY_MS).toISOString();
  for (const { source, stream } of input.streams) {
    const table = { dataset: RAW_DATASET, table: rawTableName(source, stream) };
    if ((await tableKind(deps.warehouse, table)) !== "table") continue;
    const where = "_received_at < CAST(@cutoff AS TIMESTAMP)";
    const [counted] = await deps.warehouse.query(
      `SELECT COUNT(*) AS n FROM ${tableSql(table)} WHERE ${where}`,
      { cutoff: rawCutoff },
    );
    const n = Number(counted?.n ?? 0);
    if (n > 0) {
      await deps.warehouse.query(`DELETE FROM ${tableSql(table)} WHERE ${where}`, {
        cutoff: rawCutoff,
      });
    }
    rows[`${table.dataset}.${table.table}`] = n;
  }
  deps.logger.info({ objects, rows }, "retention applied");
  return { objects, rows };
}

function dtOf(key: string): string | undefined {
  return /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
}

/** `activation/<sync>/<run id>/…`, run ids start `YYYYMMDDTHHMMSSZ`. */
function runDateOf(key: string): string | undefined {
  const m = /^activation\/[^/]+\/(\d{4})(\d{2})(\d{2})T/.exec(key);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}
