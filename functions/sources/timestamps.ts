import { z } from "zod";

/**
 * An ISO 8601 instant with an offset (`2021-07-13T21:44:51Z`, `…+02:00`), narrowed to what
 * BigQuery's TIMESTAMP reads (at most 6 fractional digits, years 1970–9998), so a time the
 * contract accepts is never NULL in staging. Zoom, Google Ads and Meta write such instants.
 */
export const IsoInstantSchema = z.iso
  .datetime({ offset: true })
  .regex(
    /^(19[7-9]\d|[2-8]\d{3}|9[0-8]\d{2}|99[0-8]\d|999[0-8])-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/,
    "expected a timestamp such as 2021-07-13T21:44:51Z (seconds, at most 6 fractional digits, an offset, a year from 1970 to 9998)",
  );

/** A calendar day, `YYYY-MM-DD` (report days of the ad platforms). */
export const IsoDaySchema = z.iso.date();

/** Epoch milliseconds that BigQuery can hold as a TIMESTAMP (Zoom's `event_ts`). */
export const EpochMillisSchema = z
  .number()
  .int()
  .nonnegative()
  .max(253402300799999, "expected epoch milliseconds");
