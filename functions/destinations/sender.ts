import type { ActivationBatch, BatchRow } from "../core/activation/batches.js";
import type { Rejection } from "../core/activation/settle.js";
import type { DestinationType } from "../core/activation/sync-config.js";

/**
 * What a destination does with one batch, for the generic activate handler: send it (in as
 * many requests as the platform needs, each retried per its rules) and say which rows the
 * platform took. Throws `DestinationApiError` when the platform did not take the batch.
 */
export interface DestinationSender {
  readonly destination: DestinationType;
  send(batch: ActivationBatch): Promise<SendOutcome>;
}

export interface AcceptedRow {
  readonly row: BatchRow;
  /** The platform's id of the record, when a later remove needs it (SendGrid, HubSpot). */
  readonly destinationId?: string;
}

export interface SendOutcome {
  /** `partial` when the platform refused some rows (they are in `rejections`). */
  readonly status: "succeeded" | "partial";
  readonly accepted: readonly AcceptedRow[];
  readonly rejections: readonly Rejection[];
  /** Rows the platform says it received, when it says. */
  readonly received: number | null;
  /** Rows it refused, when it says. */
  readonly invalid: number | null;
  /** HTTP attempts over every request of the batch. */
  readonly attempts: number;
  /** Match rate the platform reported (Google: a range). */
  readonly matchRate?: string | null;
}

/** Every contact of the rows, with one reason. */
export function rejectRows(rows: readonly BatchRow[], reason: string): Rejection[] {
  return rows.flatMap((row) => row.contactIds.map((contactId) => ({ contactId, reason })));
}
