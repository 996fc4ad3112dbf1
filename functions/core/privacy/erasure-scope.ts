import type { ObjectStore, StoredObject, Warehouse } from "../../platform/ports.js";
import { readLedger } from "../loading/ledger.js";
import { fileId } from "../loading/manifest.js";
import { parseRawObjectKey } from "../raw-table.js";
import type { LakePrefix } from "./declarations.js";
import { undeclared } from "./erase-lake.js";
import { type RawStreamDeclaration, rawObjectsNaming } from "./erase-warehouse.js";

export { identifierPathsOf, rawStreamsOf } from "./catalog-streams.js";

import { lakePrefixOf } from "./lake-prefixes.js";
import type { Person } from "./person.js";

/**
 * The lake objects an erasure reads in its first stage:
 * - raw objects whose loaded rows name the person (the raw tables are the index), plus every raw
 *   object the load ledger does not have (landed but not loaded, or failed), or every raw object
 *   when `deep`;
 * - every object under the other declared prefixes erased now (quarantine, exports…).
 * A deep erasure lists the whole lake and stops at an undeclared prefix.
 */
export async function objectsToCheck(
  deps: { readonly store: ObjectStore; readonly warehouse: Warehouse },
  input: {
    prefixes: readonly LakePrefix[];
    streams: readonly RawStreamDeclaration[];
    person: Person;
    salt: string;
    deep: boolean;
    stage: "now" | "after-destinations";
  },
): Promise<StoredObject[]> {
  const { store, warehouse } = deps;
  const wanted = new Map<string, StoredObject>();
  const stageOf = (p: LakePrefix) => p.stage ?? "now";
  if (input.deep && input.stage === "now") {
    for (const object of await store.list("")) {
      if (!lakePrefixOf(input.prefixes, object.key)) throw undeclared(object.key);
    }
  }
  for (const prefix of input.prefixes) {
    if (prefix.format === "none" || stageOf(prefix) !== input.stage) continue;
    const objects = (await store.list(prefix.prefix)).filter(
      (o) => lakePrefixOf(input.prefixes, o.key) === prefix,
    );
    if (!prefix.loaded || input.deep) {
      for (const o of objects) wanted.set(o.key, o);
      continue;
    }
    const named = new Set<string>();
    for (const stream of input.streams) {
      for (const key of await rawObjectsNaming(warehouse, stream, input.person, input.salt)) {
        named.add(key);
      }
    }
    const ledger = await readLedger(warehouse, { kind: "all" });
    for (const o of objects) {
      const raw = parseRawObjectKey(o.key);
      const loaded = raw !== undefined && ledger.loaded.has(fileId(o));
      if (named.has(o.key) || !loaded) wanted.set(o.key, o);
    }
  }
  return [...wanted.values()].sort((a, b) => a.key.localeCompare(b.key));
}
