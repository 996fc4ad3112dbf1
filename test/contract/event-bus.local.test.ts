import { decodePubsubJson } from "../../functions/platform/cloudevents.js";
import { createLocalEventBus } from "../../functions/platform/local/local-event-bus.js";
import { describeEventBusContract, type Received } from "./event-bus.contract.js";

describeEventBusContract("in-process bus", async () => {
  const bus = createLocalEventBus();
  const inbox = new Map<string, Received[]>();
  return {
    bus,
    async open(topic) {
      inbox.set(topic, []);
      bus.subscribe(topic, async (event) => {
        const { data, attributes } = decodePubsubJson(event);
        inbox.get(topic)?.push({ data, attributes });
      });
    },
    async receive(topic, count) {
      await bus.drain();
      const got = inbox.get(topic) ?? [];
      if (got.length < count)
        throw new Error(`expected ${count} messages on ${topic}, got ${got.length}`);
      return got;
    },
    async cleanup() {},
  };
});
