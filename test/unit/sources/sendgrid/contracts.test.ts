import { readFileSync } from "node:fs";
import { resolve } from "node:path";
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

describe("SendGrid events contract: the full event set (StrongGrid's samples, Single Sends)", () => {
  const file = JSON.parse(
    readFileSync(
      resolve(import.meta.dirname, "../../../fixtures/vendor-api/sendgrid.json"),
      "utf8",
    ),
  ) as { webhook_events: Record<string, Record<string, unknown>> };

  it.each(Object.entries(file.webhook_events))("accepts the %s sample", (_name, event) => {
    expect(eventsStream.check(event)).toMatchObject({ ok: true, recordId: event.sg_event_id });
  });

  it("accepts a Single Send event with its campaign fields and a category array", () => {
    const event = {
      ...examples[0],
      category: ["promo", "nov"],
      mc_stats: "singlesend",
      phase_id: "send",
      send_at: "1639468221",
      singlesend_id: "fc59bd25-5cb1-11ec-a05d-f2509ce774e9",
      singlesend_name: "Untitled Single Send",
      template_id: "d-355ddad65f7f43f2bc7f1b8536401415",
    };
    expect(eventsStream.check(event).ok).toBe(true);
  });

  it.each([
    ["a category that is a number", { category: 7 }, "category"],
    ["a category array holding a number", { category: ["a", 1] }, "category"],
    [
      "a non-numeric marketing_campaign_id",
      { marketing_campaign_id: "spring" },
      "marketing_campaign_id",
    ],
    ["an empty singlesend_id", { singlesend_id: "" }, "singlesend_id"],
    ["sg_machine_open as text", { sg_machine_open: "false" }, "sg_machine_open"],
  ])("quarantines %s, naming the field", (_name, change, field) => {
    const check = eventsStream.check({ ...examples[0], ...change });
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reasons.join(" | ")).toContain(`${field}:`);
  });
});
