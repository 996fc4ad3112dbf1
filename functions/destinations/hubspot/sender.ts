import type { ActivationBatch, BatchRow } from "../../core/activation/batches.js";
import type { SyncOf } from "../../core/activation/sync-config.js";
import type { ObjectStore } from "../../platform/ports.js";
import { DestinationApiError } from "../errors.js";
import type { AcceptedRow, DestinationSender, SendOutcome } from "../sender.js";
import {
  CREATE_TIMEOUT_MS,
  chunks,
  type HubspotClient,
  type HubspotTaskInput,
  MAX_BATCH_INPUTS,
} from "./client.js";
import { latestIntent, writeIntent } from "./task-intents.js";

/**
 * HubSpot as a destination (docs/destinations.md, "HubSpot").
 * - Contacts (`mode: upsert`): batch upsert by email (idempotent: a retry changes nothing
 *   twice); the contact id is kept in the ledger. A remove (erasure only: leaving the segment
 *   does not delete a CRM record) is a GDPR delete of that contact.
 * - Tasks (`mode: tasks`): one task per lead key, exactly once across retries and crashes:
 *   search by the key property, then the intent ledger (task-intents.ts) for keys search does not
 *   find yet, then create the rest, each associated to its contact (upserted by email first, so
 *   a lead HubSpot does not know yet gets a contact). A remove (erasure) archives the task.
 */

export interface HubspotSenderDeps {
  readonly client: HubspotClient;
  readonly store: ObjectStore;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly syncs: readonly SyncOf<"hubspot">[];
  /** How long after a create HubSpot's search may still miss the task (default 60 s). */
  readonly searchLagMs?: number;
  /** A create starts at most this long after its intent (default 10 s), else it waits a round. */
  readonly intentWindowMs?: number;
  /** Longest wait for the index inside one delivery; longer, the batch is redelivered. */
  readonly maxLagWaitMs?: number;
}

type TasksSync = Extract<SyncOf<"hubspot">, { mode: "tasks" }>;

export function hubspotSender(deps: HubspotSenderDeps): DestinationSender {
  const byId = new Map(deps.syncs.map((s) => [s.id, s]));
  return {
    destination: "hubspot",
    async send(batch) {
      const sync = byId.get(batch.syncId);
      if (!sync) throw new Error(`sync ${batch.syncId} is not a configured HubSpot sync`);
      const start = deps.client.attempts();
      const result =
        batch.op === "remove"
          ? await remove(deps.client, sync, batch)
          : sync.mode === "upsert"
            ? await upsertContacts(deps.client, batch)
            : await createTasks(deps, sync, batch);
      return outcome(batch, result, deps.client.attempts() - start);
    },
  };
}

interface Result {
  readonly accepted: AcceptedRow[];
  readonly rejected: ReadonlyArray<{ row: BatchRow; reason: string }>;
}

const emailOf = (row: BatchRow) => String(row.fields?.email ?? "").toLowerCase();
const text = (row: BatchRow, name: string) => String(row.fields?.[name] ?? "");

async function remove(
  client: HubspotClient,
  sync: SyncOf<"hubspot">,
  batch: ActivationBatch,
): Promise<Result> {
  const ids = batch.rows.flatMap((r) => (r.destinationId ? [r.destinationId] : []));
  if (ids.length > 0) {
    if (sync.mode === "tasks") await client.archiveTasks(ids);
    else await client.gdprDeleteContacts(ids);
  }
  return { accepted: batch.rows.map((row) => ({ row })), rejected: [] };
}

async function upsertContacts(client: HubspotClient, batch: ActivationBatch): Promise<Result> {
  const { ids } = await client.upsertContacts(
    batch.rows.map((row) => {
      const properties: Record<string, string> = {};
      for (const [name, value] of Object.entries(row.fields ?? {})) {
        if (name !== "email" && value !== null) properties[name] = String(value);
      }
      return { email: emailOf(row), properties };
    }),
  );
  return split(batch.rows, (row) => ids.get(emailOf(row)), "hubspot_upsert_error");
}

async function createTasks(
  deps: HubspotSenderDeps,
  sync: TasksSync,
  batch: ActivationBatch,
): Promise<Result> {
  const { client } = deps;
  const keyProperty = sync.task.keyProperty;
  // An intent is stale (its create never happened) once a create started within the window,
  // answered within the timeout and was indexed within the lag: search would show it by now.
  const windowMs = deps.intentWindowMs ?? 10_000;
  const lagMs = windowMs + CREATE_TIMEOUT_MS + (deps.searchLagMs ?? 60_000);
  const contacts = (
    await client.upsertContacts(
      [...new Set(batch.rows.map(emailOf))].map((email) => ({ email, properties: {} })),
    )
  ).ids;
  const rows = batch.rows.filter((row) => contacts.has(emailOf(row)));
  const taskIds = await client.findTasks(keyProperty, rows.map(keyOf));
  const refused = new Map<string, string>();
  const missing = () => rows.filter((r) => !taskIds.has(keyOf(r)) && !refused.has(keyOf(r)));
  for (let round = 0; round < 3 && missing().length > 0; round++) {
    // Keys search did not find: never tried, or tried long enough ago to be searchable by now
    // (so not created): create, behind a new intent. Tried recently: maybe created and not
    // indexed yet: wait for the index, never create blind.
    const waiting: Array<{ row: BatchRow; readyAt: number }> = [];
    const mine: HubspotTaskInput[] = [];
    for (const row of missing()) {
      const intent = await latestIntent(deps.store, sync.id, keyOf(row));
      const at = deps.now();
      const readyAt = intent ? intent.intendedAt.getTime() + lagMs : 0;
      if (readyAt > at.getTime()) {
        waiting.push({ row, readyAt });
        continue;
      }
      const won = await writeIntent(deps.store, {
        syncId: sync.id,
        key: keyOf(row),
        attempt: (intent?.attempt ?? 0) + 1,
        runId: batch.runId,
        at,
      });
      // Another delivery of this batch wrote the intent first: it creates, this one waits.
      if (won) mine.push(taskOf(row, sync, contacts));
      else waiting.push({ row, readyAt: at.getTime() + lagMs });
    }
    const created = await createEach(client, keyProperty, mine, {
      notAfter: new Date(deps.now().getTime() + windowMs),
    });
    for (const [key, id] of created.ids) taskIds.set(key, id);
    for (const [key, label] of created.refused) refused.set(key, label);
    if (waiting.length === 0) continue;
    const waitMs = Math.max(...waiting.map((w) => w.readyAt)) - deps.now().getTime();
    if (waitMs > (deps.maxLagWaitMs ?? 30_000)) throw searchLag(waitMs);
    await deps.sleep(Math.max(0, waitMs));
    const keys = waiting.map((w) => keyOf(w.row));
    for (const [key, id] of await client.findTasks(keyProperty, keys)) taskIds.set(key, id);
  }
  if (missing().length > 0) throw searchLag(lagMs);
  const result = split(batch.rows, (row) => taskIds.get(keyOf(row)), "hubspot_task_error");
  return {
    accepted: result.accepted,
    rejected: result.rejected.map(({ row }) => ({
      row,
      reason: !contacts.has(emailOf(row))
        ? "hubspot_contact_error"
        : (refused.get(keyOf(row)) ?? "hubspot_task_error"),
    })),
  };
}

const keyOf = (row: BatchRow) => text(row, "task_key") || row.hash;

function searchLag(waitMs: number): DestinationApiError {
  return new DestinationApiError(
    "HubSpot tasks: a create of an earlier delivery may not be searchable yet; the batch is retried later so that no task is created twice",
    { kind: "transient", label: "hubspot_search_lag", attempts: 0, retryAfterMs: waitMs },
  );
}

function taskOf(
  row: BatchRow,
  sync: TasksSync,
  contacts: ReadonlyMap<string, string>,
): HubspotTaskInput {
  const priority = text(row, "priority");
  return {
    key: keyOf(row),
    contactId: contacts.get(emailOf(row)) ?? "",
    ownerId: text(row, "owner_id"),
    dueAt: text(row, "due_at"),
    subject: text(row, "subject"),
    body: text(row, "body"),
    priority:
      priority === "LOW" || priority === "MEDIUM" || priority === "HIGH"
        ? priority
        : sync.task.priority,
  };
}

/**
 * Creates in batches of 100. HubSpot refuses a whole batch for one invalid input (an unknown
 * owner, a bad due time), so a refused batch is created one by one: one bad lead does not hold
 * back the others. A refused create made nothing; retryable failures are thrown.
 */
async function createEach(
  client: HubspotClient,
  keyProperty: string,
  tasks: readonly HubspotTaskInput[],
  limits: { readonly notAfter: Date },
): Promise<{ ids: Map<string, string>; refused: Map<string, string> }> {
  const ids = new Map<string, string>();
  const refused = new Map<string, string>();
  const permanent = (error: unknown): error is DestinationApiError =>
    error instanceof DestinationApiError && !error.retryable;
  for (const part of chunks(tasks, MAX_BATCH_INPUTS)) {
    try {
      for (const [k, v] of await client.createTasks(keyProperty, part, limits)) ids.set(k, v);
      continue;
    } catch (error) {
      if (!permanent(error)) throw error;
    }
    for (const task of part) {
      try {
        for (const [k, v] of await client.createTasks(keyProperty, [task], limits)) ids.set(k, v);
      } catch (error) {
        if (!permanent(error)) throw error;
        refused.set(task.key, error.label);
      }
    }
  }
  return { ids, refused };
}

function split(
  rows: readonly BatchRow[],
  idOf: (row: BatchRow) => string | undefined,
  reason: string,
): Result {
  const accepted: AcceptedRow[] = [];
  const rejected: Array<{ row: BatchRow; reason: string }> = [];
  for (const row of rows) {
    const id = idOf(row);
    if (id) accepted.push({ row, destinationId: id });
    else rejected.push({ row, reason });
  }
  return { accepted, rejected };
}

function outcome(batch: ActivationBatch, result: Result, attempts: number): SendOutcome {
  const rejections = result.rejected.flatMap(({ row, reason }) =>
    row.contactIds.map((contactId) => ({ contactId, reason })),
  );
  return {
    status: rejections.length > 0 ? "partial" : "succeeded",
    accepted: result.accepted,
    rejections,
    received: batch.rows.length,
    invalid: result.rejected.length,
    attempts,
  };
}
