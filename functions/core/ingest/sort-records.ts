import { createHash } from "node:crypto";
import { jsonDefect } from "./json-defects.js";
import type { CandidateRecord, WebhookSource } from "./source.js";

/** Stream name under which records that cannot be routed are quarantined. */
export const UNROUTED_STREAM = "unrouted";

export interface ValidRecord {
  readonly recordId: string;
  readonly eventTime: Date;
  readonly json: string;
}

export interface InvalidRecord {
  readonly recordId: string | undefined;
  readonly reasons: readonly string[];
  readonly json: string;
}

/** The records of one delivery that belong to one stream, sorted into what lands and what not. */
export interface StreamGroup {
  readonly stream: string;
  readonly valid: ValidRecord[];
  readonly invalid: InvalidRecord[];
  /** Records dropped because an earlier record of this delivery had the same id. */
  duplicates: number;
  /**
   * Where the group lands when it is not where its own records put it: a group that lost the
   * records of an erased person (core/privacy) keeps the batch id and `dt` of the whole group,
   * so a redelivery finds the object the erasure rewrote instead of landing the others again.
   */
  readonly landAs?: { readonly batchId: string; readonly dt: string };
}

/**
 * Checks every candidate against its stream's contract, and its JSON text for what the warehouse
 * cannot load or would read differently (`jsonDefect`), and groups them by stream. Within one
 * delivery a record id is landed once (SendGrid repeats events); the first copy wins.
 */
export function sortRecords(
  source: Pick<WebhookSource, "streams">,
  candidates: readonly CandidateRecord[],
): StreamGroup[] {
  const groups = new Map<string, StreamGroup>();
  const seen = new Set<string>();
  const groupOf = (stream: string): StreamGroup => {
    let group = groups.get(stream);
    if (!group) {
      group = { stream, valid: [], invalid: [], duplicates: 0 };
      groups.set(stream, group);
    }
    return group;
  };
  for (const candidate of candidates) {
    const contract = candidate.stream === undefined ? undefined : source.streams[candidate.stream];
    if (candidate.stream === undefined || !contract) {
      groupOf(UNROUTED_STREAM).invalid.push({
        recordId: undefined,
        reasons: [candidate.unroutedReason ?? `no contract for stream "${candidate.stream}"`],
        json: candidate.json,
      });
      continue;
    }
    const group = groupOf(candidate.stream);
    const check = contract.check(candidate.value);
    const defect = jsonDefect(candidate.json);
    if (defect) {
      group.invalid.push({
        recordId: check.ok ? check.recordId : check.recordIdHint,
        reasons: check.ok ? [defect] : [defect, ...check.reasons],
        json: candidate.json,
      });
    } else if (!check.ok) {
      group.invalid.push({
        recordId: check.recordIdHint,
        reasons: check.reasons,
        json: candidate.json,
      });
    } else if (seen.has(`${candidate.stream}\n${check.recordId}`)) {
      group.duplicates++;
    } else {
      seen.add(`${candidate.stream}\n${check.recordId}`);
      group.valid.push({
        recordId: check.recordId,
        eventTime: check.eventTime,
        json: candidate.json,
      });
    }
  }
  return [...groups.values()];
}

/**
 * Deterministic batch id of a group: a hash of the source, the stream and the sorted ids of its
 * records (a content hash stands in for a record without an id). A vendor's retry of the same
 * delivery, or the same events re-sent in a new request, produces the same id.
 */
export function batchIdOf(source: string, group: StreamGroup): string {
  const keys = [
    ...group.valid.map((r) => `r:${r.recordId}`),
    ...group.invalid.map((r) => `q:${sha256(r.json)}`),
  ].sort();
  return sha256(`${source}\n${group.stream}\n${keys.join("\n")}`).slice(0, 32);
}

const LAST_FOUR_DIGIT_YEAR_MS = Date.UTC(10000, 0, 1);

/** The `dt=` partition: the earliest vendor event time, so a retry after midnight keeps its key. */
export function batchDateOf(group: StreamGroup, fallback: Date): string {
  let earliest: number | undefined;
  for (const record of group.valid) {
    const t = record.eventTime.getTime();
    if (t >= 0 && t < LAST_FOUR_DIGIT_YEAR_MS && (earliest === undefined || t < earliest)) {
      earliest = t;
    }
  }
  return new Date(earliest ?? fallback.getTime()).toISOString().slice(0, 10);
}

export function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}
