import type { Logger } from "../../platform/logger.js";
import { eraseLakeObjects } from "./erase-lake.js";
import { countTableRows, deleteTableRows } from "./erase-warehouse.js";
import type { ErasureDeps } from "./erasure.js";
import { objectsToCheck, rawStreamsOf } from "./erasure-scope.js";
import type { ErasureState } from "./erasure-state.js";
import { personOf } from "./erasure-steps.js";
import { createRecordMatcher } from "./record-matcher.js";

/** `ops.sync_members: 2 rows` for each table destinations still hold the person in. */
export async function destinationRows(deps: ErasureDeps, state: ErasureState): Promise<string[]> {
  const person = personOf(state);
  const held: string[] = [];
  for (const table of deps.tables) {
    if (!table.personal || table.erase !== "via-destinations") continue;
    const n = await countTableRows(deps.warehouse, table, person, deps.salt);
    if (n > 0) held.push(`${table.dataset}.${table.table}: ${n} row${n === 1 ? "" : "s"}`);
  }
  return held;
}

/** Count of rows each destination table held when the removal was asked for. */
export async function destinationCounts(
  deps: ErasureDeps,
  state: ErasureState,
): Promise<Record<string, number>> {
  const person = personOf(state);
  const out: Record<string, number> = {};
  for (const table of deps.tables) {
    if (!table.personal || table.erase !== "via-destinations") continue;
    out[`destinations:${table.dataset}.${table.table}`] = await countTableRows(
      deps.warehouse,
      table,
      person,
      deps.salt,
    );
  }
  return out;
}

/**
 * Stage 4, once no destination holds the person: activation batches that named them (the
 * remove batches included, now sent) and ops rows written about them.
 */
export async function finishAfterDestinations(
  deps: ErasureDeps,
  state: ErasureState,
  log: Logger,
): Promise<Pick<ErasureState, "removed" | "lake">> {
  const person = personOf(state);
  const removed: Record<string, number> = { ...state.removed };
  const objects = await objectsToCheck(deps, {
    prefixes: deps.prefixes,
    streams: rawStreamsOf(deps.catalogs),
    person,
    salt: deps.salt,
    deep: false,
    stage: "after-destinations",
  });
  const lake = await eraseLakeObjects(
    {
      store: deps.store,
      logger: log,
      prefixes: deps.prefixes,
      keepGoing: async () => {},
      beforeRawRewrite: async () => {},
    },
    {
      objects,
      person,
      matcher: createRecordMatcher({ salt: deps.salt, keys: person.keys, identifiersOf: () => [] }),
    },
  );
  for (const [location, n] of lake.removed) removed[location] = (removed[location] ?? 0) + n;
  for (const table of deps.tables) {
    if (!table.personal || table.erase !== "after-destinations") continue;
    const n = await deleteTableRows(deps.warehouse, table, person, deps.salt);
    if (n !== undefined) {
      const location = `warehouse:${table.dataset}.${table.table}`;
      removed[location] = (removed[location] ?? 0) + n;
    }
  }
  return {
    removed,
    lake: {
      read: state.lake.read + lake.objects.read,
      rewritten: state.lake.rewritten + lake.objects.rewritten,
      deleted: state.lake.deleted + lake.objects.deleted,
    },
  };
}
