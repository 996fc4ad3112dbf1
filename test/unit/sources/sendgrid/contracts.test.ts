import { describe, expect, it } from "vitest";
import { SENDGRID_EVENT_TYPES } from "../../../../functions/sources/sendgrid/contracts.js";
import { eventsStream } from "../../../../functions/sources/sendgrid/extract.js";
import { sendgridVectors } from "../vectors.js";

const examples = sendgridVectors.example_event_post_body.events;

describe("SendGrid events contract", () => {
  it("covers every documented event type in SendGrid's example body", () => {
    expect(new Set(examples.map((e) => e.event))).toEqual(new Set(SENDGRID_EVENT_TYPES));
  });

  it.each(examples.map((e) => [e.event, e] as const))(
    "accepts the documented %s event",
    (_type, event) => {
      expect(eventsStream.check(event)).toEqual({
        ok: true,
        recordId: event.sg_event_id,
        eventTime: new Date(1539462305 * 1000),
      });
    },
  );

  it("accepts the events of the signed multi-event vector", () => {
    const multi = sendgridVectors.signature_verification.vectors.find(
      (v) => v.name === "valid_multi_event",
    );
    const events = JSON.parse(multi?.payload ?? "[]") as unknown[];
    expect(events.map((e) => eventsStream.check(e).ok)).toEqual([true, true]);
  });

  it.each([
    ["an unknown event type", { event: "bogus" }, "event: Invalid option"],
    [
      "a non-numeric timestamp",
      { timestamp: "yesterday" },
      "timestamp: Invalid input: expected number",
    ],
    [
      "a fractional timestamp",
      { timestamp: 1539462305.5 },
      "timestamp: Invalid input: expected int",
    ],
    ["no sg_event_id", { sg_event_id: undefined }, "sg_event_id: Invalid input"],
    ["no email", { email: undefined }, "email: Invalid input"],
  ])("rejects %s with the field and the rule", (_name, change, reason) => {
    const check = eventsStream.check({ ...examples[0], ...change });
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reasons.join(" | ")).toContain(reason);
  });

  it("names the event id of a rejected event when it has one", () => {
    const check = eventsStream.check({ ...examples[0], event: "bogus" });
    expect(check).toMatchObject({ ok: false, recordIdHint: "3VQNwQVlOAoGt_mNmMf7Uw==" });
  });
});
