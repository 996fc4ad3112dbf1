import type { Identification, SegmentMember } from "../../core/activation/members.js";
import type { IdentifierKind, SyncOf } from "../../core/activation/sync-config.js";
import { columnOf, digestOf, identifierValue, phoneRegion } from "../member-values.js";
import type { PlanSpec, SyncColumns } from "../plan-spec.js";
import {
  formatEmail,
  formatFamilyName,
  formatGivenName,
  formatPhone,
  formatPostalCode,
  formatRegionCode,
  hashValue,
} from "./normalize.js";

/**
 * Customer Match members for the Data Manager API: hashed email, hashed phone (E.164) and an
 * address (hashed names, region and postal code in clear, all four or none), plus the member's
 * own consent (`ad_user_data`, `ad_personalization`) as it stands in the segment: a change of
 * consent changes the digest, so the member is sent again with the new state.
 */

type GoogleSync = SyncOf<"google_ads">;
const ADDRESS: readonly IdentifierKind[] = ["first_name", "last_name", "country", "zip"];

export function googleAdsColumns(sync: GoogleSync): SyncColumns {
  const primary = sync.identifiers.includes("email") ? "email" : "phone";
  const optional: string[] = [];
  if (sync.identifiers.includes("phone") && primary !== "phone") {
    optional.push(columnOf(sync, "phone"));
  }
  if (sync.identifiers.includes("phone")) optional.push(columnOf(sync, "country"));
  if (sync.identifiers.includes("address")) optional.push(...ADDRESS.map((k) => columnOf(sync, k)));
  return { required: [columnOf(sync, primary)], optional: [...new Set(optional)] };
}

export function googleAdsPlanSpec(sync: GoogleSync, available: ReadonlySet<string>): PlanSpec {
  const has = (kind: IdentifierKind) => available.has(columnOf(sync, kind));
  const email = sync.identifiers.includes("email") && has("email");
  const phone = sync.identifiers.includes("phone") && has("phone");
  const address = sync.identifiers.includes("address") && ADDRESS.every(has);
  const missing = googleAdsColumns(sync).optional.filter((c) => !available.has(c));
  const schema = [email && "EMAIL", phone && "PHONE", address && "ADDRESS"]
    .filter(Boolean)
    .join(",");
  return {
    schema,
    optionalColumns: missing,
    identify: (member) => identifyGoogle(member, sync, { email, phone, address }),
  };
}

function identifyGoogle(
  member: SegmentMember,
  sync: GoogleSync,
  use: { email: boolean; phone: boolean; address: boolean },
): Identification {
  const keys: Record<string, string> = {};
  const rawEmail = use.email ? identifierValue(member, sync, "email") : undefined;
  const emailHash = hashValue(
    formatEmail(rawEmail, { gmailCanonicalization: sync.gmailCanonicalization }),
  );
  if (emailHash) keys.email = emailHash;
  const rawPhone = use.phone ? identifierValue(member, sync, "phone") : undefined;
  const phoneHash = hashValue(formatPhone(rawPhone, phoneRegion(member, sync)));
  if (phoneHash) keys.phone = phoneHash;
  if (use.address) {
    const given = hashValue(formatGivenName(identifierValue(member, sync, "first_name")));
    const family = hashValue(formatFamilyName(identifierValue(member, sync, "last_name")));
    const region = formatRegionCode(identifierValue(member, sync, "country"));
    const postal = formatPostalCode(identifierValue(member, sync, "zip"));
    if (given && family && region && postal) {
      Object.assign(keys, {
        given_name: given,
        family_name: family,
        region_code: region,
        postal_code: postal,
      });
    }
  }
  const key = keys.email ?? keys.phone;
  if (!key) {
    if (rawEmail !== undefined) return { ok: false, reason: "invalid_email" };
    if (rawPhone !== undefined) return { ok: false, reason: "invalid_phone" };
    return { ok: false, reason: "no_identifier" };
  }
  const consent = {
    ad_user_data: member.consent.ad_user_data ? "GRANTED" : "DENIED",
    ad_personalization: member.consent.ad_personalization ? "GRANTED" : "DENIED",
  };
  return {
    ok: true,
    key,
    digest: digestOf({ ...keys, ...consent }),
    payload: { keys, fields: consent },
  };
}
