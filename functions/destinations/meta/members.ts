import type { Identification, SegmentMember } from "../../core/activation/members.js";
import type { IdentifierKind, SyncOf } from "../../core/activation/sync-config.js";
import { columnOf, digestOf, identifierValue, phoneRegion } from "../member-values.js";
import type { PlanSpec, SyncColumns } from "../plan-spec.js";
import { customAudienceEmailKey, metaPhoneKey, normalizeAndHash } from "./normalize.js";

/**
 * Meta Custom Audience members: EMAIL alone (`EMAIL_SHA256`, one value per row) or a multi-key
 * schema (`EMAIL,PHONE,FN,LN,COUNTRY,ZIP`) when the sync names more identifiers and the segment
 * has their columns. The member key is the EMAIL hash, else the PHONE hash.
 */

const META_KEYS: Readonly<Record<IdentifierKind, string>> = {
  email: "EMAIL",
  phone: "PHONE",
  first_name: "FN",
  last_name: "LN",
  country: "COUNTRY",
  zip: "ZIP",
};
const FIELD: Readonly<Record<IdentifierKind, "fn" | "ln" | "country" | "zp" | undefined>> = {
  email: undefined,
  phone: undefined,
  first_name: "fn",
  last_name: "ln",
  country: "country",
  zip: "zp",
};

type MetaSync = SyncOf<"meta">;

export function metaColumns(sync: MetaSync): SyncColumns {
  const primary = sync.identifiers.find((k) => k === "email" || k === "phone") ?? "email";
  const others = sync.identifiers.filter((k) => k !== primary).map((k) => columnOf(sync, k));
  // The country column also tells the region of national phone numbers.
  if (sync.identifiers.includes("phone")) others.push(columnOf(sync, "country"));
  return { required: [columnOf(sync, primary)], optional: [...new Set(others)] };
}

export function metaPlanSpec(sync: MetaSync, available: ReadonlySet<string>): PlanSpec {
  const kinds = sync.identifiers.filter((k) => available.has(columnOf(sync, k)));
  const single = kinds.length === 1 && (kinds[0] === "email" || kinds[0] === "phone");
  const schema = single
    ? `${META_KEYS[kinds[0] ?? "email"]}_SHA256`
    : kinds.map((k) => META_KEYS[k]).join(",");
  const missing = sync.identifiers
    .map((k) => columnOf(sync, k))
    .filter((column) => !available.has(column));
  return {
    schema,
    optionalColumns: missing,
    identify: (member) => identifyMeta(member, sync, kinds, single),
  };
}

function identifyMeta(
  member: SegmentMember,
  sync: MetaSync,
  kinds: readonly IdentifierKind[],
  single: boolean,
): Identification {
  const keys: Record<string, string> = {};
  for (const kind of kinds) {
    const value = identifierValue(member, sync, kind);
    if (value === undefined) continue;
    const hash = hashKey(kind, value, member, sync);
    if (hash) keys[META_KEYS[kind]] = hash;
  }
  const key = keys.EMAIL ?? keys.PHONE;
  if (!key) {
    if (kinds.includes("email") && identifierValue(member, sync, "email") !== undefined) {
      return { ok: false, reason: "invalid_email" };
    }
    if (kinds.includes("phone") && identifierValue(member, sync, "phone") !== undefined) {
      return { ok: false, reason: "invalid_phone" };
    }
    return { ok: false, reason: "no_identifier" };
  }
  if (single) return { ok: true, key, digest: key, payload: {} };
  return { ok: true, key, digest: digestOf(keys), payload: { keys } };
}

function hashKey(
  kind: IdentifierKind,
  value: string,
  member: SegmentMember,
  sync: MetaSync,
): string | null {
  if (kind === "email") return customAudienceEmailKey(value);
  if (kind === "phone") return metaPhoneKey(value, phoneRegion(member, sync));
  const field = FIELD[kind];
  return field ? normalizeAndHash(field, value) : null;
}
