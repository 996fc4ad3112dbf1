import { z } from "zod";
import type { SegmentMember } from "../core/activation/members.js";
import type { Warehouse } from "../platform/ports.js";
import type { SyncColumns } from "./plan-spec.js";

/**
 * Reads a segment table (`marts.seg_*`) in the shape every sync needs: contact id, consent per
 * purpose, and the columns the sync's destination reads. A NULL consent flag counts as not
 * granted: consent is never assumed. Rows come in contact order, so a run's batches (and which
 * row of a shared key gives its payload) are the same from one run to the next.
 */

const CONSENT_COLUMNS = [
  "consent_email_marketing",
  "consent_ad_user_data",
  "consent_ad_personalization",
] as const;

const Consent = z
  .boolean()
  .nullable()
  .optional()
  .transform((value) => value === true);

const SegmentRow = z.object({
  contact_id: z.string().min(1),
  consent_email_marketing: Consent,
  consent_ad_user_data: Consent,
  consent_ad_personalization: Consent,
});

export interface SegmentRead {
  readonly members: SegmentMember[];
  /** Optional columns the table does not have (their match keys are not sent). */
  readonly missingColumns: readonly string[];
  /** Columns the table has (what the destination may read). */
  readonly available: ReadonlySet<string>;
}

export class SegmentUnavailableError extends Error {
  override readonly name = "SegmentUnavailableError";
}

/**
 * Which of `columns` a table has, by asking for them (`SELECT … LIMIT 0`, which reads nothing):
 * portable SQL that both engines and the offline BigQuery check accept, unlike the engines'
 * differing information schemas. One query when all are there; one per column otherwise.
 * `undefined` when the table cannot be read at all (it does not exist).
 */
export async function presentColumns(
  warehouse: Warehouse,
  table: { dataset: string; table: string },
  columns: readonly string[],
): Promise<Set<string> | undefined> {
  const name = `${table.dataset}.${table.table}`;
  const wanted = [...new Set(columns)];
  const readable = async (list: readonly string[]) => {
    try {
      await warehouse.query(`SELECT ${list.join(", ")} FROM ${name} LIMIT 0`);
      return true;
    } catch {
      return false;
    }
  };
  if (await readable(wanted)) return new Set(wanted);
  const present = new Set<string>();
  for (const column of wanted) if (await readable([column])) present.add(column);
  return present.size === 0 ? undefined : present;
}

export async function readSegmentMembers(
  warehouse: Warehouse,
  segment: { dataset: string; table: string },
  columns: SyncColumns = { required: ["email"], optional: [] },
): Promise<SegmentRead> {
  const name = `${segment.dataset}.${segment.table}`;
  const needed = ["contact_id", ...CONSENT_COLUMNS, ...columns.required];
  const available = await presentColumns(warehouse, segment, [...needed, ...columns.optional]);
  if (!available) {
    throw new SegmentUnavailableError(
      `segment ${name} cannot be read (it does not exist yet?): run the model that builds it, or fix the sync's segment`,
    );
  }
  const absent = [...new Set(needed)].filter((c) => !available.has(c));
  if (absent.length > 0) {
    throw new SegmentUnavailableError(
      `segment ${name} lacks the column(s) ${absent.join(", ")} the sync reads: add them to the model or map the sync's columns`,
    );
  }
  const present = columns.optional.filter((c) => available.has(c));
  const read = [...new Set([...columns.required, ...present])].filter(
    (c) => c !== "contact_id" && !(CONSENT_COLUMNS as readonly string[]).includes(c),
  );
  const rows = await warehouse.query(
    `SELECT ${["contact_id", ...CONSENT_COLUMNS, ...read].join(", ")} FROM ${name} ORDER BY contact_id`,
  );
  const members = rows.map((row, i) => {
    const parsed = SegmentRow.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `segment ${name} row ${i + 1} does not match the segment contract (${issue?.path.join(".")}: ${issue?.message}): fix the model that builds it`,
      );
    }
    const values: Record<string, string | null> = {};
    for (const column of read) values[column] = asText(row[column]);
    return {
      contactId: parsed.data.contact_id,
      consent: {
        email_marketing: parsed.data.consent_email_marketing,
        ad_user_data: parsed.data.consent_ad_user_data,
        ad_personalization: parsed.data.consent_ad_personalization,
      },
      values,
    };
  });
  return {
    members,
    missingColumns: columns.optional.filter((c) => !available.has(c)),
    available,
  };
}

/** Column values as the destinations read them: text, or null. */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return String(value);
  }
  if (typeof value === "object" && "value" in value)
    return String((value as { value: unknown }).value);
  return JSON.stringify(value);
}
