import type { RawLine } from "../raw-table.js";
import type { InvalidRecord, ValidRecord } from "./sort-records.js";

/**
 * NDJSON lines of the lake. The record's own JSON text is spliced in as `payload` instead of
 * being re-serialised, so raw holds exactly the numbers and strings the vendor sent.
 */

type RawMeta = Omit<RawLine, "payload">;

export function rawLine(meta: Omit<RawMeta, "_record_id">, record: ValidRecord): string {
  const head: RawMeta = { _record_id: record.recordId, ...meta };
  return spliceField(JSON.stringify(head), "payload", record.json);
}

/**
 * A quarantined record: `{ _record_id (when known), reasons, _received_at, headers (the source's
 * replay headers, when it has any), payload }`. The headers are what a replay needs to route the
 * record again (Shopify's topic, for one).
 */
export function quarantineLine(
  record: InvalidRecord,
  receivedAt: string,
  headers: Readonly<Record<string, string>> = {},
): string {
  const head = {
    ...(record.recordId !== undefined ? { _record_id: record.recordId } : {}),
    reasons: record.reasons,
    _received_at: receivedAt,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
  };
  return spliceField(JSON.stringify(head), "payload", record.json);
}

/**
 * A body that is not JSON, kept byte for byte (base64) with the reason and the headers a replay
 * needs to route it.
 */
export function unparsedLine(input: {
  readonly reason: string;
  readonly receivedAt: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly rawBody: Uint8Array;
}): string {
  return JSON.stringify({
    reasons: [input.reason],
    _received_at: input.receivedAt,
    headers: input.headers,
    raw_body_base64: Buffer.from(input.rawBody).toString("base64"),
  });
}

export function ndjson(lines: readonly string[]): string {
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** `{"a":1}` + `b`, `[2]` → `{"a":1,"b":[2]}`; `json` must be compact, valid JSON. */
function spliceField(objectJson: string, name: string, json: string): string {
  return `${objectJson.slice(0, -1)},${JSON.stringify(name)}:${json}}`;
}
