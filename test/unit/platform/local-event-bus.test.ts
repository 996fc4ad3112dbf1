import { describe, expect, it } from "vitest";
import {
  decodePubsubJson,
  PUBSUB_PUBLISHED_TYPE,
} from "../../../functions/platform/cloudevents.js";
import { createLocalEventBus } from "../../../functions/platform/local/local-event-bus.js";

describe("in-process event bus", () => {
  it("delivers the same Pub/Sub CloudEvent envelope Eventarc delivers", async () => {
    const bus = createLocalEventBus({ project: "demo" });
    const seen: unknown[] = [];
    bus.subscribe("activate-meta", async (event) => void seen.push(event));
    const id = await bus.publish("activate-meta", { data: { n: 1 }, attributes: { op: "add" } });
    await bus.drain();
    expect(seen).toHaveLength(1);
    const event = seen[0] as {
      type: string;
      source: string;
      data: { message: { data: string; messageId: string } };
    };
    expect(event.type).toBe(PUBSUB_PUBLISHED_TYPE);
    expect(event.source).toBe("//pubsub.googleapis.com/projects/demo/topics/activate-meta");
    expect(event.data.message.messageId).toBe(id);
    expect(JSON.parse(Buffer.from(event.data.message.data, "base64").toString())).toEqual({ n: 1 });
  });

  it("redelivers a message whose handler throws until it succeeds", async () => {
    const bus = createLocalEventBus({ minBackoffMs: 1 });
    let calls = 0;
    const done: unknown[] = [];
    bus.subscribe("t", async (event) => {
      calls++;
      if (calls < 3) throw new Error("warehouse unavailable");
      done.push(decodePubsubJson(event).data);
    });
    await bus.publish("t", { data: "hello" });
    await bus.drain();
    expect(calls).toBe(3);
    expect(done).toEqual(["hello"]);
    expect(bus.deadLetters).toEqual([]);
  });

  it("dead-letters a message after the last delivery attempt, keeping the error", async () => {
    const bus = createLocalEventBus({ minBackoffMs: 1, maxDeliveryAttempts: 4 });
    bus.subscribe("t", async () => {
      throw new Error("always broken");
    });
    await bus.publish("t", { data: { x: 1 } });
    await bus.drain();
    expect(bus.deadLetters).toHaveLength(1);
    expect(bus.deadLetters[0]).toMatchObject({ channel: "t", attempts: 4, error: "always broken" });
  });

  it("does not deliver inside publish: a publisher never runs the subscriber's code", async () => {
    const bus = createLocalEventBus();
    let delivered = false;
    bus.subscribe("t", async () => {
      delivered = true;
    });
    await bus.publish("t", { data: 1 });
    expect(delivered).toBe(false);
    await bus.drain();
    expect(delivered).toBe(true);
  });

  it("rejects an envelope that is not a Pub/Sub message instead of acking it", () => {
    expect(() =>
      decodePubsubJson({ specversion: "1.0", id: "1", source: "x", type: "unknown", time: "" }),
    ).toThrow(/expected a google.cloud.pubsub.topic.v1.messagePublished CloudEvent/);
  });
});
