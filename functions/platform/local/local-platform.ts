import { join, resolve } from "node:path";
import { type CloudEvent, storageFinalizedCloudEvent } from "../cloudevents.js";
import { createEnvSecrets } from "../env-secrets.js";
import { createSilentLogger, type Logger } from "../logger.js";
import type { Clock, ObjectStore, Secrets, StoredObject } from "../ports.js";
import { systemClock } from "../ports.js";
import { createDuckDbWarehouse, type DuckDbWarehouse } from "./duckdb-warehouse.js";
import { createFsObjectStore } from "./fs-object-store.js";
import { createLocalEventBus, type LocalEventBus } from "./local-event-bus.js";

/** The channel on which the local bus delivers GCS-style "object finalized" CloudEvents. */
export const OBJECT_FINALIZED = "storage.object.finalized";

/** The bucket name the local lake folder plays, as it appears in storage CloudEvents. */
export const LOCAL_BUCKET = "unistack-lake";

export interface LocalPlatform {
  readonly dir: string;
  readonly store: ObjectStore;
  readonly warehouse: DuckDbWarehouse;
  readonly bus: LocalEventBus;
  readonly secrets: Secrets;
  readonly clock: Clock;
  readonly logger: Logger;
  close(): Promise<void>;
}

export interface LocalPlatformOptions {
  /** Folder for all local state: `lake/` (the bucket) and `warehouse.duckdb`. */
  readonly dir: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly minBackoffMs?: number;
}

/**
 * The embedded platform: a folder for the bucket, a DuckDB file for the warehouse and the
 * in-process bus, wired the way GCP wires them (an object write raises a finalized event).
 */
export async function createLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  const dir = resolve(options.dir);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createSilentLogger();
  const bus = createLocalEventBus({
    clock,
    logger,
    ...(options.minBackoffMs !== undefined ? { minBackoffMs: options.minBackoffMs } : {}),
  });
  const store = createFsObjectStore({
    root: join(dir, "lake"),
    onFinalized: (object: StoredObject) => {
      const event = storageFinalizedCloudEvent({
        bucket: LOCAL_BUCKET,
        name: object.key,
        generation: object.generation,
        size: object.size,
        contentType: object.contentType,
        time: clock.now(),
      });
      bus.emit(OBJECT_FINALIZED, event as CloudEvent<unknown>);
    },
  });
  const warehouse = await createDuckDbWarehouse({ path: join(dir, "warehouse.duckdb") });
  return {
    dir,
    store,
    warehouse,
    bus,
    secrets: createEnvSecrets(options.env ?? process.env),
    clock,
    logger,
    async close() {
      await bus.drain();
      await warehouse.close();
    },
  };
}
