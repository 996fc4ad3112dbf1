import { describe, expect, it } from "vitest";
import { parseJsonExact } from "../../../../functions/core/ingest/json-text.js";
import { SendgridEventSchema } from "../../../../functions/sources/sendgrid/contracts.js";
import {
  eventsStream,
  extractSendgridDelivery,
} from "../../../../functions/sources/sendgrid/extract.js";

/** How a SendGrid body is cut into records, and how a record that fails its contract is named. */

const delivery = {
  method: "POST",
  url: "/webhooks/sendgrid",
  headers: {},
  rawBody: Buffer.from(""),
};
const extract = (text: string) =>
  extractSendgridDelivery(delivery, { value: parseJsonExact(text), text });

describe("extractSendgridDelivery", () => {
  it("makes each element of the posted array one events record, with its exact text", () => {
    const text = '[ {"sg_event_id":"a", "n" : 1.50},\r\n{"sg_event_id":"b"} ]';
    expect(extract(text)).toEqual({
      records: [
        {
          stream: "events",
          value: { sg_event_id: "a", n: 1.5 },
          json: '{"sg_event_id":"a","n":1.50}',
        },
        { stream: "events", value: { sg_event_id: "b" }, json: '{"sg_event_id":"b"}' },
      ],
    });
  });

  it("keeps a body that is not an array as one record of the stream, compacted", () => {
    expect(extract('{ "sg_event_id" : "a" }')).toEqual({
      records: [{ stream: "events", value: { sg_event_id: "a" }, json: '{"sg_event_id":"a"}' }],
    });
    expect(extract(" 42 ")).toEqual({ records: [{ stream: "events", value: 42, json: "42" }] });
  });

  it("refuses to guess when the parsed body and its text disagree on the number of events", () => {
    const body = { value: [{ a: 1 }, { a: 2 }], text: '[{"a":1}]' };
    expect(() => extractSendgridDelivery(delivery, body)).toThrow(
      "split 1 events but parsed 2: a scanner bug",
    );
  });
});

describe("the events contract", () => {
  const event = {
    email: "a@example.com",
    timestamp: 1_700_000_000,
    event: "open",
    sg_event_id: "e1",
  };

  it("identifies an event by its sg_event_id and dates it by its timestamp in seconds", () => {
    expect(eventsStream.check(event)).toEqual({
      ok: true,
      recordId: "e1",
      eventTime: new Date(1_700_000_000_000),
    });
  });

  it("names a refused event by its sg_event_id when it has a usable one", () => {
    expect(eventsStream.check({ ...event, event: "teleported" })).toMatchObject({
      ok: false,
      recordIdHint: "e1",
    });
  });

  it.each([
    ["an empty sg_event_id", { ...event, event: "x", sg_event_id: "" }],
    ["a numeric sg_event_id", { ...event, sg_event_id: 7 }],
    ["no sg_event_id", { email: "a@example.com" }],
    ["an array", [event]],
    ["null", null],
    ["a string", "e1"],
  ])("gives no name to a refused event with %s", (_name, value) => {
    expect(eventsStream.check(value)).toMatchObject({ ok: false, recordIdHint: undefined });
  });

  it("says a timestamp in milliseconds is not unix seconds", () => {
    const check = eventsStream.check({ ...event, timestamp: 1_700_000_000_000_000 });
    expect(check).toMatchObject({ ok: false, reasons: ["timestamp: expected unix seconds"] });
    expect(SendgridEventSchema.safeParse({ ...event, timestamp: 253402300799 }).success).toBe(true);
  });
});
