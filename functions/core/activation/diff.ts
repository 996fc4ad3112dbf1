import {
  type MemberPayload,
  type MembershipTarget,
  membershipTarget,
  type SegmentMember,
  type TargetRules,
  type TargetSkips,
} from "./members.js";

/**
 * The membership diff of one sync run: the target (segment members with every required consent
 * and a usable identifier) against what the destination holds according to the last accepted
 * snapshot (`ops.sync_members`). By key, never by contact: a key wanted by other contacts than
 * the snapshot says (two contacts merged) is *relinked* in the ledger, not removed and re-added.
 *
 * An earlier run that did not finish leaves changes in between: those it will still make (its
 * batches are re-sent, so this run must not send them again) and those it may or may not have
 * made (batches this run takes over: the destination's state for them is unknown, so this run
 * sends whatever the target needs, which is harmless either way: adds and removes are
 * idempotent at the destination).
 */

export type { SegmentMember } from "./members.js";

/** One row of the snapshot: a key the destination holds for a contact. */
export interface SnapshotMember {
  readonly contactId: string;
  readonly identifierHash: string;
  /** Digest of the payload last accepted (NULL in rows of earlier versions: the key itself). */
  readonly digest?: string | null;
  /** The hashed match keys last sent (needed to remove a multi-key member). */
  readonly keys?: Readonly<Record<string, string>> | null;
  /** The destination's id for the record (SendGrid contact id, HubSpot object id). */
  readonly destinationId?: string | null;
}

export interface DiffItem {
  readonly identifierHash: string;
  readonly contactIds: readonly string[];
  /** What to send: the target's payload for adds and updates, the held keys for removes. */
  readonly payload?: MemberPayload;
  readonly digest?: string;
  readonly destinationId?: string;
}

/** Changes of unfinished earlier runs, by key → the contacts they were sent for. */
export interface PendingChanges {
  /** Will still be sent (resumed batches): counted as done. */
  readonly willAdd: ReadonlyMap<string, readonly string[]>;
  readonly willRemove: ReadonlyMap<string, readonly string[]>;
  /** May or may not have reached the destination (batches taken over by this run). */
  readonly mayHaveAdded: ReadonlyMap<string, readonly string[]>;
  readonly mayHaveRemoved: ReadonlyMap<string, readonly string[]>;
}

export const NO_PENDING_CHANGES: PendingChanges = {
  willAdd: new Map(),
  willRemove: new Map(),
  mayHaveAdded: new Map(),
  mayHaveRemoved: new Map(),
};

export interface MembershipDiff {
  /** Keys the destination does not hold (or may have lost): sent as adds. */
  readonly adds: DiffItem[];
  /** Held keys whose payload changed (new consent, new fields, new match keys): sent as adds. */
  readonly updates: DiffItem[];
  readonly removes: DiffItem[];
  /** Held keys now wanted by other contacts (merges): only the ledger changes. */
  readonly relinks: DiffItem[];
  /** Contacts that qualify (consent and a usable identifier). */
  readonly eligibleContacts: number;
  /** Keys the destination should hold after this run. */
  readonly targetIdentifiers: number;
  /** Keys already held (or being added by a resumed run) and unchanged. */
  readonly unchanged: number;
  readonly skipped: TargetSkips;
}

export interface DiffOptions {
  /** Whether members who leave are removed (audiences, lists) or kept (CRM records). */
  readonly removesOnLeave?: boolean;
  /** Contacts being erased: their keys are removed even where leavers are kept. */
  readonly forget?: ReadonlySet<string>;
}

interface Held {
  readonly contactIds: string[];
  readonly digest: string;
  readonly keys: Readonly<Record<string, string>> | undefined;
  readonly destinationId: string | undefined;
}

/** Adds, updates and removes that bring the destination from the snapshot (and pending changes) to the target. */
export function diffAgainst(
  target: MembershipTarget,
  lastSnapshot: readonly SnapshotMember[],
  pending: PendingChanges = NO_PENDING_CHANGES,
  options: DiffOptions = {},
): MembershipDiff {
  const { wanted } = target;
  const held = new Map<string, Held>();
  for (const row of lastSnapshot) {
    const found = held.get(row.identifierHash);
    if (found) {
      if (!found.contactIds.includes(row.contactId)) found.contactIds.push(row.contactId);
      continue;
    }
    held.set(row.identifierHash, {
      contactIds: [row.contactId],
      digest: row.digest ?? row.identifierHash,
      keys: row.keys ?? undefined,
      destinationId: row.destinationId ?? undefined,
    });
  }

  const adds: DiffItem[] = [];
  const updates: DiffItem[] = [];
  const relinks: DiffItem[] = [];
  let unchanged = 0;
  for (const [hash, member] of wanted) {
    const have = held.get(hash);
    const item: DiffItem = {
      identifierHash: hash,
      // Sorted, like every list of the diff: the same segment in any row order plans the same
      // batches (a re-planned run after a crash writes the same objects).
      contactIds: [...member.contactIds].sort(),
      payload: member.payload,
      digest: member.digest,
      ...(have?.destinationId ? { destinationId: have.destinationId } : {}),
    };
    if (pending.willAdd.has(hash)) unchanged++;
    else if (!have || pending.mayHaveRemoved.has(hash)) adds.push(item);
    else if (have.digest !== member.digest) updates.push(item);
    else {
      unchanged++;
      if (!sameContacts(have.contactIds, member.contactIds)) relinks.push(item);
    }
  }
  // Keys the destination holds, or may hold because an unfinished run may have added them.
  const maybeHeld = new Map(held);
  for (const [hash, contacts] of pending.mayHaveAdded) {
    if (!maybeHeld.has(hash)) {
      maybeHeld.set(hash, {
        contactIds: [...contacts],
        digest: hash,
        keys: undefined,
        destinationId: undefined,
      });
    }
  }
  const removeLeavers = options.removesOnLeave ?? true;
  const removes: DiffItem[] = [];
  for (const [hash, have] of maybeHeld) {
    if (wanted.has(hash) || pending.willRemove.has(hash)) continue;
    const forgotten = have.contactIds.every((id) => options.forget?.has(id) === true);
    if (!removeLeavers && !forgotten) continue;
    removes.push({
      identifierHash: hash,
      contactIds: [...have.contactIds].sort(),
      ...(have.keys ? { payload: { keys: have.keys } } : {}),
      ...(have.destinationId ? { destinationId: have.destinationId } : {}),
    });
  }
  return {
    adds: adds.sort(byFirstContact),
    updates: updates.sort(byFirstContact),
    removes: removes.sort(byFirstContact),
    relinks: relinks.sort(byFirstContact),
    eligibleContacts: target.eligibleContacts,
    targetIdentifiers: wanted.size,
    unchanged,
    skipped: target.skipped,
  };
}

export interface DiffRules extends TargetRules, DiffOptions {}

export function planMembershipDiff(
  currentMembers: readonly SegmentMember[],
  lastSnapshot: readonly SnapshotMember[],
  rules: DiffRules,
  pending: PendingChanges = NO_PENDING_CHANGES,
): MembershipDiff {
  return diffAgainst(membershipTarget(currentMembers, rules), lastSnapshot, pending, rules);
}

function sameContacts(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((id) => set.has(id));
}

function byFirstContact(a: DiffItem, b: DiffItem): number {
  const ka = `${a.contactIds[0] ?? ""}\u0000${a.identifierHash}`;
  const kb = `${b.contactIds[0] ?? ""}\u0000${b.identifierHash}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
