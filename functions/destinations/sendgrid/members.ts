import type { FieldValue, Identification, SegmentMember } from "../../core/activation/members.js";
import type { SyncOf } from "../../core/activation/sync-config.js";
import { columnOf, digestOf, sha256 } from "../member-values.js";
import { plainEmail } from "../plain-email.js";
import type { PlanSpec, SyncColumns } from "../plan-spec.js";

/**
 * SendGrid Marketing contacts: the email in clear (SendGrid sends to it), the reserved fields and
 * custom fields the sync maps (onboarding: the recommended products). Custom fields travel as
 * `cf.<field id>`. A changed field changes the digest: the contact is upserted again.
 */

type SendgridSync = SyncOf<"sendgrid">;
export const CUSTOM_FIELD_PREFIX = "cf.";

export function sendgridColumns(sync: SendgridSync): SyncColumns {
  return {
    required: [
      columnOf(sync, "email"),
      ...Object.values(sync.fields),
      ...Object.values(sync.customFields),
    ].filter((c): c is string => c !== undefined),
    optional: [],
  };
}

export function sendgridPlanSpec(sync: SendgridSync): PlanSpec {
  return { schema: "contact", optionalColumns: [], identify: (m) => identifySendgrid(m, sync) };
}

function identifySendgrid(member: SegmentMember, sync: SendgridSync): Identification {
  const raw = member.values[columnOf(sync, "email")];
  if (raw === null || raw === undefined || raw.trim() === "") {
    return { ok: false, reason: "no_identifier" };
  }
  const email = plainEmail(raw);
  if (!email) return { ok: false, reason: "invalid_email" };
  const fields: Record<string, FieldValue> = { email };
  for (const [field, column] of Object.entries(sync.fields)) {
    if (column) fields[field] = member.values[column] ?? null;
  }
  for (const [id, column] of Object.entries(sync.customFields)) {
    fields[`${CUSTOM_FIELD_PREFIX}${id}`] = member.values[column] ?? null;
  }
  return { ok: true, key: sha256(email), digest: digestOf(fields), payload: { fields } };
}
