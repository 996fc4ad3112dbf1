import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { IngestDeps } from "../../../functions/core/ingest/ingest-webhook.js";
import { lakeSuppression } from "../../../functions/handlers/ingest-server.js";
import {
  type CloudEvent,
  type StorageObjectData,
  storageFinalizedCloudEvent,
} from "../../../functions/platform/cloudevents.js";
import { createEnvSecrets } from "../../../functions/platform/env-secrets.js";
import {
  createDuckDbWarehouse,
  type DuckDbWarehouse,
} from "../../../functions/platform/local/duckdb-warehouse.js";
import { createFsObjectStore } from "../../../functions/platform/local/fs-object-store.js";
import { createLogger, type Logger } from "../../../functions/platform/logger.js";
import type { Clock, ObjectStore, StoredObject } from "../../../functions/platform/ports.js";
import { webhookSources } from "../../../functions/sources/registry.js";

export const BUCKET = "unistack-lake";

/** A settable clock. */
export function fixedClock(start: Date): Clock & { set(date: Date): void } {
  let current = start;
  return {
    now: () => current,
    set(date) {
      current = date;
    },
  };
}

/** A logger whose JSON lines are kept for assertions. */
export function capturingLogger(): { logger: Logger; lines: () => string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: "debug", destination }), lines: () => lines };
}

export interface Lake {
  readonly dir: string;
  readonly store: ObjectStore;
  /** Objects created so far, in order (what GCS would announce as finalized). */
  readonly finalized: StoredObject[];
  warehouse(): Promise<DuckDbWarehouse>;
  /** The storage CloudEvent GCS would send for an object. */
  eventFor(object: StoredObject): CloudEvent<StorageObjectData>;
  read(key: string): Promise<string>;
  keys(prefix: string): Promise<string[]>;
  cleanup(): Promise<void>;
}

/** A real local lake (folder) and, on demand, a real DuckDB warehouse, in a temp dir. */
export async function createLake(): Promise<Lake> {
  const dir = await mkdtemp(join(tmpdir(), "unistack-ingest-"));
  const finalized: StoredObject[] = [];
  const store = createFsObjectStore({
    root: join(dir, "lake"),
    onFinalized: (o) => void finalized.push(o),
  });
  let warehouse: DuckDbWarehouse | undefined;
  return {
    dir,
    store,
    finalized,
    async warehouse() {
      warehouse ??= await createDuckDbWarehouse({ path: join(dir, "warehouse.duckdb") });
      return warehouse;
    },
    eventFor: (object) =>
      storageFinalizedCloudEvent({
        bucket: BUCKET,
        name: object.key,
        generation: object.generation,
        size: object.size,
        contentType: object.contentType,
        time: new Date("2026-03-01T12:00:00Z"),
      }),
    async read(key) {
      const bytes = await store.get(key);
      if (!bytes) throw new Error(`no object ${key}`);
      return Buffer.from(bytes).toString("utf8");
    },
    keys: async (prefix) => (await store.list(prefix)).map((o) => o.key),
    async cleanup() {
      await warehouse?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function ingestDeps(
  lake: Lake,
  input: { env: Record<string, string>; clock: Clock; logger: Logger; maxBodyBytes?: number },
): IngestDeps {
  const base = {
    store: lake.store,
    secrets: createEnvSecrets(input.env),
    clock: input.clock,
    logger: input.logger,
  };
  return {
    ...base,
    suppression: lakeSuppression(base),
    sources: webhookSources,
    ...(input.maxBodyBytes !== undefined ? { maxBodyBytes: input.maxBodyBytes } : {}),
  };
}

export function ndjsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
