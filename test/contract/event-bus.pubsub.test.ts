import { PubSub } from "@google-cloud/pubsub";
import { createPubSubEventBus } from "../../functions/platform/gcp/pubsub-event-bus.js";
import { startPubSubEmulator } from "../support/emulators.js";
import { requireTool, runs } from "../support/external-tools.js";
import { describeEventBusContract, type Received } from "./event-bus.contract.js";

/**
 * Runs the contract against the real Pub/Sub client and the gcloud Pub/Sub emulator. Machines
 * without gcloud (or its emulator component) skip it with a visible reason.
 */
describeEventBusContract("Pub/Sub (emulator)", async () => {
  const gcloud = requireTool("gcloud", "the Pub/Sub adapter contract", (path) =>
    runs(path, ["beta", "emulators", "pubsub", "env-init", "--help"])
      ? undefined
      : "the gcloud Pub/Sub emulator component is not installed",
  );
  if (!gcloud.ok) return gcloud.reason;
  const emulator = await startPubSubEmulator(gcloud.path);
  const pubsub = new PubSub({ projectId: "unistack-test", apiEndpoint: emulator.hostPort });
  const bus = createPubSubEventBus({ pubsub });
  return {
    bus,
    async open(topic) {
      const [created] = await pubsub.createTopic(topic);
      await created.createSubscription(`${topic}-sub`);
    },
    async receive(topic, count) {
      const subscription = pubsub.subscription(`${topic}-sub`);
      const got: Received[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${count} messages`)),
          20_000,
        );
        subscription.on("message", (message) => {
          message.ack();
          got.push({
            data: JSON.parse(message.data.toString("utf8")),
            attributes: { ...message.attributes },
          });
          if (got.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        });
        subscription.on("error", reject);
      });
      await subscription.close();
      return got;
    },
    async cleanup() {
      await pubsub.close();
      await emulator.stop();
    },
  };
});
