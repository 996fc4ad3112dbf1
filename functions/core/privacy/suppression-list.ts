import { z } from "zod";
import type { ObjectStore, Warehouse } from "../../platform/ports.js";
import { SUPPRESSION_LIST } from "./privacy-tables.js";
import { saltFingerprint } from "./salted-key.js";
import { sqlIn } from "./sql.js";

/**
 * The suppression list: salted keys of every identifier of every erased person. Kept twice, on
 * purpose: in the warehouse (`privacy.suppression_list`, what erasures read and add to) and as one
 * object in the lake (`privacy/suppression.json`, what the ingest service reads: it has no
 * warehouse access). Each erasure writes both from their union, so either one rebuilds the
 * other after a restore.
 */
export const SUPPRESSION_OBJECT = "privacy/suppression.json";

export const SuppressionSnapshotSchema = z.object({
  version: z.literal(1),
  saltFingerprint: z.string(),
  updatedAt: z.string(),
  keys: z.array(z.string().regex(/^[0-9a-f]{64}$/)),
});
export type SuppressionSnapshot = z.infer<typeof SuppressionSnapshotSchema>;

export async function readSuppressionObject(
  store: ObjectStore,
): Promise<SuppressionSnapshot | undefined> {
  const bytes = await store.get(SUPPRESSION_OBJECT);
  if (!bytes) return undefined;
  const parsed = SuppressionSnapshotSchema.safeParse(
    JSON.parse(Buffer.from(bytes).toString("utf8")),
  );
  if (!parsed.success) {
    throw new Error(
      `${SUPPRESSION_OBJECT} is not a suppression list (${parsed.error.issues[0]?.path.join(".")}): run an erasure with --reapply to write it again from privacy.suppression_list`,
    );
  }
  return parsed.data;
}

/** Every key of the warehouse list that the given salt made. */
export async function readSuppressedKeys(warehouse: Warehouse, salt: string): Promise<Set<string>> {
  await warehouse.ensureTable(SUPPRESSION_LIST);
  const rows = await warehouse.query(
    `SELECT DISTINCT key FROM ${SUPPRESSION_LIST.dataset}.${SUPPRESSION_LIST.table} WHERE salt_fingerprint = @fingerprint`,
    { fingerprint: saltFingerprint(salt) },
  );
  return new Set(rows.map((r) => String(r.key)));
}

/**
 * Adds keys to the list (rows not already there), then writes the lake object from the union of
 * both copies. Safe to repeat: a retried erasure adds nothing twice.
 */
export async function suppress(
  deps: { readonly warehouse: Warehouse; readonly store: ObjectStore },
  input: { salt: string; keys: readonly string[]; erasureId: string; at: Date },
): Promise<{ added: number; total: number }> {
  const { warehouse, store } = deps;
  const fingerprint = saltFingerprint(input.salt);
  const inWarehouse = await readSuppressedKeys(warehouse, input.salt);
  const snapshot = await readSuppressionObject(store);
  if (snapshot && snapshot.saltFingerprint !== fingerprint) {
    throw new Error(
      `${SUPPRESSION_OBJECT} was written with another privacy salt: the configured salt must stay the same for the life of the deployment (docs/privacy.md)`,
    );
  }
  const fromLake = (snapshot?.keys ?? []).filter((k) => !inWarehouse.has(k));
  const fresh = [...new Set([...input.keys, ...fromLake])].filter((k) => !inWarehouse.has(k));
  await warehouse.insertRows(
    SUPPRESSION_LIST,
    fresh.map((key) => ({
      key,
      salt_fingerprint: fingerprint,
      erasure_id: input.keys.includes(key) ? input.erasureId : "restored-from-lake",
      added_at: input.at,
    })),
  );
  const all = [...new Set([...inWarehouse, ...fresh])].sort();
  const body: SuppressionSnapshot = {
    version: 1,
    saltFingerprint: fingerprint,
    updatedAt: input.at.toISOString(),
    keys: all,
  };
  await store.put(SUPPRESSION_OBJECT, JSON.stringify(body), { contentType: "application/json" });
  return { added: input.keys.filter((k) => !inWarehouse.has(k)).length, total: all.length };
}

/** Whether any of `keys` is on the warehouse list (an export of an erased person finds nothing). */
export async function anySuppressed(
  warehouse: Warehouse,
  salt: string,
  keys: readonly string[],
): Promise<boolean> {
  if (keys.length === 0) return false;
  await warehouse.ensureTable(SUPPRESSION_LIST);
  const list = sqlIn("k", keys);
  const rows = await warehouse.query(
    `SELECT COUNT(*) AS n FROM ${SUPPRESSION_LIST.dataset}.${SUPPRESSION_LIST.table} WHERE salt_fingerprint = @fingerprint AND key IN ${list.sql}`,
    { fingerprint: saltFingerprint(salt), ...list.params },
  );
  return Number(rows[0]?.n ?? 0) > 0;
}
