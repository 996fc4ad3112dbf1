import { z } from "zod";
import type { SegmentMember } from "../core/activation/diff.js";
import type { Warehouse } from "../platform/ports.js";

/**
 * Reads a segment table (`marts.seg_*`) in the shape every audience sync needs: contact id,
 * email, consent per purpose. A NULL consent flag counts as not granted: consent is never
 * assumed.
 */

const Consent = z
  .boolean()
  .nullable()
  .optional()
  .transform((value) => value === true);

const SegmentRow = z.object({
  contact_id: z.string().min(1),
  email: z.string().nullable(),
  consent_email_marketing: Consent,
  consent_ad_user_data: Consent,
  consent_ad_personalization: Consent,
});

export async function readSegmentMembers(
  warehouse: Warehouse,
  segment: { dataset: string; table: string },
): Promise<SegmentMember[]> {
  // Identifiers cannot be parameters; the sync config only admits [A-Za-z0-9_] names.
  const rows = await warehouse.query(
    `SELECT contact_id, email, consent_email_marketing, consent_ad_user_data, consent_ad_personalization FROM ${segment.dataset}.${segment.table}`,
  );
  return rows.map((row, i) => {
    const parsed = SegmentRow.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `segment ${segment.dataset}.${segment.table} row ${i + 1} does not match the segment contract (${issue?.path.join(".")}: ${issue?.message}): fix the model that builds it`,
      );
    }
    return {
      contactId: parsed.data.contact_id,
      email: parsed.data.email,
      consent: {
        email_marketing: parsed.data.consent_email_marketing,
        ad_user_data: parsed.data.consent_ad_user_data,
        ad_personalization: parsed.data.consent_ad_personalization,
      },
    };
  });
}
