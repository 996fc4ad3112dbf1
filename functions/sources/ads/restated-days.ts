import { z } from "zod";
import type { PullWindow } from "../../core/pull/source.js";

/**
 * Ad platforms restate: spend, clicks and above all conversions of a day keep changing for days
 * (late conversions, invalid-click refunds). Every pull of an ads report therefore re-reads the
 * last `lookbackDays` complete days, whatever the window's `from`, and each record carries the
 * pull it came from; staging keeps, per account, level and day, the rows of the latest pull that
 * landed whole (its completion marker and as many rows as the marker counts), so a restated day
 * replaces the old one and is never counted twice.
 */
export const AdsSettingsSchema = z.looseObject({
  /** Complete days re-read by every pull (the platform's restatement horizon). */
  lookbackDays: z.coerce.number().int().min(1).max(90).default(7),
  /** How far back a first pull (or `--since`) may go. */
  backfillDays: z.coerce.number().int().min(1).max(1095).default(30),
});

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The days one pull reads, oldest first: the `lookbackDays` complete UTC days before the window's
 * end, extended back to the window's `from` (a first pull or `--since`) but no further than
 * `backfillDays`. Derived from the durable window only, so a resumed pull reads the same days.
 */
export function restatedDays(
  window: PullWindow,
  settings: { lookbackDays: number; backfillDays: number },
): string[] {
  const endDay = Math.floor(Date.parse(window.to) / DAY_MS) * DAY_MS; // today, not complete
  const fromDay = Math.floor(Date.parse(window.from) / DAY_MS) * DAY_MS;
  const earliest = endDay - Math.max(settings.backfillDays, settings.lookbackDays) * DAY_MS;
  const start = Math.min(endDay - settings.lookbackDays * DAY_MS, Math.max(fromDay, earliest));
  const days: string[] = [];
  for (let day = start; day < endDay; day += DAY_MS) days.push(isoDay(day));
  return days;
}

/** Which pull a record came from: part of its record id, so each pull's rows land apart. */
export const PullContextSchema = z.strictObject({
  account: z.string().min(1),
  level: z.string().min(1),
  day: z.iso.date(),
  /** The window's end: the same for every page of one pull, later for a later pull. */
  pulled_at: z.iso.datetime({ offset: true }),
  window: z.number().int().positive(),
});
export type PullContext = z.infer<typeof PullContextSchema>;

export function pullContext(
  window: PullWindow,
  account: string,
  level: string,
  day: string,
): PullContext {
  return { account, level, day, pulled_at: window.to, window: window.seq };
}

/**
 * The record that closes one day of one pull: how many rows that pull landed for the day. A pull
 * whose marker is missing, or whose rows are fewer than it says, is not used by staging.
 */
export function completionRecord(context: PullContext, rows: number) {
  const value = { pull: context, complete: { rows } };
  return { value, json: JSON.stringify(value) };
}

/**
 * A vendor row wrapped with its pull context; `row` is the vendor's row as it came (both ads APIs
 * send ids and int64 counters as JSON strings, so re-serializing loses nothing).
 */
export function pulledRow(context: PullContext, row: unknown) {
  const value = { pull: context, row };
  return { value, json: JSON.stringify(value) };
}

/** `<account>:<level>:<day>:<entity or "complete">:<pulled_at>`. */
export function pulledRecordId(context: PullContext, entity: string): string {
  return `${context.account}:${context.level}:${context.day}:${entity}:${context.pulled_at}`;
}
