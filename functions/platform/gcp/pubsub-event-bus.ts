import type { PubSub } from "@google-cloud/pubsub";
import type { BusMessage, EventBus } from "../ports.js";

/** Pub/Sub adapter: the message body is the JSON of `data`, as the local bus encodes it. */
export function createPubSubEventBus(options: { pubsub: PubSub }): EventBus {
  return {
    async publish(topic: string, message: BusMessage): Promise<string> {
      return options.pubsub
        .topic(topic, message.orderingKey ? { messageOrdering: true } : {})
        .publishMessage({
          json: message.data,
          ...(message.attributes ? { attributes: { ...message.attributes } } : {}),
          ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
        });
    },
  };
}
