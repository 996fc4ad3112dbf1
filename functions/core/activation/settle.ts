import type { BatchRow } from "./batches.js";

/**
 * Which rows of a sent batch count as accepted, from the destination's answer. Meta reports how
 * many entries it refused and a sample of them: rows named in the sample are rejected; when the
 * sample does not name every refused entry we cannot tell which rows made it, so none is recorded
 * as accepted and the whole batch stays in the next run's diff (sending it again is harmless:
 * adds and removes are idempotent at the destination).
 */

export interface DestinationAnswer {
  readonly received: number;
  readonly invalid: number;
  /** Refused value → reason, as sampled by the destination. */
  readonly invalidSamples: Readonly<Record<string, string>>;
}

export interface Rejection {
  readonly contactId: string;
  readonly reason: string;
}

export interface SettledBatch {
  readonly status: "succeeded" | "partial";
  readonly accepted: readonly BatchRow[];
  readonly rejections: readonly Rejection[];
}

/**
 * `sampleKey` is how the destination names a row in its sample: the hash for single-key uploads,
 * the joined values for multi-key ones.
 */
export function settleBatch(
  rows: readonly BatchRow[],
  answer: DestinationAnswer,
  sampleKey: (row: BatchRow) => string = (row) => row.hash,
): SettledBatch {
  if (answer.invalid === 0) return { status: "succeeded", accepted: rows, rejections: [] };
  const named = rows.filter((row) => Object.hasOwn(answer.invalidSamples, sampleKey(row)));
  const attributed = named.length >= answer.invalid;
  const rejected = attributed ? named : rows;
  const namedSet = new Set(named);
  return {
    status: "partial",
    accepted: attributed ? rows.filter((row) => !namedSet.has(row)) : [],
    rejections: rejected.flatMap((row) =>
      row.contactIds.map((contactId) => ({
        contactId,
        reason: namedSet.has(row)
          ? "destination_invalid_entry"
          : "destination_invalid_unattributed",
      })),
    ),
  };
}
