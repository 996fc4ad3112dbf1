import { parseJsonExact } from "../ingest/json-text.js";
import type { RecordMatcher } from "./record-matcher.js";

/**
 * What erasing a person does to one lake object, as pure functions of its text: the lines or
 * rows that stay, byte for byte, and what was removed. The caller writes the result back.
 */

export interface RewriteResult {
  /** The object's new text, or `null` when nothing is left (delete it). */
  readonly text: string | null;
  /** Records (lines, rows) removed. */
  readonly removed: number;
  /** `_record_id` of each removed record that had one. */
  readonly recordIds: readonly string[];
}

const UNCHANGED = (text: string): RewriteResult => ({ text, removed: 0, recordIds: [] });

/** `raw/<source>/<stream>/…` and `quarantine/<source>/<stream>/…` → source and stream. */
export function streamOfKey(key: string): { source: string; stream: string } | undefined {
  const m = /^(?:raw|quarantine)\/([^/]+)\/([^/]+)\//.exec(key);
  return m?.[1] && m[2] ? { source: m[1], stream: m[2] } : undefined;
}

/**
 * NDJSON records (raw lines, quarantine lines, a pull journal's lines): a line naming a person is
 * removed. The payload is read at the stream's identifier paths; the whole line, and the body of
 * a quarantined unparsable delivery (base64), are searched for email addresses.
 */
export function rewriteNdjson(
  text: string,
  stream: { source: string; stream: string },
  matcher: RecordMatcher,
): RewriteResult {
  if (matcher.empty) return UNCHANGED(text);
  const kept: string[] = [];
  const recordIds: string[] = [];
  let removed = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let parsed: Record<string, unknown> | undefined;
    try {
      const value = parseJsonExact(line);
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        parsed = value as Record<string, unknown>;
      }
    } catch {
      parsed = undefined;
    }
    const body =
      typeof parsed?.raw_body_base64 === "string"
        ? Buffer.from(parsed.raw_body_base64, "base64").toString("utf8")
        : "";
    const names = matcher.names({
      ...stream,
      value: parsed && "payload" in parsed ? parsed.payload : null,
      json: body ? `${line}\n${body}` : line,
    });
    if (!names) {
      kept.push(line);
      continue;
    }
    removed++;
    if (typeof parsed?._record_id === "string") recordIds.push(parsed._record_id);
  }
  if (removed === 0) return UNCHANGED(text);
  return { text: kept.length === 0 ? null : `${kept.join("\n")}\n`, removed, recordIds };
}

/** The parsed lines of an NDJSON object that name the person (what an access request reads). */
export function matchingLines(
  text: string,
  stream: { source: string; stream: string },
  matcher: RecordMatcher,
): Array<Record<string, unknown>> {
  if (matcher.empty) return [];
  const out: Array<Record<string, unknown>> = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const one = rewriteNdjson(`${line}\n`, stream, matcher);
    if (one.removed === 0) continue;
    try {
      out.push(parseJsonExact(line) as Record<string, unknown>);
    } catch {
      out.push({ unparsable_line: line });
    }
  }
  return out;
}

/** An activation batch: rows sent for one of the contacts are removed. */
export function rewriteActivationBatch(
  text: string,
  contactIds: ReadonlySet<string>,
): RewriteResult {
  let batch: { rows?: unknown };
  try {
    batch = JSON.parse(text) as { rows?: unknown };
  } catch {
    throw new Error("activation batch is not JSON: it cannot be checked for the person");
  }
  if (!Array.isArray(batch.rows)) return UNCHANGED(text);
  const rows = batch.rows as Array<{ contactIds?: unknown }>;
  const kept = rows.filter(
    (row) =>
      !(Array.isArray(row.contactIds) && row.contactIds.some((id) => contactIds.has(String(id)))),
  );
  const removed = rows.length - kept.length;
  if (removed === 0) return UNCHANGED(text);
  return {
    text: kept.length === 0 ? null : JSON.stringify({ ...batch, rows: kept }),
    removed,
    recordIds: [],
  };
}

/** A document about one person: deleted whole when it names them. */
export function rewritePersonDocument(
  text: string,
  contactIds: ReadonlySet<string>,
  matcher: RecordMatcher,
): RewriteResult {
  const mentions =
    [...contactIds].some((id) => text.includes(id)) ||
    matcher.names({ source: "", stream: "", value: null, json: text });
  return mentions ? { text: null, removed: 1, recordIds: [] } : UNCHANGED(text);
}
