import type { ConsentPurpose } from "./sync-config.js";

/**
 * The membership diff of one sync run: what the destination should hold (segment members with
 * every required consent and a usable email) against what it holds according to the last
 * snapshot. The destination holds identifiers, not contacts, so the diff is by identifier:
 * two contacts sharing one email are one member, sent once, removed when neither qualifies.
 *
 * An earlier run that did not finish leaves changes in between: those it will still make (its
 * batches are re-sent, so this run must not send them again) and those it may or may not have
 * made (batches this run takes over: the destination's state for them is unknown, so this run
 * sends whatever the target needs, which is harmless either way: adds and removes are
 * idempotent at the destination).
 */

export interface SegmentMember {
  readonly contactId: string;
  readonly email: string | null;
  readonly consent: Readonly<Record<ConsentPurpose, boolean>>;
}

export interface SnapshotMember {
  readonly contactId: string;
  readonly identifierHash: string;
}

export interface DiffItem {
  readonly identifierHash: string;
  readonly contactIds: readonly string[];
}

/** Changes of unfinished earlier runs, by identifier hash → the contacts they were sent for. */
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
  readonly adds: DiffItem[];
  readonly removes: DiffItem[];
  /** Contacts that qualify (consent and a usable email). */
  readonly eligibleContacts: number;
  /** Identifiers the destination should hold after this run. */
  readonly targetIdentifiers: number;
  /** Identifiers already held (or being added by a resumed run) and still wanted. */
  readonly unchanged: number;
  readonly skipped: {
    readonly noConsent: number;
    readonly noEmail: number;
    /** Contacts with consent whose email cannot be normalized: reported, never sent. */
    readonly invalidEmail: readonly string[];
  };
}

export interface DiffRules {
  readonly requiredConsent: readonly ConsentPurpose[];
  /** Normalizes and hashes an email the destination's way; `null` when it is unusable. */
  readonly identify: (email: string) => string | null;
}

/** What the destination should hold: wanted identifier → its contacts, plus who was skipped. */
export interface MembershipTarget {
  readonly wanted: ReadonlyMap<string, ReadonlySet<string>>;
  readonly eligibleContacts: number;
  readonly skipped: MembershipDiff["skipped"];
}

export function membershipTarget(
  currentMembers: readonly SegmentMember[],
  rules: DiffRules,
): MembershipTarget {
  const wanted = new Map<string, Set<string>>();
  const eligible = new Set<string>();
  let noConsent = 0;
  let noEmail = 0;
  const invalidEmail: string[] = [];
  for (const member of currentMembers) {
    if (!rules.requiredConsent.every((purpose) => member.consent[purpose] === true)) {
      noConsent++;
      continue;
    }
    if (member.email === null || member.email.trim() === "") {
      noEmail++;
      continue;
    }
    const hash = rules.identify(member.email);
    if (hash === null) {
      invalidEmail.push(member.contactId);
      continue;
    }
    eligible.add(member.contactId);
    group(wanted, hash, [member.contactId]);
  }
  return {
    wanted,
    eligibleContacts: eligible.size,
    skipped: { noConsent, noEmail, invalidEmail: invalidEmail.sort() },
  };
}

/** Adds and removes that bring the destination from the snapshot (and pending changes) to the target. */
export function diffAgainst(
  target: MembershipTarget,
  lastSnapshot: readonly SnapshotMember[],
  pending: PendingChanges = NO_PENDING_CHANGES,
): MembershipDiff {
  const { wanted } = target;
  const held = new Map<string, Set<string>>();
  for (const row of lastSnapshot) group(held, row.identifierHash, [row.contactId]);

  const adds: DiffItem[] = [];
  let unchanged = 0;
  for (const [hash, contacts] of wanted) {
    if (pending.willAdd.has(hash)) unchanged++;
    else if (!held.has(hash) || pending.mayHaveRemoved.has(hash)) adds.push(toItem(hash, contacts));
    else unchanged++;
  }
  // Identifiers the destination holds, or may hold because an unfinished run may have added them.
  const maybeHeld = new Map(held);
  for (const [hash, contacts] of pending.mayHaveAdded) group(maybeHeld, hash, contacts);
  const removes: DiffItem[] = [];
  for (const [hash, contacts] of maybeHeld) {
    if (!wanted.has(hash) && !pending.willRemove.has(hash)) removes.push(toItem(hash, contacts));
  }
  return {
    adds: adds.sort(byFirstContact),
    removes: removes.sort(byFirstContact),
    eligibleContacts: target.eligibleContacts,
    targetIdentifiers: wanted.size,
    unchanged,
    skipped: target.skipped,
  };
}

export function planMembershipDiff(
  currentMembers: readonly SegmentMember[],
  lastSnapshot: readonly SnapshotMember[],
  rules: DiffRules,
  pending: PendingChanges = NO_PENDING_CHANGES,
): MembershipDiff {
  return diffAgainst(membershipTarget(currentMembers, rules), lastSnapshot, pending);
}

function group(map: Map<string, Set<string>>, hash: string, contactIds: Iterable<string>): void {
  const contacts = new Set(map.get(hash) ?? []);
  for (const id of contactIds) contacts.add(id);
  map.set(hash, contacts);
}

function toItem(identifierHash: string, contacts: Iterable<string>): DiffItem {
  return { identifierHash, contactIds: [...contacts].sort() };
}

function byFirstContact(a: DiffItem, b: DiffItem): number {
  const ka = `${a.contactIds[0] ?? ""}\u0000${a.identifierHash}`;
  const kb = `${b.contactIds[0] ?? ""}\u0000${b.identifierHash}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
