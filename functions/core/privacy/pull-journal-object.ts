import { decodeEntry, encodeEntry, PULL_PREFIX } from "../pull/journal.js";
import { type RewriteResult, rewriteNdjson } from "./lake-objects.js";
import type { RecordMatcher } from "./record-matcher.js";

/**
 * A pull's journal (`pull/<source>/<connection>/<stream>/journal/<seq>/<page>.ndjson`, see
 * core/pull/journal.ts) holds each landed page's exact raw and quarantine lines, from which a
 * resumed pull writes raw objects again: the person's lines leave the journal too, and the
 * header's counts follow so the entry still decodes. Window and stop markers name no one.
 */
const JOURNAL_KEY = /^pull\/([^/]+)\/[^/]+\/([^/]+)\/journal\/[^/]+\/[^/]+\.ndjson$/;

export function rewritePullJournal(
  text: string,
  key: string,
  matcher: RecordMatcher,
): RewriteResult {
  const m = JOURNAL_KEY.exec(key);
  if (!key.startsWith(PULL_PREFIX) || !m?.[1] || !m[2] || matcher.empty) {
    return { text, removed: 0, recordIds: [] };
  }
  const stream = { source: m[1], stream: m[2] };
  const entry = decodeEntry(Buffer.from(text, "utf8"), key);
  const raw = rewriteNdjson(lines(entry.rawLines), stream, matcher);
  const quarantine = rewriteNdjson(lines(entry.quarantineLines), stream, matcher);
  const removed = raw.removed + quarantine.removed;
  if (removed === 0) return { text, removed: 0, recordIds: [] };
  const rawLines = split(raw.text);
  const quarantineLines = split(quarantine.text);
  const header = { ...entry.header, raw: rawLines.length, quarantine: quarantineLines.length };
  return {
    text: encodeEntry({ header, rawLines, quarantineLines }),
    removed,
    recordIds: [...raw.recordIds, ...quarantine.recordIds],
  };
}

const lines = (xs: readonly string[]) => (xs.length === 0 ? "" : `${xs.join("\n")}\n`);
const split = (text: string | null) => (text ? text.split("\n").filter((l) => l !== "") : []);
