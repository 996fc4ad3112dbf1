import { compactJson, jsonArrayElements } from "../../core/ingest/json-text.js";
import type {
  Extraction,
  JsonBody,
  StreamContract,
  WebhookDelivery,
} from "../../core/ingest/source.js";
import { defineStream } from "../stream-contract.js";
import { SendgridEventSchema } from "./contracts.js";

export const eventsStream: StreamContract = defineStream({
  schema: SendgridEventSchema,
  recordId: (event) => event.sg_event_id,
  eventTime: (event) => new Date(event.timestamp * 1000),
  recordIdHint(value) {
    if (typeof value !== "object" || value === null) return undefined;
    const id = (value as Record<string, unknown>).sg_event_id;
    return typeof id === "string" && id.length > 0 ? id : undefined;
  },
});

/**
 * SendGrid posts an array of events; each element is one record of the `events` stream, kept
 * with its exact source text. A body that is not an array is one (probably invalid) record.
 */
export function extractSendgridDelivery(_delivery: WebhookDelivery, body: JsonBody): Extraction {
  if (!Array.isArray(body.value)) {
    return { records: [{ stream: "events", value: body.value, json: compactJson(body.text) }] };
  }
  const values: unknown[] = body.value;
  const texts = jsonArrayElements(body.text);
  if (texts.length !== values.length) {
    throw new Error(`split ${texts.length} events but parsed ${values.length}: a scanner bug`);
  }
  return {
    records: values.map((value, i) => ({ stream: "events", value, json: texts[i] as string })),
  };
}
