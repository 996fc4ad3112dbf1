import type { ConsentPurpose } from "./sync-config.js";

/**
 * The membership diff of one sync run: what the destination should hold (segment members with
 * every required consent and a usable email) against what it holds according to the last
 * snapshot. The destination holds identifiers, not contacts, so the diff is by identifier:
 * two contacts sharing one email are one member, sent once, removed when neither qualifies.
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

export interface MembershipDiff {
  readonly adds: DiffItem[];
  readonly removes: DiffItem[];
  /** Contacts that qualify (consent and a usable email). */
  readonly eligibleContacts: number;
  /** Identifiers the destination should hold after this run. */
  readonly targetIdentifiers: number;
  /** Identifiers already held and still wanted: nothing is sent for them. */
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

export function planMembershipDiff(
  currentMembers: readonly SegmentMember[],
  lastSnapshot: readonly SnapshotMember[],
  rules: DiffRules,
): MembershipDiff {
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
    group(wanted, hash, member.contactId);
  }
  const held = new Map<string, Set<string>>();
  for (const row of lastSnapshot) group(held, row.identifierHash, row.contactId);

  const adds = [...wanted].filter(([hash]) => !held.has(hash)).map(toItem);
  const removes = [...held].filter(([hash]) => !wanted.has(hash)).map(toItem);
  return {
    adds: adds.sort(byFirstContact),
    removes: removes.sort(byFirstContact),
    eligibleContacts: eligible.size,
    targetIdentifiers: wanted.size,
    unchanged: wanted.size - adds.length,
    skipped: { noConsent, noEmail, invalidEmail: invalidEmail.sort() },
  };
}

function group(map: Map<string, Set<string>>, hash: string, contactId: string): void {
  const contacts = map.get(hash) ?? new Set<string>();
  contacts.add(contactId);
  map.set(hash, contacts);
}

function toItem([identifierHash, contacts]: [string, Set<string>]): DiffItem {
  return { identifierHash, contactIds: [...contacts].sort() };
}

function byFirstContact(a: DiffItem, b: DiffItem): number {
  const ka = `${a.contactIds[0] ?? ""}\u0000${a.identifierHash}`;
  const kb = `${b.contactIds[0] ?? ""}\u0000${b.identifierHash}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
