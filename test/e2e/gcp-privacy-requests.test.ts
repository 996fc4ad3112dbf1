import { getFunction } from "@google-cloud/functions-framework/testing";
import { type Message, PubSub } from "@google-cloud/pubsub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestWebhook } from "../../functions/core/ingest/ingest-webhook.js";
import { acquireLease, releaseLease } from "../../functions/core/loading/lease.js";
import { PRIVACY_REQUESTS_TOPIC } from "../../functions/core/privacy/privacy-message.js";
import { lakeSuppression } from "../../functions/handlers/ingest-server.js";
import { createEnvSecrets } from "../../functions/platform/env-secrets.js";
import { createGcsObjectStore } from "../../functions/platform/gcp/gcs-object-store.js";
import type { ObjectStore } from "../../functions/platform/ports.js";
import { webhookSources } from "../../functions/sources/registry.js";
import { type BigQueryEmulators, startBigQueryEmulators } from "../support/bigquery-emulator.js";
import { startStorageHostProxy } from "../support/emulator-host-proxy.js";
import { type RunningEmulator, startPubSubEmulator } from "../support/emulators.js";
import { requireTool, runs } from "../support/external-tools.js";
import {
  env,
  keys,
  NOW,
  STAMP,
  sendgridEvent,
  sendgridRequest,
  shopifyRequest,
} from "../unit/handlers/deliveries.js";
import { capturingLogger, fixedClock } from "../unit/handlers/harness.js";

/**
 * The deployed privacy-requests target (functions/index.ts) on the emulators: a request published
 * on the Pub/Sub emulator's `privacy-requests` topic, received by a subscription and handed to
 * the entry point as Pub/Sub's push delivers it; the function erases through BigQuery DML
 * (bqemulator) and Cloud Storage rewrites (fake-gcs-server). Small: five SendGrid events.
 */
const PROJECT = "unistack-privacy";
const SALT = "d4".repeat(32);
type Target = (event: unknown) => Promise<void>;

let bq: BigQueryEmulators | string;
let pubsubEmulator: RunningEmulator | undefined;
let storageProxy: RunningEmulator | undefined;
let pubsub: PubSub;
let store: ObjectStore;
let skipped: string | undefined;

function ingestDepsOf() {
  const base = {
    store,
    // The ingest service gets the same salt (Secret Manager): it reads the suppression list.
    secrets: createEnvSecrets({ ...env, UNISTACK_PRIVACY_SALT: SALT }),
    clock: fixedClock(NOW),
    logger: capturingLogger().logger,
  };
  return { ...base, suppression: lakeSuppression(base), sources: webhookSources };
}

async function ingestDeliveries(): Promise<void> {
  const deps = ingestDepsOf();
  for (const events of [
    [sendgridEvent(1), sendgridEvent(2), sendgridEvent(3)],
    [sendgridEvent(2, { sg_event_id: "evt-2b", event: "open" }), sendgridEvent(4)],
  ]) {
    const answer = await ingestWebhook(
      deps,
      sendgridRequest(keys.privateKeyPem, STAMP, JSON.stringify(events)),
    );
    expect(answer.status).toBe(200);
  }
}

/** Publishes a request and receives it once; `deliver` hands it to the entry point as push does. */
async function publishAndReceive(data: unknown): Promise<Message> {
  const topic = pubsub.topic(PRIVACY_REQUESTS_TOPIC);
  const subscription = topic.subscription(`${PRIVACY_REQUESTS_TOPIC}-test`);
  await topic.publishMessage({ json: data });
  return receive(subscription);
}

function receive(subscription: ReturnType<PubSub["subscription"]>): Promise<Message> {
  return new Promise<Message>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no message within 20 s")), 20_000);
    const onMessage = (message: Message) => {
      clearTimeout(timer);
      // Push acknowledges when the function answers 2xx; a redelivery below re-sends the same
      // message (same id) as Pub/Sub does when the function failed or timed out.
      message.ack();
      subscription.removeListener("message", onMessage);
      void subscription.close();
      resolve(message);
    };
    subscription.on("message", onMessage);
  });
}

/** The CloudEvent Eventarc builds from a push delivery of `message`. */
function cloudEventOf(message: Message) {
  const publishTime = message.publishTime.toISOString();
  return {
    specversion: "1.0",
    id: message.id,
    source: `//pubsub.googleapis.com/projects/${PROJECT}/topics/${PRIVACY_REQUESTS_TOPIC}`,
    type: "google.cloud.pubsub.topic.v1.messagePublished",
    time: publishTime,
    datacontenttype: "application/json",
    data: {
      message: {
        data: message.data.toString("base64"),
        messageId: message.id,
        publishTime,
        attributes: { ...message.attributes },
      },
      subscription: `projects/${PROJECT}/subscriptions/${PRIVACY_REQUESTS_TOPIC}-test`,
    },
  };
}

async function rawRecordIds(emulators: BigQueryEmulators): Promise<string[]> {
  const [rows] = await emulators.bigquery.query({
    query: "SELECT _record_id FROM raw.sendgrid_events ORDER BY _record_id",
  });
  return (rows as { _record_id: string }[]).map((r) => r._record_id);
}

async function lakeText(prefix: string): Promise<string> {
  let text = "";
  for (const object of await store.list(prefix)) {
    text += Buffer.from((await store.get(object.key)) ?? new Uint8Array()).toString("utf8");
  }
  return text;
}

describe("privacy requests on Pub/Sub, handled by the deployed target on the GCP emulators", () => {
  beforeAll(async () => {
    const gcloud = requireTool("gcloud", "the privacy-requests target on the emulators", (path) =>
      runs(path, ["beta", "emulators", "pubsub", "env-init", "--help"])
        ? undefined
        : "the gcloud Pub/Sub emulator component is not installed",
    );
    if (!gcloud.ok) {
      skipped = gcloud.reason;
      return;
    }
    bq = await startBigQueryEmulators("the privacy-requests target on the emulators", {
      project: PROJECT,
    });
    if (typeof bq === "string") {
      skipped = bq;
      return;
    }
    pubsubEmulator = await startPubSubEmulator(gcloud.path);
    process.env.PUBSUB_EMULATOR_HOST = pubsubEmulator.hostPort;
    storageProxy = await startStorageHostProxy(bq.storage.apiEndpoint);
    process.env.STORAGE_EMULATOR_HOST = storageProxy.url;
    process.env.BIGQUERY_EMULATOR_HOST = `${bq.bigquery.apiEndpoint}/bigquery/v2`;
    process.env.GOOGLE_CLOUD_PROJECT = PROJECT;
    process.env.UNISTACK_LAKE_BUCKET = bq.bucket;
    process.env.UNISTACK_PRIVACY_SALT = SALT;
    process.env.LOG_LEVEL = "silent";
    pubsub = new PubSub({ projectId: PROJECT });
    const [topic] = await pubsub.createTopic(PRIVACY_REQUESTS_TOPIC);
    await topic.createSubscription(`${PRIVACY_REQUESTS_TOPIC}-test`, { ackDeadlineSeconds: 10 });
    store = createGcsObjectStore({ storage: bq.storage, bucket: bq.bucket });
    await ingestDeliveries();
    await import("../../functions/index.js");
    // The loader's scheduled sweep, through its own entry point: raw rows in BigQuery.
    const loadRaw = getFunction("loadRaw") as Target;
    await loadRaw(cloudEventOf(await publishAndReceive({ sweep: "deep" })));
  }, 300_000);

  afterAll(async () => {
    await pubsub?.close();
    await pubsubEmulator?.stop();
    await storageProxy?.stop();
    if (typeof bq === "object") await bq.stop();
  });

  it("exports a person once, erases them from the lake and BigQuery, and a redelivery does nothing twice", async (context) => {
    if (skipped || typeof bq !== "object") {
      console.log(`[skip] ${skipped}`);
      return context.skip();
    }
    const target = getFunction("privacyRequests") as Target;
    expect(await rawRecordIds(bq)).toEqual(["evt-1", "evt-2", "evt-2b", "evt-3", "evt-4"]);

    // Access request: one document with the person's two raw records, nobody else's.
    const exportMessage = await publishAndReceive({
      kind: "export",
      emails: ["Person2@Example.com"],
    });
    await target(cloudEventOf(exportMessage));
    const exports = await store.list("privacy/exports/");
    expect(exports).toHaveLength(1);
    const documentText = await lakeText("privacy/exports/");
    expect(documentText).toContain("evt-2b");
    expect(documentText).not.toContain("person1@example.com");
    await target(cloudEventOf(exportMessage)); // redelivered
    expect((await store.list("privacy/exports/")).map((o) => o.generation)).toEqual(
      exports.map((o) => o.generation),
    );

    // Erasure: gone from raw objects and the raw table; everyone else intact.
    const erase = await publishAndReceive({ kind: "erase", emails: ["person2@example.com"] });
    await target(cloudEventOf(erase));
    expect(await rawRecordIds(bq)).toEqual(["evt-1", "evt-3", "evt-4"]);
    const raw = await lakeText("raw/");
    expect(raw).not.toContain("person2@example.com");
    expect(raw).toContain("person1@example.com");
    expect(await lakeText("privacy/exports/")).toBe(""); // the access document named them
    const [report] = await store.list("privacy/reports/");
    const reportText = await lakeText("privacy/reports/");
    expect(JSON.parse(reportText)).toMatchObject({ status: "completed" });
    expect(reportText).not.toContain("person2");
    const [reportRows] = await bq.bigquery.query({
      query: "SELECT location, removed FROM privacy.erasure_reports ORDER BY location",
    });
    expect(reportRows).toContainEqual({ location: "warehouse:raw.sendgrid_events", removed: 2 });

    // Redelivery of the same message: the same erasure, nothing removed again, one report.
    const rowsBefore = reportRows.length;
    await target(cloudEventOf(erase));
    expect(await rawRecordIds(bq)).toEqual(["evt-1", "evt-3", "evt-4"]);
    expect(await store.list("privacy/reports/")).toHaveLength(1);
    expect((await store.list("privacy/reports/"))[0]?.key).toBe(report?.key);
    const [again] = await bq.bigquery.query({
      query: "SELECT location, removed FROM privacy.erasure_reports",
    });
    expect(again).toHaveLength(rowsBefore);
  }, 300_000);

  it("an erasure stopped half-way (the loader held the lake) converges when the message is redelivered", async (context) => {
    if (skipped || typeof bq !== "object") return context.skip();
    const target = getFunction("privacyRequests") as Target;
    // A sweep holds the loader's lease: the erasure suppresses and resolves the person, then
    // cannot rewrite the lake and fails; Pub/Sub redelivers.
    const sweep = await acquireLease({
      store,
      now: () => new Date(),
      ttlMs: 600_000,
      holder: { holder: "load-raw/another-instance" },
    });
    if (!sweep.ok) throw new Error("the test could not take the loader's lease");
    const erase = await publishAndReceive({ kind: "erase", emails: ["person4@example.com"] });
    await expect(target(cloudEventOf(erase))).rejects.toThrow(/busy|lease|sweep/i);
    expect(await rawRecordIds(bq)).toEqual(["evt-1", "evt-3", "evt-4"]);
    const [state] = await store.list("privacy/erasures/");
    expect(state).toBeDefined();

    await releaseLease(store, sweep.lease);
    await target(cloudEventOf(erase));
    expect(await rawRecordIds(bq)).toEqual(["evt-1", "evt-3"]);
    expect(await lakeText("raw/")).not.toContain("person4@example.com");
    const [rows] = await bq.bigquery.query({
      query:
        "SELECT DISTINCT erasure_id FROM privacy.erasure_reports WHERE status = 'completed' ORDER BY 1",
    });
    expect(rows).toHaveLength(2);
  }, 300_000);

  it("the scheduled sweep turns Shopify's customers/redact webhook into an erasure, once", async (context) => {
    if (skipped || typeof bq !== "object") return context.skip();
    const target = getFunction("privacyRequests") as Target;
    const answer = await ingestWebhook(
      ingestDepsOf(),
      shopifyRequest(
        JSON.stringify({
          shop_id: 954889,
          shop_domain: "demo-shop.myshopify.com",
          customer: { id: 191167, email: "person1@example.com", phone: null },
          orders_to_redact: [],
        }),
        { topic: "customers/redact", webhookId: "44444444-4444-4444-8444-444444444444" },
      ),
    );
    expect(answer.status).toBe(200);

    // What Cloud Scheduler publishes every 15 minutes.
    await target(cloudEventOf(await publishAndReceive({ kind: "sweep" })));
    expect(await rawRecordIds(bq)).toEqual(["evt-3"]);
    expect(await lakeText("raw/")).not.toContain("person1@example.com");
    const markers = await store.list("privacy/requests/");
    const erased = [];
    for (const m of markers) {
      const marker = JSON.parse(Buffer.from((await store.get(m.key)) ?? []).toString("utf8"));
      if (marker.stream === "customers_redact") erased.push(marker.status);
    }
    expect(erased).toEqual(["erased"]);

    const again = await publishAndReceive({ kind: "sweep" });
    await target(cloudEventOf(again));
    expect(await store.list("privacy/requests/")).toHaveLength(markers.length);
  }, 300_000);

  it("refuses a message that is not a privacy request without echoing its values", async (context) => {
    if (skipped || typeof bq !== "object") return context.skip();
    const target = getFunction("privacyRequests") as Target;
    const message = await publishAndReceive({ kind: "erase", emails: [42, "jane@example.com"] });
    const error = await target(cloudEventOf(message)).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/invalid erasure request: emails\.0/);
    expect(error?.message).not.toContain("jane@");
  }, 60_000);
});
