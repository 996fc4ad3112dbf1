import { PubSub } from "@google-cloud/pubsub";
import { Storage } from "@google-cloud/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGcsObjectStore } from "../../functions/platform/gcp/gcs-object-store.js";
import type { StoredObject } from "../../functions/platform/ports.js";
import { type RunningEmulator, startFakeGcs, startPubSubEmulator } from "../support/emulators.js";
import { requireTool, runs } from "../support/external-tools.js";
import { describeObjectStoreContract } from "./object-store.contract.js";

/**
 * The GCS adapter, with the official Storage client, against fake-gcs-server. Object finalized
 * notifications come the way GCS sends them: fake-gcs publishes each finalized object to a
 * Pub/Sub topic (on the gcloud Pub/Sub emulator), and the harness reads them from there.
 */
const PROJECT = "unistack-test";
const TOPIC = "gcs-notifications";

interface Emulators {
  readonly gcs: RunningEmulator;
  readonly pubsub: RunningEmulator;
  readonly client: PubSub;
  /** Finalized objects per bucket, as notified. */
  readonly events: Map<string, StoredObject[]>;
}

let started: Promise<Emulators | string> | undefined;

function emulators(): Promise<Emulators | string> {
  started ??= (async () => {
    const fakeGcs = requireTool("fake-gcs-server", "the GCS adapter contract");
    if (!fakeGcs.ok) return fakeGcs.reason;
    const gcloud = requireTool("gcloud", "the GCS adapter contract (notifications)", (path) =>
      runs(path, ["beta", "emulators", "pubsub", "env-init", "--help"])
        ? undefined
        : "the gcloud Pub/Sub emulator component is not installed",
    );
    if (!gcloud.ok) return gcloud.reason;
    const pubsub = await startPubSubEmulator(gcloud.path);
    const client = new PubSub({ projectId: PROJECT, apiEndpoint: pubsub.hostPort });
    const [topic] = await client.createTopic(TOPIC);
    const [subscription] = await topic.createSubscription(`${TOPIC}-contract`);
    const events = new Map<string, StoredObject[]>();
    subscription.on("message", (message) => {
      message.ack();
      const object = JSON.parse(message.data.toString("utf8")) as Record<string, string>;
      const bucket = String(object.bucket);
      events.set(bucket, [
        ...(events.get(bucket) ?? []),
        {
          key: String(object.name),
          size: Number(object.size),
          generation: String(object.generation),
          contentType: String(object.contentType),
        },
      ]);
    });
    const gcs = await startFakeGcs(fakeGcs.path, {
      hostPort: pubsub.hostPort,
      project: PROJECT,
      topic: TOPIC,
    });
    return { gcs, pubsub, client, events };
  })();
  return started;
}

function storageFor(e: Emulators): Storage {
  return new Storage({ projectId: PROJECT, apiEndpoint: e.gcs.url });
}

let buckets = 0;

async function freshBucket(storage: Storage): Promise<string> {
  const name = `contract-${process.pid}-${++buckets}`;
  await storage.createBucket(name);
  return name;
}

/**
 * Notifications arrive asynchronously: a marker object written last (in a bucket of its own) is
 * waited for, then a short grace for publishes that started before it.
 */
async function settled(e: Emulators, storage: Storage): Promise<void> {
  const markers = `markers-${process.pid}`;
  await storage.createBucket(markers).catch((error: { code?: number }) => {
    if (error.code !== 409) throw error;
  });
  const key = `marker-${Date.now()}-${Math.random()}`;
  await storage.bucket(markers).file(key).save("m", { resumable: false });
  const deadline = Date.now() + 20_000;
  while (!(e.events.get(markers) ?? []).some((o) => o.key === key)) {
    if (Date.now() > deadline) throw new Error("no notification for the marker within 20 s");
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 300));
}

async function teardown(): Promise<void> {
  const e = await started;
  if (!e || typeof e === "string") return;
  await e.client.close();
  await e.gcs.stop();
  await e.pubsub.stop();
}

describeObjectStoreContract("GCS (fake-gcs-server)", async () => {
  const e = await emulators();
  if (typeof e === "string") return e;
  const storage = storageFor(e);
  const bucket = await freshBucket(storage);
  return {
    store: createGcsObjectStore({ storage, bucket }),
    async finalized() {
      await settled(e, storage);
      return e.events.get(bucket) ?? [];
    },
    cleanup: async () => {},
  };
});

afterAll(teardown);

describe("GCS object store: what Cloud Storage receives", () => {
  let e: Emulators | string;
  beforeAll(async () => {
    e = await emulators();
  });

  it("answers a create-if-absent on a taken key from the 412 alone, without reading the lake", async (ctx) => {
    if (typeof e === "string") return ctx.skip(e);
    const storage = storageFor(e);
    const bucket = await freshBucket(storage);
    const requests: string[] = [];
    // The client's own request hook: every call it makes to Cloud Storage, as method + URL.
    storage.interceptors.push({
      request: (options) => {
        const { method, uri } = options as { method?: string; uri: string };
        requests.push(`${method ?? "GET"} ${uri}`);
        return options as typeof options & { uri: string };
      },
    });
    const store = createGcsObjectStore({ storage, bucket });
    const key = "raw/shopify/orders/dt=2026-01-01/batch-1.ndjson";
    const first = await store.put(key, "one\n", { ifAbsent: true });
    requests.length = 0;
    const again = await store.put(key, "one\n", { ifAbsent: true });
    expect(first.created).toBe(true);
    expect(again).toEqual({ created: false, key });
    // One upload, refused with 412; no object read (GET) follows it.
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatch(/^POST .*\/upload\/storage\/v1\/b\/.*\/o/);
  });
});
