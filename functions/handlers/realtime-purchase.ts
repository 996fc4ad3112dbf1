import { createHash } from "node:crypto";
import type { ActivationBatch, BatchRow } from "../core/activation/batches.js";
import type { SegmentMember } from "../core/activation/members.js";
import {
  DEFAULT_COLUMNS,
  type DestinationType,
  IDENTIFIER_KINDS,
  type SyncConfig,
  syncTarget,
} from "../core/activation/sync-config.js";
import { PurchaseMessageSchema } from "../core/realtime/purchase-message.js";
import { linesOf, type Purchase, purchaseOf } from "../core/realtime/purchaser.js";
import { DestinationApiError } from "../destinations/errors.js";
import { planSpecOf } from "../destinations/plan-specs.js";
import type { DestinationSender } from "../destinations/sender.js";
import { ensureSyncTables, removeMembers } from "../destinations/sync-ledger.js";
import {
  heldMember,
  realtimeState,
  recordSuppressions,
} from "../destinations/sync-suppressions.js";
import { type CloudEvent, decodePubsubJson } from "../platform/cloudevents.js";
import type { Logger } from "../platform/logger.js";
import type { Clock, ObjectStore, Warehouse } from "../platform/ports.js";

export interface RealtimePurchaseDeps {
  readonly warehouse: Warehouse;
  readonly store: ObjectStore;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The deployment's syncs; those with `realtime.onPurchase: "remove"` are acted on. */
  readonly syncs: readonly SyncConfig[];
  /** A sender per destination type the remove syncs go to. */
  readonly senders: Partial<Record<DestinationType, DestinationSender>>;
}

export type SyncOutcome = "removed" | "duplicate" | "no_identifier" | "failed";

export interface RealtimeOutcome {
  readonly status: "done" | "discarded" | "not_found";
  /** Per (order, sync): what happened. */
  readonly results: ReadonlyArray<{ orderKey: string; syncId: string; outcome: SyncOutcome }>;
}

const DAY_MS = 86_400_000;

/** Syncs a purchase takes the purchaser out of (retargeting audiences). */
export function removeOnPurchaseSyncs(syncs: readonly SyncConfig[]): SyncConfig[] {
  return syncs.filter((s) => s.realtime?.onPurchase === "remove");
}

/**
 * The `realtime-purchase` function (Pub/Sub trigger on `purchases`): reads the landed order the
 * message points at, and for every sync with `realtime.onPurchase: "remove"` takes the purchaser
 * out of that audience at once, without waiting for the model run. Per (order, sync), in this
 * order: a suppression row in `ops.sync_suppressions` (from then on the planner and the activate
 * functions add nobody with that key back), the remove sent through the destination's own sender
 * (a set operation: sending it twice changes nothing), then the member leaves `ops.sync_members`
 * and a row with `removed_at` marks the pair done. A redelivery of a done pair sends nothing; a
 * crash anywhere before the last write means the remove is sent again on redelivery, which the
 * destination takes as a no-op. A transient destination failure is thrown (Pub/Sub redelivers);
 * a permanent one is logged and acknowledged: the member stays suppressed, so the next batch
 * plan removes it (it is held but no longer wanted).
 */
export async function handleRealtimePurchase(
  deps: RealtimePurchaseDeps,
  event: CloudEvent<unknown>,
): Promise<RealtimeOutcome> {
  const { logger } = deps;
  const { data, messageId } = decodePubsubJson(event);
  const parsed = PurchaseMessageSchema.safeParse(data);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join(".") || "message");
    logger.error({ messageId, fields }, "purchase message discarded: not a purchase pointer");
    return { status: "discarded", results: [] };
  }
  const message = parsed.data;
  const bytes = await deps.store.get(message.key);
  const payloads = bytes ? linesOf(new TextDecoder().decode(bytes), message.recordIds) : [];
  if (payloads.length === 0) {
    // Erasure rewrites raw objects without the erased person's lines; nothing to act on then.
    logger.warn({ messageId, key: message.key }, "purchase not found in the lake: nothing sent");
    return { status: "not_found", results: [] };
  }
  const syncs = removeOnPurchaseSyncs(deps.syncs);
  await ensureSyncTables(deps.warehouse);
  const results: { orderKey: string; syncId: string; outcome: SyncOutcome }[] = [];
  for (const payload of payloads) {
    const read = purchaseOf(payload);
    if (!read.ok) {
      logger.info({ messageId, key: message.key, reason: read.reason }, "not a purchase to act on");
      continue;
    }
    for (const sync of syncs) {
      const outcome = await suppressPurchaser(deps, sync, read.purchase);
      results.push({ orderKey: read.purchase.orderKey, syncId: sync.id, outcome });
    }
  }
  logger.info(
    {
      messageId,
      key: message.key,
      latencyMs: deps.clock.now().getTime() - Date.parse(message.receivedAt),
      outcomes: results.map((r) => `${r.syncId}:${r.outcome}`),
    },
    "purchase handled",
  );
  return { status: "done", results };
}

/** The purchase as a segment row in the sync's own columns, for the destination's `identify`. */
function memberOf(sync: SyncConfig, purchase: Purchase): SegmentMember {
  const values: Record<string, string | null> = {};
  for (const kind of IDENTIFIER_KINDS) {
    const column = sync.columns[kind] ?? DEFAULT_COLUMNS[kind];
    values[column] = purchase.values[kind] ?? null;
  }
  // Removal needs no consent (docs/destinations.md): the flags only matter for adds.
  const consent = { email_marketing: false, ad_user_data: false, ad_personalization: false };
  return { contactId: purchase.orderKey, consent, values };
}

async function suppressPurchaser(
  deps: RealtimePurchaseDeps,
  sync: SyncConfig,
  purchase: Purchase,
): Promise<SyncOutcome> {
  const { warehouse, logger } = deps;
  const ids = { syncId: sync.id, orderKey: purchase.orderKey };
  const state = await realtimeState(warehouse, sync.id, purchase.orderKey);
  if (state === "removed") return "duplicate";
  const member = memberOf(sync, purchase);
  const present = new Set(
    Object.entries(member.values)
      .filter(([, v]) => v !== null)
      .map(([k]) => k),
  );
  const spec = planSpecOf(sync, present);
  const identified = spec.identify(member);
  if (!identified.ok) {
    logger.info({ ...ids, reason: identified.reason }, "purchaser has no key this sync matches");
    return "no_identifier";
  }
  const now = deps.clock.now();
  const held = await heldMember(warehouse, sync.id, identified.key);
  const suppression = {
    syncId: sync.id,
    hash: identified.key,
    contactId: held?.contactIds[0] ?? null,
    reason: "purchase",
    sourceRecordId: purchase.orderKey,
    at: now,
    expiresAt: new Date(now.getTime() + sync.suppressionDays * DAY_MS),
  };
  if (state === "none") await recordSuppressions(warehouse, [suppression]);
  const sender = deps.senders[sync.destination];
  if (!sender) throw new Error(`no sender for ${sync.destination}: sync ${sync.id} not served`);
  const keys = held?.keys ?? identified.payload.keys;
  const row: BatchRow = {
    hash: identified.key,
    contactIds: held?.contactIds ?? [purchase.orderKey],
    ...(keys ? { keys: { ...keys } } : {}),
    ...(held?.destinationId ? { destinationId: held.destinationId } : {}),
  };
  const batch: ActivationBatch = {
    version: 2,
    syncId: sync.id,
    runId: realtimeRunId(purchase.orderKey),
    destination: sync.destination,
    target: syncTarget(sync),
    op: "remove",
    batch: 1,
    batches: 1,
    totalRows: 1,
    schema: spec.schema,
    plannedAt: now.toISOString(),
    rows: [row],
  };
  try {
    await sender.send(batch);
  } catch (error) {
    if (!(error instanceof DestinationApiError) || error.retryable) throw error;
    logger.error(
      { ...ids, errorCode: error.label },
      "destination refused the realtime remove: the member stays suppressed and the next batch plan removes it",
    );
    return "failed";
  }
  await removeMembers(warehouse, sync.id, [identified.key]);
  await recordSuppressions(warehouse, [{ ...suppression, removedAt: deps.clock.now() }]);
  return "removed";
}

/**
 * Run id of an order's realtime removes: derived from the order key, so a redelivery is the same
 * upload (Meta's `session_id`), and it never carries the order id itself.
 */
export function realtimeRunId(orderKey: string): string {
  return `rt-${createHash("sha256").update(orderKey).digest("hex").slice(0, 24)}`;
}
