import type { BatchRow } from "../../core/activation/batches.js";
import type { SyncOf } from "../../core/activation/sync-config.js";
import type { AcceptedRow, DestinationSender } from "../sender.js";
import type { SendgridClient, SendgridContact } from "./client.js";
import { CUSTOM_FIELD_PREFIX } from "./members.js";

/**
 * SendGrid Marketing as a destination. Adds: contacts suppressed for the sync's unsubscribe group
 * or globally unsubscribed are not written (rejected `suppressed`: SendGrid would not send to them
 * and the list must not count them), the others are upserted into the list and the import job is
 * polled to completion; the contacts' SendGrid ids are read back and kept in the ledger
 * (`destination_id`), because leaving the list is done by id. Removes: the contacts leave the
 * list (they stay in Marketing Contacts: other lists and the history are not ours to delete).
 * An upsert is idempotent by email, so a retried or redelivered batch changes nothing twice.
 */
export function sendgridSender(
  client: SendgridClient,
  syncs: readonly SyncOf<"sendgrid">[],
): DestinationSender {
  const byId = new Map(syncs.map((s) => [s.id, s]));
  return {
    destination: "sendgrid",
    async send(batch) {
      const sync = byId.get(batch.syncId);
      if (!sync) throw new Error(`sync ${batch.syncId} is not a configured SendGrid sync`);
      if (batch.op === "remove") {
        const ids = batch.rows.flatMap((r) => (r.destinationId ? [r.destinationId] : []));
        if (ids.length > 0) await client.removeFromList(sync.listId, ids);
        return outcome(
          batch.rows.map((row) => ({ row })),
          [],
          batch.rows.length,
          1,
        );
      }
      const emailOf = (row: BatchRow) => String(row.fields?.email ?? "");
      const suppressed = await client.suppressed(batch.rows.map(emailOf), sync.suppressionGroupId);
      const sendable = batch.rows.filter((row) => !suppressed.has(emailOf(row)));
      const results = sendable.length
        ? await client.upsert(sync.listId, sendable.map(contactOf))
        : [];
      const ids = await client.contactIds(sendable.map(emailOf));
      const accepted: AcceptedRow[] = [];
      const rejections: Array<{ contactId: string; reason: string }> = [];
      for (const row of batch.rows) {
        const id = ids.get(emailOf(row));
        const reason = suppressed.has(emailOf(row))
          ? "suppressed"
          : id
            ? undefined
            : "sendgrid_import_error";
        if (reason) for (const contactId of row.contactIds) rejections.push({ contactId, reason });
        else accepted.push({ row, ...(id ? { destinationId: id } : {}) });
      }
      const attempts = results.reduce((n, r) => n + r.attempts, 0);
      return outcome(accepted, rejections, sendable.length, attempts);
    },
  };
}

function outcome(
  accepted: AcceptedRow[],
  rejections: Array<{ contactId: string; reason: string }>,
  received: number,
  attempts: number,
) {
  return {
    status: rejections.length > 0 ? ("partial" as const) : ("succeeded" as const),
    accepted,
    rejections,
    received,
    invalid: rejections.length,
    attempts,
  };
}

/** A row's fields as a SendGrid contact: reserved fields by name, `cf.<id>` as custom fields. */
export function contactOf(row: BatchRow): SendgridContact {
  const contact: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row.fields ?? {})) {
    if (value === null) continue;
    if (name.startsWith(CUSTOM_FIELD_PREFIX))
      custom[name.slice(CUSTOM_FIELD_PREFIX.length)] = value;
    else contact[name] = value;
  }
  return Object.keys(custom).length > 0 ? { ...contact, custom_fields: custom } : contact;
}
