/**
 * Every deployed Cloud Function target, registered with the functions-framework. Each one is the
 * same handler the local runner calls, given the cloud adapters (created lazily, once per
 * instance) instead of the local ones.
 */
import * as functions from "@google-cloud/functions-framework";
import { createMetaClient } from "./destinations/meta/client.js";
import { metaClientOptionsFromEnv } from "./destinations/meta/config.js";
import { activateMeta } from "./handlers/activate-meta.js";
import { configuredSyncs } from "./handlers/configured-syncs.js";
import { succeededDataformRun } from "./handlers/dataform-run-finished.js";
import { createIngestHttpHandler } from "./handlers/ingest-http.js";
import { loadRawObject } from "./handlers/load-raw.js";
import { planActivation } from "./handlers/plan-activation.js";
import type { CloudEvent } from "./platform/cloudevents.js";
import { gcpPlatform } from "./platform/gcp/gcp-platform.js";

export const FUNCTION_TARGETS = {
  ingestShopify: "http",
  ingestSendgrid: "http",
  loadRaw: "cloudevent",
  planActivation: "cloudevent",
  activateMeta: "cloudevent",
} as const;

const ingestDeps = () => {
  const { store, secrets, clock, logger } = gcpPlatform();
  return { store, secrets, clock, logger };
};

functions.http("ingestShopify", createIngestHttpHandler(ingestDeps, "shopify"));
functions.http("ingestSendgrid", createIngestHttpHandler(ingestDeps, "sendgrid"));

functions.cloudEvent("loadRaw", async (event: CloudEvent<unknown>) => {
  const { warehouse, logger, clock } = gcpPlatform();
  await loadRawObject({ warehouse, logger, clock }, event);
});

functions.cloudEvent("planActivation", async (event: CloudEvent<unknown>) => {
  const run = succeededDataformRun(event);
  if (!run) return;
  const platform = gcpPlatform();
  for (const sync of configuredSyncs(process.env)) {
    const plan = await planActivation(platform, sync);
    platform.logger.info(
      {
        dataformInvocation: run.invocationId,
        syncId: plan.syncId,
        runId: plan.runId,
        status: plan.status,
      },
      "activation planned",
    );
  }
});

let meta: ReturnType<typeof createMetaClient> | undefined;
functions.cloudEvent("activateMeta", async (event: CloudEvent<unknown>) => {
  const { warehouse, store, logger, clock } = gcpPlatform();
  meta ??= createMetaClient({ ...metaClientOptionsFromEnv(process.env), logger });
  await activateMeta({ warehouse, store, meta, logger, clock }, event);
});
