import type { ObjectStore } from "../../platform/ports.js";
import type { BatchTally } from "./batch-tally.js";
import { parseJsonBytes } from "./json-bytes.js";
import { MANIFEST_PREFIX, type Manifest, ManifestSchema, manifestKey } from "./manifest.js";

/** Manifests in the object store: written before their job, removed after their ledger rows. */

export async function saveManifest(store: ObjectStore, m: Manifest): Promise<void> {
  await store.put(manifestKey(m), JSON.stringify(m), { contentType: "application/json" });
}

/** Writes a manifest create-if-absent; answers the stored one when it was already there. */
export async function storeNewManifest(store: ObjectStore, m: Manifest): Promise<Manifest> {
  const put = await store.put(manifestKey(m), JSON.stringify(m), {
    ifAbsent: true,
    contentType: "application/json",
  });
  if (put.created) return m;
  const bytes = await store.get(manifestKey(m));
  const stored = bytes ? ManifestSchema.safeParse(parseJsonBytes(bytes)) : undefined;
  return stored?.success ? stored.data : m;
}

export async function readManifests(store: ObjectStore, tally: BatchTally): Promise<Manifest[]> {
  const manifests: Manifest[] = [];
  for (const object of await store.list(MANIFEST_PREFIX)) {
    const bytes = await store.get(object.key);
    const parsed = bytes ? ManifestSchema.safeParse(parseJsonBytes(bytes)) : undefined;
    if (parsed?.success) manifests.push(parsed.data);
    // Kept, not deleted: its files are loaded by a later batch only if the ledger lacks them.
    else tally.problems.push(`unreadable manifest ${object.key}`);
  }
  return manifests;
}
