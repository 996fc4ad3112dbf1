import { type BatchRow, uploadSessionId } from "../../core/activation/batches.js";
import { settleBatch } from "../../core/activation/settle.js";
import type { DestinationSender } from "../sender.js";
import type { MetaAudienceClient, MetaBatchResult } from "./client.js";

/**
 * Meta Custom Audiences as a destination: a batch is one upload session (`session_id` from the
 * run and op, so a redelivered batch is the same upload), EMAIL_SHA256 / PHONE_SHA256 values or
 * multi-key rows. Meta's answer (`num_invalid_entries` and its sample) decides which rows count
 * as accepted (`settleBatch`).
 */
export function metaSender(meta: MetaAudienceClient): DestinationSender {
  return {
    destination: "meta",
    async send(batch) {
      const session = {
        sessionId: uploadSessionId(batch.runId, batch.op),
        batchSeq: batch.batch,
        lastBatch: batch.batch === batch.batches,
        estimatedTotal: batch.totalRows,
      };
      const single = batch.schema === "EMAIL_SHA256" || batch.schema === "PHONE_SHA256";
      let results: MetaBatchResult[];
      let sampleKey = (row: BatchRow) => row.hash;
      if (single && batch.schema === "EMAIL_SHA256") {
        const hashes = batch.rows.map((row) => row.hash);
        results = await meta.send(batch.op, batch.target, hashes, session);
      } else {
        if (!meta.sendRows) throw new Error("this Meta client cannot send multi-key rows");
        const schema = single ? ["PHONE"] : keyOrder(batch.schema, batch.rows);
        const valuesOf = (row: BatchRow) =>
          schema.map((key) => row.keys?.[key] ?? (single || isPrimary(key, row) ? row.hash : ""));
        sampleKey = (row) => valuesOf(row).join(",");
        results = await meta.sendRows(
          batch.op,
          batch.target,
          { schema, data: batch.rows.map(valuesOf) },
          session,
        );
      }
      const received = results.reduce((n, r) => n + r.numReceived, 0);
      const invalid = results.reduce((n, r) => n + r.numInvalidEntries, 0);
      const settled = settleBatch(
        batch.rows,
        {
          received,
          invalid,
          invalidSamples: Object.assign({}, ...results.map((r) => r.invalidEntrySamples)),
        },
        sampleKey,
      );
      return {
        status: settled.status,
        accepted: settled.accepted.map((row) => ({ row })),
        rejections: settled.rejections,
        received,
        invalid,
        attempts: results.reduce((n, r) => n + r.attempts, 0),
      };
    },
  };
}

/** The batch's key names in schema order, plus any a held row carries (rows of earlier versions). */
function keyOrder(schema: string, rows: readonly BatchRow[]): string[] {
  const keys = schema.split(",").filter((k) => /^[A-Z_0-9]+$/.test(k));
  for (const row of rows)
    for (const key of Object.keys(row.keys ?? {})) if (!keys.includes(key)) keys.push(key);
  if (!keys.includes("EMAIL") && !keys.includes("PHONE")) keys.unshift("EMAIL");
  return keys;
}

/** A row of an earlier version has no keys: its hash is its EMAIL. */
function isPrimary(key: string, row: BatchRow): boolean {
  return key === "EMAIL" && row.keys === undefined;
}
