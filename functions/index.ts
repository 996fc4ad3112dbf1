/**
 * Every event-driven Cloud Function target, registered with the functions-framework. Each one is
 * the same handler the local runner calls, given the cloud adapters (created lazily, once per
 * instance) instead of the local ones. Webhooks are not here: they are served by the ingest
 * service on Cloud Run (`serve-ingest.ts`), which reads the raw request stream itself.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import * as functions from "@google-cloud/functions-framework";
import { identifierPathsOf } from "./core/privacy/catalog-streams.js";
import {
  createStoredSuppression,
  type SuppressionSource,
} from "./core/privacy/suppression-source.js";
import { createMetaClient } from "./destinations/meta/client.js";
import { metaClientOptionsFromEnv } from "./destinations/meta/config.js";
import { activateMeta } from "./handlers/activate-meta.js";
import {
  activateMetaSettings,
  activateSettings,
  configuredSyncs,
} from "./handlers/configured-syncs.js";
import { succeededDataformRun } from "./handlers/dataform-run-finished.js";
import { createLoadRawHandler, loadSweepConfig, rawStreamsOf } from "./handlers/load-raw.js";
import { planActivation } from "./handlers/plan-activation.js";
import { cloudErasureDeps } from "./handlers/privacy-cloud.js";
import { handlePrivacyEvent } from "./handlers/privacy-requests.js";
import { handlePullEvent, pullBudgetMs } from "./handlers/pull.js";
import type { CloudEvent } from "./platform/cloudevents.js";
import { gcpPlatform } from "./platform/gcp/gcp-platform.js";
import { loadConnections } from "./sources/connections.js";
import { PULL_SOURCES, pullSources } from "./sources/pull-registry.js";
import { SOURCE_CATALOG, WEBHOOK_SOURCES } from "./sources/registry.js";
import { SOURCE_NAMES } from "./sources/source-names.js";

export const FUNCTION_TARGETS = {
  loadRaw: "cloudevent",
  planActivation: "cloudevent",
  activateMeta: "cloudevent",
  activateGoogleAds: "cloudevent",
  activateSendgrid: "cloudevent",
  realtimePurchase: "cloudevent",
  activateHubspot: "cloudevent",
  pull: "cloudevent",
  privacyRequests: "cloudevent",
} as const;

/** Who sweeps: the revision and one id per instance, written into the loader's lease. */
const sweeper = {
  holder: `${process.env.K_REVISION ?? "load-raw"}/${randomUUID()}`,
  host: hostname(),
};
const rawStreams = rawStreamsOf([...WEBHOOK_SOURCES, ...PULL_SOURCES]);

functions.cloudEvent(
  "loadRaw",
  createLoadRawHandler(() => {
    const { env, store, warehouse, logger, clock } = gcpPlatform();
    return {
      store,
      warehouse,
      logger,
      clock,
      bucket: env.UNISTACK_LAKE_BUCKET,
      uriOf: (key) => store.uriOf(key),
      streams: rawStreams,
      holder: sweeper,
      config: loadSweepConfig(process.env),
    };
  }),
);

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
  const settings = activateMetaSettings(process.env);
  await activateMeta({ warehouse, store, meta, logger, clock, ...settings }, event);
});

/**
 * Customer Match: Google's client is loaded on the first message only (its gax/protobuf graph
 * would otherwise add to every target's cold start); credentials are the function's service
 * account (Application Default Credentials, Data Manager scope).
 */
let google: import("./destinations/google-ads/client.js").GoogleAdsClient | undefined;
functions.cloudEvent("activateGoogleAds", async (event: CloudEvent<unknown>) => {
  const { warehouse, store, logger, clock } = gcpPlatform();
  const settings = activateSettings("google_ads", process.env);
  const { activateGoogleAds } = await import("./handlers/activate-google-ads.js");
  const client = await import("./destinations/google-ads/client.js");
  google ??= client.createGoogleAdsClient({ ingestion: client.dataManagerIngestion(), logger });
  const syncs = settings.syncs.filter((s) => s.destination === "google_ads");
  await activateGoogleAds({ warehouse, store, google, logger, clock, ...settings, syncs }, event);
});

let sendgrid: import("./destinations/sendgrid/client.js").SendgridClient | undefined;
functions.cloudEvent("activateSendgrid", async (event: CloudEvent<unknown>) => {
  const { warehouse, store, logger, clock } = gcpPlatform();
  const settings = activateSettings("sendgrid", process.env);
  const { activateSendgrid } = await import("./handlers/activate-sendgrid.js");
  const { createSendgridClient, sendgridClientOptionsFromEnv } = await import(
    "./destinations/sendgrid/client.js"
  );
  sendgrid ??= createSendgridClient({ ...sendgridClientOptionsFromEnv(process.env), logger });
  const syncs = settings.syncs.filter((s) => s.destination === "sendgrid");
  await activateSendgrid({ warehouse, store, sendgrid, logger, clock, ...settings, syncs }, event);
});

let hubspot: import("./destinations/hubspot/client.js").HubspotClient | undefined;
functions.cloudEvent("activateHubspot", async (event: CloudEvent<unknown>) => {
  const { warehouse, store, logger, clock } = gcpPlatform();
  const settings = activateSettings("hubspot", process.env);
  const { activateHubspot } = await import("./handlers/activate-hubspot.js");
  const { createHubspotClient, hubspotClientOptionsFromEnv } = await import(
    "./destinations/hubspot/client.js"
  );
  hubspot ??= createHubspotClient({ ...hubspotClientOptionsFromEnv(process.env), logger });
  const syncs = settings.syncs.filter((s) => s.destination === "hubspot");
  await activateHubspot({ warehouse, store, hubspot, logger, clock, ...settings, syncs }, event);
});

/**
 * The realtime path (topic `purchases`, published by the ingest service): a purchaser leaves
 * every sync with `realtime.onPurchase: "remove"` at once. Each destination's client and module
 * graph is loaded only when a configured realtime sync goes there.
 */
let realtimeSenders:
  | import("./handlers/realtime-purchase.js").RealtimePurchaseDeps["senders"]
  | undefined;
functions.cloudEvent("realtimePurchase", async (event: CloudEvent<unknown>) => {
  const { warehouse, store, logger, clock } = gcpPlatform();
  const { handleRealtimePurchase, removeOnPurchaseSyncs } = await import(
    "./handlers/realtime-purchase.js"
  );
  const syncs = removeOnPurchaseSyncs(configuredSyncs(process.env));
  if (syncs.length === 0) {
    throw new Error(
      'realtime-purchase configuration is invalid: no sync has realtime.onPurchase "remove" (UNISTACK_SYNCS)',
    );
  }
  realtimeSenders ??= await realtimeSendersFor(syncs, logger);
  await handleRealtimePurchase(
    { warehouse, store, logger, clock, syncs, senders: realtimeSenders },
    event,
  );
});

async function realtimeSendersFor(
  syncs: readonly import("./core/activation/sync-config.js").SyncConfig[],
  logger: ReturnType<typeof gcpPlatform>["logger"],
): Promise<import("./handlers/realtime-purchase.js").RealtimePurchaseDeps["senders"]> {
  const senders: import("./handlers/realtime-purchase.js").RealtimePurchaseDeps["senders"] = {};
  if (syncs.some((s) => s.destination === "meta")) {
    const { metaSender } = await import("./destinations/meta/sender.js");
    meta ??= createMetaClient({ ...metaClientOptionsFromEnv(process.env), logger });
    senders.meta = metaSender(meta);
  }
  const googleSyncs = syncs.filter((s) => s.destination === "google_ads");
  if (googleSyncs.length > 0) {
    const client = await import("./destinations/google-ads/client.js");
    const { googleAdsSender } = await import("./destinations/google-ads/sender.js");
    google ??= client.createGoogleAdsClient({ ingestion: client.dataManagerIngestion(), logger });
    senders.google_ads = googleAdsSender(google, googleSyncs);
  }
  return senders;
}

/**
 * Scheduled pulls: Cloud Scheduler → topic `pull` → this target, one message per (source,
 * stream). Connections and their secrets come from UNISTACK_CONNECTIONS and the environment.
 */
let pullSuppression: SuppressionSource | undefined;
functions.cloudEvent("pull", async (event: CloudEvent<unknown>) => {
  const { store, warehouse, logger, clock, secrets } = gcpPlatform();
  // Cached across invocations: the list is re-read at most once a minute.
  pullSuppression ??= createStoredSuppression({
    store,
    secrets,
    clock,
    logger,
    identifiersOf: identifierPathsOf(SOURCE_CATALOG),
  });
  await handlePullEvent(
    {
      store,
      warehouse,
      logger,
      clock,
      secrets,
      fetch: globalThis.fetch,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      suppression: pullSuppression,
      sources: pullSources,
      connections: loadConnections(process.env, SOURCE_NAMES),
      budgetMs: pullBudgetMs(process.env),
    },
    event,
  );
});

/**
 * Privacy requests: topic `privacy-requests` → this target. Erasures and access requests an
 * operator publishes, and the 15-minute scheduled sweep that handles Shopify's privacy webhooks
 * (landed in the lake by ingest, verified there) and continues erasures waiting on destinations.
 */
functions.cloudEvent("privacyRequests", async (event: CloudEvent<unknown>) => {
  const platform = gcpPlatform();
  await handlePrivacyEvent(cloudErasureDeps(platform, process.env, rawStreams), event);
});
