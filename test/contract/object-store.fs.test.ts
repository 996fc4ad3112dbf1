import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFsObjectStore } from "../../functions/platform/local/fs-object-store.js";
import type { StoredObject } from "../../functions/platform/ports.js";
import { describeObjectStoreContract } from "./object-store.contract.js";

describeObjectStoreContract("local folder", async () => {
  const root = await mkdtemp(join(tmpdir(), "unistack-store-"));
  const finalized: StoredObject[] = [];
  const store = createFsObjectStore({ root, onFinalized: (o) => void finalized.push(o) });
  return {
    store,
    finalized: async () => finalized,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});
