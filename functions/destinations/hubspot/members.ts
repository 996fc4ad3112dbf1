import type { FieldValue, Identification, SegmentMember } from "../../core/activation/members.js";
import type { SyncOf } from "../../core/activation/sync-config.js";
import { columnOf, digestOf, sha256 } from "../member-values.js";
import { plainEmail } from "../plain-email.js";
import type { PlanSpec, SyncColumns } from "../plan-spec.js";

/**
 * HubSpot members. Contacts (`mode: upsert`): upserted by email with the mapped properties; a
 * changed property is upserted again. Tasks (`mode: tasks`): one task per routed lead, keyed by
 * the sync's key columns (contact and webinar), with the owner and the due time the SLA gives;
 * created once and never recreated (the digest is the key), rows without an owner are not routed.
 */

type HubspotSync = SyncOf<"hubspot">;
type TasksSync = Extract<HubspotSync, { mode: "tasks" }>;

export function hubspotColumns(sync: HubspotSync): SyncColumns {
  const email = columnOf(sync, "email");
  if (sync.mode === "upsert")
    return { required: [email, ...Object.values(sync.properties)], optional: [] };
  const { task } = sync;
  return {
    required: [
      email,
      ...task.keyColumns,
      task.ownerColumn,
      task.dueColumn,
      ...task.bodyColumns,
      ...placeholders(task.subject),
    ],
    optional: [],
  };
}

export function hubspotPlanSpec(sync: HubspotSync): PlanSpec {
  if (sync.mode === "upsert") {
    return { schema: "contact", optionalColumns: [], identify: (m) => identifyContact(m, sync) };
  }
  return { schema: "task", optionalColumns: [], identify: (m) => identifyTask(m, sync) };
}

function emailOf(member: SegmentMember, sync: HubspotSync): string | Identification {
  const raw = member.values[columnOf(sync, "email")];
  if (raw === null || raw === undefined || raw.trim() === "") {
    return { ok: false, reason: "no_identifier" };
  }
  return plainEmail(raw) ?? { ok: false, reason: "invalid_email" };
}

function identifyContact(
  member: SegmentMember,
  sync: Extract<HubspotSync, { mode: "upsert" }>,
): Identification {
  const email = emailOf(member, sync);
  if (typeof email !== "string") return email;
  const fields: Record<string, FieldValue> = { email };
  for (const [property, column] of Object.entries(sync.properties)) {
    fields[property] = member.values[column] ?? null;
  }
  return { ok: true, key: sha256(email), digest: digestOf(fields), payload: { fields } };
}

function identifyTask(member: SegmentMember, sync: TasksSync): Identification {
  const email = emailOf(member, sync);
  if (typeof email !== "string") return email;
  const { task } = sync;
  const owner = member.values[task.ownerColumn];
  const due = member.values[task.dueColumn];
  if (!owner || !due || Number.isNaN(Date.parse(due)))
    return { ok: false, reason: "missing_field" };
  // contact_id is the member's own field, not among the values read (segment-reader).
  const taskKey = task.keyColumns.map((c) => columnValue(member, c) ?? "").join("\u0000");
  const key = sha256(`task\u0000${taskKey}`);
  const body = task.bodyColumns.map((c) => `${c}: ${columnValue(member, c) ?? "—"}`).join("\n");
  const fields: Record<string, FieldValue> = {
    email,
    task_key: key,
    subject: fill(task.subject, member).slice(0, 200),
    owner_id: owner,
    due_at: new Date(due).toISOString(),
    priority: task.priority,
    body,
  };
  return { ok: true, key, digest: key, payload: { fields } };
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? "");
}

function fill(template: string, member: SegmentMember): string {
  return template.replace(PLACEHOLDER, (_, column: string) => columnValue(member, column) ?? "");
}

function columnValue(member: SegmentMember, column: string): string | null | undefined {
  return column === "contact_id" ? member.contactId : member.values[column];
}
