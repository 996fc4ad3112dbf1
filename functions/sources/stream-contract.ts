import type { z } from "zod";
import type { RecordCheck, StreamContract } from "../core/ingest/source.js";

export interface StreamSpec<T> {
  readonly schema: z.ZodType<T>;
  /** Stable id: the same record delivered twice, or by a webhook and a backfill, has one id. */
  recordId(record: T): string;
  /** When the vendor says it happened: the raw object's `dt` partition. */
  eventTime(record: T): Date;
  /** Best-effort id of a record that failed its contract, for quarantine and logs. */
  recordIdHint(value: unknown): string | undefined;
}

/** Turns a typed stream spec into the contract the ingest use case runs on unknown values. */
export function defineStream<T>(spec: StreamSpec<T>): StreamContract {
  return {
    schema: spec.schema,
    check(value: unknown): RecordCheck {
      const parsed = spec.schema.safeParse(value);
      if (parsed.success) {
        return {
          ok: true,
          recordId: spec.recordId(parsed.data),
          eventTime: spec.eventTime(parsed.data),
        };
      }
      return {
        ok: false,
        reasons: parsed.error.issues.map(issueReason),
        recordIdHint: spec.recordIdHint(value),
      };
    },
  };
}

/** `line_items.0.price: Invalid input…`: where and what, never the value itself. */
export function issueReason(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}
