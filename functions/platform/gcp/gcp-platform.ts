import { BigQuery } from "@google-cloud/bigquery";
import { PubSub } from "@google-cloud/pubsub";
import { Storage } from "@google-cloud/storage";
import { z } from "zod";
import { createEnvSecrets } from "../env-secrets.js";
import { createLogger, type Logger } from "../logger.js";
import type { Clock, EventBus, ObjectStore, Secrets, Warehouse } from "../ports.js";
import { systemClock } from "../ports.js";
import { createBigQueryWarehouse } from "./bigquery-warehouse.js";
import { createGcsObjectStore } from "./gcs-object-store.js";
import { createPubSubEventBus } from "./pubsub-event-bus.js";

/** The environment a deployed function reads, parsed once at cold start. */
export const GcpEnvSchema = z.object({
  GOOGLE_CLOUD_PROJECT: z
    .string({ error: "set GOOGLE_CLOUD_PROJECT to the project id" })
    .min(1, "set GOOGLE_CLOUD_PROJECT to the project id"),
  UNISTACK_LAKE_BUCKET: z
    .string({ error: "set UNISTACK_LAKE_BUCKET to the raw lake bucket name" })
    .min(1, "set UNISTACK_LAKE_BUCKET to the raw lake bucket name"),
  UNISTACK_BQ_LOCATION: z.string().default("EU"),
  LOG_LEVEL: z.string().default("info"),
});
export type GcpEnv = z.infer<typeof GcpEnvSchema>;

export interface GcpPlatform {
  readonly env: GcpEnv;
  readonly store: ObjectStore;
  readonly warehouse: Warehouse;
  readonly bus: EventBus;
  readonly secrets: Secrets;
  readonly clock: Clock;
  readonly logger: Logger;
}

let cached: GcpPlatform | undefined;

/**
 * Cloud adapters for a deployed function, created lazily on first use so a cold start that never
 * needs a client never builds it, and once per instance so clients are reused across requests.
 */
export function gcpPlatform(
  env: Readonly<Record<string, string | undefined>> = process.env,
): GcpPlatform {
  if (cached) return cached;
  const parsed = GcpEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `invalid function environment: ${parsed.error.issues.map((i) => i.message).join("; ")}`,
    );
  }
  const config = parsed.data;
  cached = {
    env: config,
    store: createGcsObjectStore({ storage: new Storage(), bucket: config.UNISTACK_LAKE_BUCKET }),
    warehouse: createBigQueryWarehouse({
      bigquery: new BigQuery({ projectId: config.GOOGLE_CLOUD_PROJECT }),
      location: config.UNISTACK_BQ_LOCATION,
    }),
    bus: createPubSubEventBus({ pubsub: new PubSub({ projectId: config.GOOGLE_CLOUD_PROJECT }) }),
    secrets: createEnvSecrets(env),
    clock: systemClock,
    logger: createLogger({ level: config.LOG_LEVEL, projectId: config.GOOGLE_CLOUD_PROJECT }),
  };
  return cached;
}
