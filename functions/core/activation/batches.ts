import { z } from "zod";
import type { DiffItem, MembershipDiff } from "./diff.js";
import { DESTINATIONS, type DestinationType, type SyncConfig, syncTarget } from "./sync-config.js";

/**
 * What plan-activation hands to activate-<destination>: each batch is an object in the store,
 * and the bus carries only a small pointer to it, because Eventarc events are capped at 512 KB.
 */

export const ACTIVATE_TOPICS: Readonly<Record<DestinationType, string>> = {
  meta: "activate-meta",
  google_ads: "activate-google-ads",
  sendgrid: "activate-sendgrid",
  hubspot: "activate-hubspot",
};
export const ACTIVATE_META_TOPIC = ACTIVATE_TOPICS.meta;

export const MEMBERSHIP_OPS = ["add", "remove"] as const;
export type MembershipOp = (typeof MEMBERSHIP_OPS)[number];

/** Most rows one batch object holds (SendGrid takes 30,000 contacts per request). */
export const MAX_BATCH_ROWS = 30_000;

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "a lower-case SHA-256 hex value");
const RunId = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/);

export const BatchRowSchema = z.object({
  /** The member key: SHA-256 of the primary identifier. */
  hash: Sha256Hex,
  contactIds: z.array(z.string().min(1)).min(1),
  /** Hashed match keys to send (ad audiences), by the destination's key name. */
  keys: z.record(z.string(), z.string()).optional(),
  /** Values sent in clear (email tool, CRM). */
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  digest: z.string().optional(),
  /** The destination's record id, when a remove needs it. */
  destinationId: z.string().optional(),
});
export type BatchRow = z.infer<typeof BatchRowSchema>;

/** Batches of version 1 named Meta's audience `audienceId`; read as `target`. */
const withTarget = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null || "target" in value) return value;
  const { audienceId, ...rest } = value as Record<string, unknown>;
  return audienceId === undefined ? value : { ...rest, target: audienceId };
};

const BatchIdentity = {
  version: z.union([z.literal(1), z.literal(2)]),
  syncId: z.string().min(1),
  runId: RunId,
  destination: z.enum(DESTINATIONS),
  /** Audience, list or CRM object the sync writes to (`syncTarget`). */
  target: z.string().min(1),
  op: z.enum(MEMBERSHIP_OPS),
  /** 1-based number of this batch among the run's batches of the same op. */
  batch: z.number().int().min(1),
  /** How many batches of this op the run has. */
  batches: z.number().int().min(1),
  /** Rows of this op over all its batches (Meta's `estimated_num_total`). */
  totalRows: z.number().int().min(1),
};

/**
 * Per destination: the shape of a target (`syncTarget`) and the most rows one batch may hold
 * (one platform request or, for SendGrid, one import job). A stored batch or a message outside
 * them is refused before anything is sent.
 */
const TARGET_SHAPE: Readonly<Record<DestinationType, RegExp>> = {
  meta: /^\d+$/,
  google_ads: /^\d{10}\/\d+$/,
  sendgrid: /^[0-9a-f-]{8,64}$/i,
  hubspot: /^(contacts|tasks)$/,
};
export const MAX_ROWS_PER_BATCH: Readonly<Record<DestinationType, number>> = {
  meta: 10_000,
  google_ads: 10_000,
  sendgrid: MAX_BATCH_ROWS,
  hubspot: 10_000,
};

function checkDestination(
  value: { destination: DestinationType; target: string; rows: number | readonly unknown[] },
  ctx: z.RefinementCtx,
): void {
  if (!TARGET_SHAPE[value.destination].test(value.target)) {
    ctx.addIssue({
      code: "custom",
      path: ["target"],
      message: `not a ${value.destination} target`,
    });
  }
  const rows = typeof value.rows === "number" ? value.rows : value.rows.length;
  const max = MAX_ROWS_PER_BATCH[value.destination];
  if (rows > max) {
    ctx.addIssue({ code: "custom", path: ["rows"], message: `at most ${max} rows per batch` });
  }
}

/** The batch object in the store. Holds hashes or plain fields: personal data either way. */
export const ActivationBatchSchema = z.preprocess(
  withTarget,
  z
    .object({
      ...BatchIdentity,
      /** What the rows hold: `EMAIL_SHA256`, `EMAIL,PHONE,FN`, `contact`, `task`. */
      schema: z.string().min(1),
      plannedAt: z.iso.datetime(),
      rows: z.array(BatchRowSchema).min(1).max(MAX_BATCH_ROWS),
    })
    .superRefine(checkDestination),
);
export type ActivationBatch = z.output<typeof ActivationBatchSchema>;

/** The bus message: where the batch is, and which one it is. No personal data. */
export const ActivationPointerSchema = z.preprocess(
  withTarget,
  z
    .object({
      ...BatchIdentity,
      rows: z.number().int().min(1).max(MAX_BATCH_ROWS),
      key: z.string().min(1),
    })
    .superRefine(checkDestination),
);
export type ActivationPointer = z.output<typeof ActivationPointerSchema>;

export function batchObjectKey(syncId: string, runId: string, op: MembershipOp, n: number): string {
  return `activation/${syncId}/${runId}/${op}-${n}.json`;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function toRow(item: DiffItem): BatchRow {
  return {
    hash: item.identifierHash,
    contactIds: [...item.contactIds],
    ...(item.payload?.keys ? { keys: { ...item.payload.keys } } : {}),
    ...(item.payload?.fields ? { fields: { ...item.payload.fields } } : {}),
    ...(item.digest ? { digest: item.digest } : {}),
    ...(item.destinationId ? { destinationId: item.destinationId } : {}),
  };
}

/**
 * The run's batches: removes first, then adds (new members and updates), each op split into
 * ≤ `sync.batchSize` rows.
 */
export function planBatches(
  diff: Pick<MembershipDiff, "adds" | "updates" | "removes">,
  context: { sync: SyncConfig; runId: string; plannedAt: Date; schema: string },
): ActivationBatch[] {
  const { sync } = context;
  const out: ActivationBatch[] = [];
  for (const [op, items] of [
    ["remove", diff.removes],
    ["add", [...diff.adds, ...diff.updates]],
  ] as const) {
    const chunks = chunk(items, sync.batchSize);
    chunks.forEach((part, i) => {
      out.push({
        version: 2,
        syncId: sync.id,
        runId: context.runId,
        destination: sync.destination,
        target: syncTarget(sync),
        op,
        batch: i + 1,
        batches: chunks.length,
        totalRows: items.length,
        schema: context.schema,
        plannedAt: context.plannedAt.toISOString(),
        rows: part.map(toRow),
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
