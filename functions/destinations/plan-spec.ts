import type { Identification, SegmentMember } from "../core/activation/members.js";

/**
 * How a destination turns segment rows into members: the columns it reads and its `identify`
 * (normalize, hash, choose the payload). Built per sync once the segment's columns are known,
 * so optional match keys a segment lacks are simply not sent (and reported).
 */
export interface PlanSpec {
  /** What the batch rows hold: `EMAIL_SHA256`, `EMAIL,PHONE,FN`, `contact`, `task`. */
  readonly schema: string;
  /** Columns read when present; missing ones are reported and not sent. */
  readonly optionalColumns: readonly string[];
  identify(member: SegmentMember): Identification;
}

/** Columns a sync reads: those it cannot do without, and match keys it sends when present. */
export interface SyncColumns {
  readonly required: readonly string[];
  readonly optional: readonly string[];
}
