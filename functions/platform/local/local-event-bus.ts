import { randomUUID } from "node:crypto";
import { type CloudEvent, pubsubCloudEvent } from "../cloudevents.js";
import type { Logger } from "../logger.js";
import type { BusMessage, Clock, EventBus } from "../ports.js";
import { systemClock } from "../ports.js";

export type CloudEventHandler = (event: CloudEvent<unknown>) => Promise<void>;

export interface DeadLetter {
  readonly channel: string;
  readonly event: CloudEvent<unknown>;
  readonly attempts: number;
  readonly error: string;
}

export interface LocalEventBusOptions {
  readonly project?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Like a subscription's max delivery attempts (Pub/Sub allows 5–100). */
  readonly maxDeliveryAttempts?: number;
  /** First retry delay; doubles per attempt up to `maxBackoffMs` (Pub/Sub: 10–600 s). */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface LocalEventBus extends EventBus {
  /** Subscribes a function to a topic (Pub/Sub trigger) or a channel such as `storage.finalized`. */
  subscribe(channel: string, handler: CloudEventHandler): void;
  /** Delivers an already-built CloudEvent (e.g. GCS object finalized) to a channel's handlers. */
  emit(channel: string, event: CloudEvent<unknown>): void;
  /** Resolves when every delivery, retries included, has finished. */
  drain(): Promise<void>;
  /** Deliveries that failed `maxDeliveryAttempts` times, as a dead-letter topic would keep them. */
  readonly deadLetters: readonly DeadLetter[];
}

/**
 * In-process event bus with Pub/Sub push semantics: at-least-once, asynchronous, a handler that
 * throws is retried with exponential backoff and dead-lettered after the last attempt. It builds
 * the same CloudEvent envelopes Eventarc delivers to 2nd-gen functions.
 */
export function createLocalEventBus(options: LocalEventBusOptions = {}): LocalEventBus {
  const project = options.project ?? "local";
  const clock = options.clock ?? systemClock;
  const maxAttempts = options.maxDeliveryAttempts ?? 5;
  const minBackoff = options.minBackoffMs ?? 10;
  const maxBackoff = options.maxBackoffMs ?? 1_000;
  const handlers = new Map<string, CloudEventHandler[]>();
  const deadLetters: DeadLetter[] = [];
  const inFlight = new Set<Promise<void>>();

  const deliver = async (
    channel: string,
    handler: CloudEventHandler,
    event: CloudEvent<unknown>,
  ) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await handler(event);
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (attempt >= maxAttempts) {
          deadLetters.push({ channel, event, attempts: attempt, error: message });
          options.logger?.error(
            { channel, eventId: event.id, attempts: attempt, err: message },
            "delivery dead-lettered",
          );
          return;
        }
        options.logger?.warn(
          { channel, eventId: event.id, attempt, err: message },
          "delivery failed; retrying",
        );
        await sleep(Math.min(maxBackoff, minBackoff * 2 ** (attempt - 1)));
      }
    }
  };

  const bus: LocalEventBus = {
    deadLetters,

    subscribe(channel, handler) {
      handlers.set(channel, [...(handlers.get(channel) ?? []), handler]);
    },

    emit(channel, event) {
      for (const handler of handlers.get(channel) ?? []) {
        const delivery: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
          .then(() => deliver(channel, handler, event))
          .finally(() => inFlight.delete(delivery));
        inFlight.add(delivery);
      }
    },

    async publish(topic: string, message: BusMessage): Promise<string> {
      const messageId = randomUUID();
      const event = pubsubCloudEvent({
        project,
        topic,
        messageId,
        data: message.data,
        attributes: message.attributes,
        orderingKey: message.orderingKey,
        publishTime: clock.now(),
      });
      bus.emit(topic, event as CloudEvent<unknown>);
      return messageId;
    },

    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
  return bus;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
