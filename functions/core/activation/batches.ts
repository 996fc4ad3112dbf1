import { z } from "zod";
import type { DiffItem, MembershipDiff } from "./diff.js";
import type { SyncConfig } from "./sync-config.js";

/**
 * What plan-activation hands to activate-<destination>: each batch (≤ 10,000 rows) is an object
 * in the store, and the bus carries only a small pointer to it, because Eventarc events are
 * capped at 512 KB.
 */

export const ACTIVATE_META_TOPIC = "activate-meta";
export const MEMBERSHIP_OPS = ["add", "remove"] as const;
export type MembershipOp = (typeof MEMBERSHIP_OPS)[number];

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "a lower-case SHA-256 hex value");
const RunId = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/);

export const BatchRowSchema = z.object({
  hash: Sha256Hex,
  contactIds: z.array(z.string().min(1)).min(1),
});
export type BatchRow = z.infer<typeof BatchRowSchema>;

const BatchIdentity = {
  version: z.literal(1),
  syncId: z.string().min(1),
  runId: RunId,
  destination: z.literal("meta"),
  audienceId: z.string().regex(/^\d+$/),
  op: z.enum(MEMBERSHIP_OPS),
  /** 1-based number of this batch among the run's batches of the same op. */
  batch: z.number().int().min(1),
  /** How many batches of this op the run has. */
  batches: z.number().int().min(1),
  /** Rows of this op over all its batches (Meta's `estimated_num_total`). */
  totalRows: z.number().int().min(1),
};

/** The batch object in the store. Holds hashes: pseudonymous personal data. */
export const ActivationBatchSchema = z.object({
  ...BatchIdentity,
  schema: z.literal("EMAIL_SHA256"),
  plannedAt: z.iso.datetime(),
  rows: z.array(BatchRowSchema).min(1).max(10_000),
});
export type ActivationBatch = z.infer<typeof ActivationBatchSchema>;

/** The bus message: where the batch is, and which one it is. No personal data. */
export const ActivationPointerSchema = z.object({
  ...BatchIdentity,
  rows: z.number().int().min(1).max(10_000),
  key: z.string().min(1),
});
export type ActivationPointer = z.infer<typeof ActivationPointerSchema>;

export function batchObjectKey(syncId: string, runId: string, op: MembershipOp, n: number): string {
  return `activation/${syncId}/${runId}/${op}-${n}.json`;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function toRows(items: readonly DiffItem[]): BatchRow[] {
  return items.map((item) => ({ hash: item.identifierHash, contactIds: [...item.contactIds] }));
}

/** The run's batches: removes first, then adds, each op split into ≤ `sync.batchSize` rows. */
export function planBatches(
  diff: MembershipDiff,
  context: { sync: SyncConfig; runId: string; plannedAt: Date },
): ActivationBatch[] {
  const { sync } = context;
  const out: ActivationBatch[] = [];
  for (const [op, items] of [
    ["remove", diff.removes],
    ["add", diff.adds],
  ] as const) {
    const chunks = chunk(toRows(items), sync.batchSize);
    chunks.forEach((rows, i) => {
      out.push({
        version: 1,
        syncId: sync.id,
        runId: context.runId,
        destination: sync.destination,
        audienceId: sync.audienceId,
        op,
        batch: i + 1,
        batches: chunks.length,
        totalRows: items.length,
        schema: "EMAIL_SHA256",
        plannedAt: context.plannedAt.toISOString(),
        rows,
      });
    });
  }
  return out;
}

/** The bus message that points at a stored batch. */
export function pointerTo(batch: ActivationBatch, key: string): ActivationPointer {
  const { schema: _schema, plannedAt: _plannedAt, rows, ...identity } = batch;
  return { ...identity, rows: rows.length, key };
}

/**
 * Meta's upload `session_id` for the batches of one op in one run: a positive integer below
 * 2^52 derived from the run id (FNV-1a), so a redelivered batch reuses its session.
 */
export function uploadSessionId(runId: string, op: MembershipOp): number {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(`${runId}:${op}`)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return Number(hash & 0xfffffffffffffn) + 1;
}
