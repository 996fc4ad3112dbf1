import { describe, expect, it } from "vitest";
import { generateDeliveries } from "../../../functions/cli/demo/synthetic/generate.js";
import {
  ZoomParticipantEventSchema,
  ZoomRegistrationEventSchema,
  ZoomWebinarEventSchema,
} from "../../../functions/sources/zoom/contracts.js";

const NOW = new Date("2026-12-01T12:00:00Z");

function zoomEvents(run: number, webinars = true) {
  const generated = generateDeliveries({ contacts: 400, seed: 7, run, now: NOW, webinars });
  return {
    generated,
    events: generated.deliveries
      .filter((d) => d.source === "zoom")
      .map((d) => ({ path: d.path, sentAt: d.sentAt, body: JSON.parse(d.body) })),
  };
}

describe("the demo's Zoom webinars", () => {
  it("sends three ended webinars whose every event passes Zoom's contract, in time order", () => {
    const { generated, events } = zoomEvents(1);
    expect(generated.expected.zoom.deliveries).toBe(events.length);
    expect(events.every((e) => e.path === "/webhooks/zoom")).toBe(true);
    for (const { body } of events) {
      const schema = body.event.startsWith("webinar.participant_")
        ? ZoomParticipantEventSchema
        : body.event.startsWith("webinar.registration_")
          ? ZoomRegistrationEventSchema
          : ZoomWebinarEventSchema;
      expect(schema.safeParse(body).success, body.event).toBe(true);
    }
    const sent = events.map((e) => Date.parse(e.sentAt));
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    const ended = events.filter((e) => e.body.event === "webinar.ended");
    expect(ended).toHaveLength(3);
    // Every webinar ended before the run's window closed (its leads can be routed).
    for (const e of ended)
      expect(Date.parse(e.body.payload.object.end_time)).toBeLessThan(
        Date.parse(generated.expected.window.end),
      );
  });

  it("has attendees only among registrants, about half of them, some with two stays", () => {
    const { generated, events } = zoomEvents(1);
    const registered = new Set(
      events
        .filter((e) => e.body.event === "webinar.registration_created")
        .map((e) => `${e.body.payload.object.uuid} ${e.body.payload.object.registrant.email}`),
    );
    const joins = events
      .filter((e) => e.body.event === "webinar.participant_joined")
      .map((e) => `${e.body.payload.object.uuid} ${e.body.payload.object.participant.email}`);
    expect(joins.every((j) => registered.has(j))).toBe(true);
    expect(registered.size).toBe(generated.expected.zoom.registrations);
    const attendees = new Set(joins).size;
    expect(attendees / registered.size).toBeGreaterThan(0.4);
    expect(attendees / registered.size).toBeLessThan(0.8);
    expect(joins.length).toBeGreaterThan(attendees);
  });

  it("adds no webinar on later runs or when not asked for, and leaves the other sources as they were", () => {
    expect(zoomEvents(2).events).toEqual([]);
    const without = zoomEvents(1, false);
    expect(without.events).toEqual([]);
    const withWebinars = zoomEvents(1);
    expect(withWebinars.generated.expected.shopify).toEqual(without.generated.expected.shopify);
    expect(withWebinars.generated.expected.sendgrid).toEqual(without.generated.expected.sendgrid);
  });
});
