import type { Logger } from "../../platform/logger.js";
import type { ObjectStore } from "../../platform/ports.js";
import { quarantineObjectKey, rawObjectKey } from "../raw-table.js";
import { DEFAULT_CONNECTION } from "./connection.js";
import { ndjson, quarantineLine, rawLine } from "./lines.js";
import { batchDateOf, batchIdOf, type StreamGroup } from "./sort-records.js";

const NDJSON = "application/x-ndjson";

export interface LandInput {
  readonly source: string;
  readonly groups: readonly StreamGroup[];
  /** Receive time: the `dt` of a group that has no valid record to date it. */
  readonly now: Date;
  readonly receivedAt: string;
  /** The delivery's replay headers, kept with quarantined records. */
  readonly replayHeaders?: Readonly<Record<string, string>>;
  /** The connection the delivery came for, and its business unit (raw `_connection`, …). */
  readonly connection?: { readonly id: string; readonly businessUnit: string };
}

export interface LandCounts {
  readonly accepted: number;
  readonly quarantined: number;
  readonly duplicate: number;
}

/** A raw object the delivery landed or found landed before, with its record ids. */
export interface LandedRaw {
  readonly stream: string;
  readonly key: string;
  readonly recordIds: readonly string[];
}

/**
 * Writes each stream group as two objects under one deterministic batch key, create-if-absent:
 * quarantine first, raw last (raw's creation is what triggers the load). When an object already
 * exists the delivery was landed before: its records count as duplicates and nothing is
 * rewritten. Throws when a write fails, so the caller answers 5xx and the vendor retries.
 */
export async function landGroups(
  store: ObjectStore,
  log: Logger,
  input: LandInput,
): Promise<LandCounts & { readonly raw: readonly LandedRaw[] }> {
  const raw: LandedRaw[] = [];
  let accepted = 0;
  let quarantined = 0;
  let duplicate = 0;
  for (const group of input.groups) {
    duplicate += group.duplicates;
    // A connection other than `default` is part of the key: two portals may send the same ids.
    const connection = input.connection?.id;
    const batchId =
      group.landAs?.batchId ??
      batchIdOf(
        connection && connection !== DEFAULT_CONNECTION
          ? `${input.source}\n${connection}`
          : input.source,
        group,
      );
    const dt = group.landAs?.dt ?? batchDateOf(group, input.now);
    if (group.invalid.length > 0) {
      const key = quarantineObjectKey(input.source, group.stream, dt, batchId);
      const lines = group.invalid.map((record) =>
        quarantineLine(record, input.receivedAt, input.replayHeaders),
      );
      const { created } = await store.put(key, ndjson(lines), {
        ifAbsent: true,
        contentType: NDJSON,
      });
      if (created) quarantined += group.invalid.length;
      else duplicate += group.invalid.length;
      // Our batch id and key find the records; their ids and values stay out of the log.
      log.warn(
        {
          stream: group.stream,
          batchId,
          key,
          records: group.invalid.length,
          reasons: distinctReasons(group.invalid),
        },
        created ? "records quarantined" : "quarantined records already kept",
      );
    }
    if (group.valid.length > 0) {
      const key = rawObjectKey(input.source, group.stream, dt, batchId);
      const meta = {
        _source: input.source,
        _stream: group.stream,
        _received_at: input.receivedAt,
        _batch_id: batchId,
        _object: key,
        _connection: input.connection?.id ?? DEFAULT_CONNECTION,
        _business_unit: input.connection?.businessUnit ?? DEFAULT_CONNECTION,
      };
      const lines = group.valid.map((record) => rawLine(meta, record));
      const { created } = await store.put(key, ndjson(lines), {
        ifAbsent: true,
        contentType: NDJSON,
      });
      if (created) accepted += group.valid.length;
      else duplicate += group.valid.length;
      raw.push({ stream: group.stream, key, recordIds: group.valid.map((r) => r.recordId) });
      log.info(
        {
          stream: group.stream,
          batchId,
          key,
          records: group.valid.length,
          landed: created,
        },
        created ? "batch landed" : "batch already landed; duplicate delivery",
      );
    }
  }
  return { accepted, quarantined, duplicate, raw };
}

/**
 * The reasons of a group, each once: a field path and a rule (never a value), at most 10. Reasons
 * never quote what was sent (zod messages name the expectation; our own reasons are fixed text).
 */
function distinctReasons(records: readonly { readonly reasons: readonly string[] }[]): string[] {
  return [...new Set(records.flatMap((r) => r.reasons))].slice(0, 10);
}
