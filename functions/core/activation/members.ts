import type { ConsentPurpose } from "./sync-config.js";

/**
 * What a sync wants a destination to hold: one *member* per key. A segment row becomes a member
 * through its destination's `identify` (normalize, hash, pick the fields to send): its key is the
 * SHA-256 of the row's primary identifier (the email; the phone when the row has none), its
 * payload what is sent (hashed match keys for ad audiences, plain fields for the email tool and
 * the CRM), its digest a fingerprint of that payload (a changed digest is re-sent as an update).
 *
 * Keys, not contacts: a destination holds identifiers, so two contacts sharing an email are one
 * member, and a merge of two contacts (identity) only changes which contacts a key belongs to.
 */

export interface SegmentMember {
  readonly contactId: string;
  readonly consent: Readonly<Record<ConsentPurpose, boolean>>;
  /** The columns the sync reads, by column name; strings (numbers and times as text) or null. */
  readonly values: Readonly<Record<string, string | null>>;
}

export type FieldValue = string | number | boolean | null;

export interface MemberPayload {
  /** Hashed match keys by the destination's key name (EMAIL, PHONE, FN…): pseudonymous. */
  readonly keys?: Readonly<Record<string, string>>;
  /** Values sent in clear (email tool, CRM): personal data. */
  readonly fields?: Readonly<Record<string, FieldValue>>;
}

export type SkipReason =
  | "no_identifier"
  | "invalid_email"
  | "invalid_phone"
  | "invalid_identifier"
  | "missing_field";

export type Identification =
  | {
      readonly ok: true;
      /** Lower-case SHA-256 hex of the primary identifier. */
      readonly key: string;
      /** Fingerprint of the payload: a held member whose digest changed is sent again. */
      readonly digest: string;
      readonly payload: MemberPayload;
    }
  | { readonly ok: false; readonly reason: SkipReason };

export interface TargetRules {
  readonly requiredConsent: readonly ConsentPurpose[];
  readonly identify: (member: SegmentMember) => Identification;
  /** Contacts being erased: never members, whatever the segment says. */
  readonly forget?: ReadonlySet<string>;
  /** Keys a realtime rule removed recently (suppression window): not added back yet. */
  readonly suppressed?: ReadonlySet<string>;
}

export interface WantedMember {
  /** Contacts that want this key, in segment order, each once. */
  readonly contactIds: string[];
  readonly digest: string;
  readonly payload: MemberPayload;
}

export interface TargetSkips {
  readonly noConsent: number;
  /** Consented rows without any identifier the sync matches on. */
  readonly noEmail: number;
  /** Consented rows whose identifier cannot be normalized: reported, never sent. */
  readonly invalid: ReadonlyArray<{ readonly contactId: string; readonly reason: SkipReason }>;
  /** Rows of contacts being erased. */
  readonly forgotten: number;
  /** Rows whose key is in a realtime suppression window. */
  readonly suppressed: number;
}

/** What the destination should hold: wanted key → its member, plus who was skipped and why. */
export interface MembershipTarget {
  readonly wanted: ReadonlyMap<string, WantedMember>;
  readonly eligibleContacts: number;
  readonly skipped: TargetSkips;
}

/**
 * The target of one run. The first row of a key gives its payload (rows come in contact order,
 * so the choice is stable across runs); later rows only add their contact to the key.
 */
export function membershipTarget(
  members: readonly SegmentMember[],
  rules: TargetRules,
): MembershipTarget {
  const wanted = new Map<string, WantedMember>();
  const eligible = new Set<string>();
  let noConsent = 0;
  let noEmail = 0;
  let forgotten = 0;
  let suppressed = 0;
  const invalid: Array<{ contactId: string; reason: SkipReason }> = [];
  const required = rules.requiredConsent;
  for (const member of members) {
    if (rules.forget?.has(member.contactId)) {
      forgotten++;
      continue;
    }
    if (!hasConsent(member, required)) {
      noConsent++;
      continue;
    }
    const id = rules.identify(member);
    if (!id.ok) {
      if (id.reason === "no_identifier") noEmail++;
      else invalid.push({ contactId: member.contactId, reason: id.reason });
      continue;
    }
    if (rules.suppressed?.has(id.key)) {
      suppressed++;
      continue;
    }
    eligible.add(member.contactId);
    const found = wanted.get(id.key);
    if (!found) {
      wanted.set(id.key, {
        contactIds: [member.contactId],
        digest: id.digest,
        payload: id.payload,
      });
    } else if (!found.contactIds.includes(member.contactId))
      found.contactIds.push(member.contactId);
  }
  invalid.sort((a, b) => (a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0));
  return {
    wanted,
    eligibleContacts: eligible.size,
    skipped: { noConsent, noEmail, invalid, forgotten, suppressed },
  };
}

function hasConsent(member: SegmentMember, required: readonly ConsentPurpose[]): boolean {
  for (const purpose of required) if (member.consent[purpose] !== true) return false;
  return true;
}
