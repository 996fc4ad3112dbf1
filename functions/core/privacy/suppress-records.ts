import { batchDateOf, batchIdOf, type StreamGroup } from "../ingest/sort-records.js";
import type { RecordMatcher } from "./record-matcher.js";

/**
 * The groups of a delivery or a pulled page without the records of erased people: they land
 * nowhere, neither in raw nor in quarantine, and are only counted. Webhooks (ingestWebhook) and
 * pulls call this between sorting and landing. A group that loses records keeps the batch id and
 * `dt` of the whole group: the vendor's retry of a delivery landed before the erasure then finds
 * the object the erasure rewrote (a duplicate), instead of landing everyone else a second time.
 */
export function withoutSuppressed(
  source: string,
  groups: readonly StreamGroup[],
  matcher: RecordMatcher,
  now: Date,
): { groups: StreamGroup[]; suppressed: number } {
  if (matcher.empty) return { groups: [...groups], suppressed: 0 };
  let suppressed = 0;
  const kept = groups.map((group): StreamGroup => {
    let dropped = 0;
    const keep = <T extends { json: string }>(records: readonly T[]): T[] =>
      records.filter((r) => {
        const names = matcher.names({ source, stream: group.stream, json: r.json });
        if (names) dropped++;
        return !names;
      });
    const valid = keep(group.valid);
    const invalid = keep(group.invalid);
    if (dropped === 0) return group;
    suppressed += dropped;
    return {
      stream: group.stream,
      valid,
      invalid,
      duplicates: group.duplicates,
      landAs: group.landAs ?? {
        batchId: batchIdOf(source, group),
        dt: batchDateOf(group, now),
      },
    };
  });
  return { groups: kept, suppressed };
}
