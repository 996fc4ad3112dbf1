import type { ObjectStore } from "../../platform/ports.js";
import { ndjson, quarantineLine, rawLine } from "../ingest/lines.js";
import { sha256, sortRecords } from "../ingest/sort-records.js";
import type { RecordMatcher } from "../privacy/record-matcher.js";
import { withoutSuppressed } from "../privacy/suppress-records.js";
import { quarantineObjectKey, rawObjectKey } from "../raw-table.js";
import type { JournalEntry, StreamRef } from "./journal.js";
import type { PulledPage, PullStream, PullWindow } from "./source.js";

const NDJSON = "application/x-ndjson";

/**
 * The raw batch id of a page: a hash of the stream, the window and the page's cursor, so the same
 * page of the same window always lands under the same key, whatever the vendor answers the
 * second time it is asked.
 */
export function pageBatchId(ref: StreamRef, window: PullWindow, cursor: string | null): string {
  const parts = [ref.source, ref.connection, ref.stream, window.from, window.to, cursor ?? ""];
  return sha256(parts.join("\n")).slice(0, 32);
}

/** Turns a fetched page into its journal entry: the exact lines raw and quarantine will hold. */
export function pageEntry(input: {
  readonly ref: StreamRef;
  readonly stream: PullStream;
  readonly window: PullWindow;
  readonly page: number;
  readonly cursor: string | null;
  readonly fetched: PulledPage;
  readonly fetchedAt: Date;
  /** Erased people (the suppression list): their records land nowhere, only counted. */
  readonly suppression?: RecordMatcher;
  /** The connection's business unit, written on every raw line beside the connection. */
  readonly businessUnit?: string;
}): { entry: JournalEntry; duplicates: number; suppressed: number } {
  const { ref, window, cursor } = input;
  const contract = input.stream.contract;
  const sorted = sortRecords(
    { streams: { [ref.stream]: contract } },
    input.fetched.records.map((r) => ({ stream: ref.stream, value: r.value, json: r.json })),
  );
  // The page's key comes from its cursor, not its records: dropping some keeps it stable.
  const { groups, suppressed } = input.suppression
    ? withoutSuppressed(ref.source, sorted, input.suppression, input.fetchedAt)
    : { groups: sorted, suppressed: 0 };
  const [group] = groups;
  const batchId = pageBatchId(ref, window, cursor);
  // The window's end dates its pages: a run resumed after midnight writes the same keys.
  const dt = window.to.slice(0, 10);
  const receivedAt = input.fetchedAt.toISOString();
  const valid = group?.valid ?? [];
  const invalid = group?.invalid ?? [];
  const rawKey = valid.length > 0 ? rawObjectKey(ref.source, ref.stream, dt, batchId) : null;
  const quarantineKey =
    invalid.length > 0 ? quarantineObjectKey(ref.source, ref.stream, dt, batchId) : null;
  const meta = {
    _source: ref.source,
    _stream: ref.stream,
    _received_at: receivedAt,
    _batch_id: batchId,
    _object: rawKey ?? "",
    _connection: ref.connection,
    _business_unit: input.businessUnit ?? ref.connection,
  };
  return {
    entry: {
      header: {
        page: input.page,
        cursor,
        next: input.fetched.next ?? null,
        raw: valid.length,
        quarantine: invalid.length,
        rawKey,
        quarantineKey,
        fetchedAt: receivedAt,
      },
      rawLines: valid.map((record) => rawLine(meta, record)),
      quarantineLines: invalid.map((record) =>
        quarantineLine(record, receivedAt, {
          connection: ref.connection,
          window: String(window.seq),
        }),
      ),
    },
    duplicates: group?.duplicates ?? 0,
    suppressed,
  };
}

/**
 * Writes a journaled page's quarantine and raw objects, create-if-absent (raw last: its creation
 * is what the loader picks up). Run again for the same entry it writes nothing new.
 */
export async function writePageObjects(store: ObjectStore, entry: JournalEntry): Promise<void> {
  const { header } = entry;
  if (header.quarantineKey && entry.quarantineLines.length > 0) {
    await store.put(header.quarantineKey, ndjson(entry.quarantineLines), {
      ifAbsent: true,
      contentType: NDJSON,
    });
  }
  if (header.rawKey && entry.rawLines.length > 0) {
    await store.put(header.rawKey, ndjson(entry.rawLines), { ifAbsent: true, contentType: NDJSON });
  }
}
