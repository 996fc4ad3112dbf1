import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventBus } from "../../functions/platform/ports.js";

export interface Received {
  readonly data: unknown;
  readonly attributes: Record<string, string>;
}

export interface EventBusHarness {
  readonly bus: EventBus;
  /** Prepares a topic to be received from (creates it and a subscription where needed). */
  open(topic: string): Promise<void>;
  /** Waits for `count` messages on a topic opened before publishing. */
  receive(topic: string, count: number): Promise<Received[]>;
  cleanup(): Promise<void>;
}

/** The behaviour every EventBus adapter must have (Pub/Sub and the in-process bus alike). */
export function describeEventBusContract(
  name: string,
  create: () => Promise<EventBusHarness | string>,
): void {
  describe(`EventBus contract: ${name}`, () => {
    let h: EventBusHarness | undefined;
    let skipped: string | undefined;
    beforeAll(async () => {
      const made = await create();
      if (typeof made === "string") skipped = made;
      else h = made;
    });
    afterAll(async () => {
      await h?.cleanup();
    });

    it("delivers a published JSON message with its attributes", async (ctx) => {
      if (!h) return ctx.skip(skipped);
      await h.open("contract-a");
      const id = await h.bus.publish("contract-a", {
        data: {
          batch: "activation/meta/run-1/add-0001.json",
          rows: 10_000,
          big: "820982911946154508",
        },
        attributes: { destination: "meta", op: "add" },
      });
      expect(id).toMatch(/\S/);
      const [got] = await h.receive("contract-a", 1);
      expect(got).toEqual({
        data: {
          batch: "activation/meta/run-1/add-0001.json",
          rows: 10_000,
          big: "820982911946154508",
        },
        attributes: { destination: "meta", op: "add" },
      });
    });

    it("delivers every message of a burst", async (ctx) => {
      if (!h) return ctx.skip(skipped);
      await h.open("contract-b");
      await Promise.all(
        Array.from({ length: 25 }, (_, i) => h?.bus.publish("contract-b", { data: { i } })),
      );
      const got = await h.receive("contract-b", 25);
      expect(got.map((m) => (m.data as { i: number }).i).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 25 }, (_, i) => i),
      );
    });
  });
}
