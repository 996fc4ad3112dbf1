import type { Logger } from "../../platform/logger.js";
import type { Clock, ObjectStore, Warehouse } from "../../platform/ports.js";
import type { SourceCatalog } from "../ingest/source.js";
import { MANIFEST_PREFIX } from "../loading/manifest.js";
import type { LakePrefix, TableDeclaration } from "./declarations.js";
import { destinationCounts, destinationRows, finishAfterDestinations } from "./erasure-finish.js";
import { type ErasureReport, reportOf, writeReport } from "./erasure-report.js";
import { type ErasureRequest, newErasureId, requestKeys } from "./erasure-request.js";
import { type ErasureState, readState, saveState, unfinishedErasures } from "./erasure-state.js";
import { eraseStored, type LeaseHolder } from "./erasure-steps.js";
import { resolvePerson } from "./person.js";
import { readSuppressedKeys, suppress } from "./suppression-list.js";

/** Removal asked again when destinations still hold the person this long after asking. */
const ASK_AGAIN_MS = 60 * 60_000;
/** An erasure not completed this long after the request logs an ERROR (alert). */
const OVERDUE_MS = 24 * 60 * 60_000;

export interface ErasureDeps {
  readonly store: ObjectStore;
  readonly warehouse: Warehouse;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The privacy salt (docs/privacy.md): the same for the life of the deployment. */
  readonly salt: string;
  readonly catalogs: readonly SourceCatalog[];
  readonly tables: readonly TableDeclaration[];
  readonly prefixes: readonly LakePrefix[];
  /** Who erases, written into the loader's lease while raw objects are rewritten. */
  readonly lease: LeaseHolder;
  /**
   * Asks every destination to remove the person through the activation path: a plan-activation
   * run (the person is no longer in any segment, and the snapshot still has them).
   */
  readonly requestRemovals: (erasureId: string) => Promise<void>;
  /** Has the loader load the rewritten raw objects (their old rows were deleted). */
  readonly reload: () => Promise<void>;
}

export interface ErasureOutcome {
  readonly state: ErasureState;
  readonly report: ErasureReport;
  /** Where the report is, when the erasure completed. */
  readonly reportKey?: string;
}

/**
 * Erases one person everywhere, in stages that each survive a crash and a retry:
 * 1. the identifiers the request names go on the suppression list (ingest and pulls drop the
 *    person's records from then on), the person is resolved through the identity tables (all
 *    their contact ids and identifiers), and those keys are suppressed too;
 * 2. under the loader's lease: lake objects rewritten without their records, raw rows deleted
 *    (rewritten objects are loaded again by the loader), erased record ids kept for staging,
 *    rows of every declared table deleted;
 * 3. destinations asked to remove them through the normal activation path;
 * 4. once no destination holds them: the batches and ops rows that named them, then the report.
 * Run it again with the same id and it continues; completed steps find nothing left to remove.
 */
export async function runErasure(
  deps: ErasureDeps,
  request: ErasureRequest,
): Promise<ErasureOutcome> {
  const id = request.erasureId ?? newErasureId(deps.clock.now());
  let state = await readState(deps.store, id);
  if (!state) {
    const now = deps.clock.now().toISOString();
    state = {
      version: 1,
      id,
      origin: request.origin,
      status: "started",
      requestedAt: now,
      updatedAt: now,
      deep: request.deep,
      keys: request.reapply
        ? [...(await readSuppressedKeys(deps.warehouse, deps.salt))].sort()
        : requestKeys(deps.salt, request),
      contactIds: [...new Set(request.contactIds)],
      removed: {},
      lake: { read: 0, rewritten: 0, deleted: 0 },
      suppressionKeysAdded: 0,
      objects: [],
    };
    await saveState(deps.store, state);
  }
  return advanceErasure(deps, state);
}

/** Continues every erasure that has not completed (a scheduled tick, `unistack erase --resume`). */
export async function resumeErasures(deps: ErasureDeps): Promise<ErasureOutcome[]> {
  const outcomes: ErasureOutcome[] = [];
  for (const state of await unfinishedErasures(deps.store)) {
    outcomes.push(await advanceErasure(deps, state));
  }
  return outcomes;
}

async function advanceErasure(deps: ErasureDeps, initial: ErasureState): Promise<ErasureOutcome> {
  let state = initial;
  const log = deps.logger.child({ erasureId: state.id });
  const save = async (next: ErasureState): Promise<ErasureState> => {
    const stamped = { ...next, updatedAt: deps.clock.now().toISOString() };
    await saveState(deps.store, stamped);
    return stamped;
  };
  if (state.status === "started") {
    const at = deps.clock.now();
    const first = await suppress(deps, {
      salt: deps.salt,
      keys: state.keys,
      erasureId: state.id,
      at,
    });
    const personal = deps.tables.filter((t) => t.personal);
    const person = await resolvePerson(
      { warehouse: deps.warehouse, logger: log },
      {
        salt: deps.salt,
        tables: personal,
        start: { keys: new Set(state.keys), contactIds: new Set(state.contactIds) },
      },
    );
    const all = await suppress(deps, {
      salt: deps.salt,
      keys: [...person.keys],
      erasureId: state.id,
      at,
    });
    state = await save({
      ...state,
      status: "resolved",
      keys: [...person.keys].sort(),
      contactIds: [...person.contactIds].sort(),
      suppressionKeysAdded: first.added + all.added,
    });
    log.info(
      { keys: state.keys.length, contacts: state.contactIds.length },
      "erasure: person resolved and suppressed",
    );
  }
  if (state.status === "resolved") {
    // A batch left in flight by a killed sweep (or by this erasure's own reload) is finished first.
    if ((await deps.store.list(MANIFEST_PREFIX)).length > 0) await deps.reload();
    const erased = await eraseStored(deps, state, log, async (objects) => {
      state = await save({ ...state, objects });
    });
    state = await save({ ...state, ...erased });
    // The rewritten raw objects are loaded again before the erasure moves on: a retry after a
    // crash here runs the (idempotent) erasure step and this load again.
    await deps.reload();
    state = await save({ ...state, status: "awaiting_destinations" });
  }
  if (state.status === "awaiting_destinations") {
    const held = await destinationRows(deps, state);
    if (held.length > 0) {
      const asked = state.removalsRequestedAt ? Date.parse(state.removalsRequestedAt) : undefined;
      const now = deps.clock.now().getTime();
      if (asked === undefined || now - asked > ASK_AGAIN_MS) {
        const counts = asked === undefined ? await destinationCounts(deps, state) : {};
        await deps.requestRemovals(state.id);
        state = await save({
          ...state,
          removed: { ...state.removed, ...counts },
          removalsRequestedAt: deps.clock.now().toISOString(),
        });
      }
      const stillHeld = await destinationRows(deps, state);
      if (stillHeld.length > 0) {
        const waiting = now - Date.parse(state.requestedAt);
        // ERROR fires the error-log alert: an erasure must not wait unnoticed.
        (waiting > OVERDUE_MS ? log.error.bind(log) : log.warn.bind(log))(
          { stillHeld, waitingHours: Math.floor(waiting / 3_600_000) },
          waiting > OVERDUE_MS
            ? "erasure overdue: destinations still hold the person"
            : "erasure waits for destinations to remove the person",
        );
        return { state, report: reportOf(state, stillHeld) };
      }
    }
    const finished = await finishAfterDestinations(deps, state, log);
    state = await save({
      ...state,
      ...finished,
      status: "completed",
      completedAt: deps.clock.now().toISOString(),
      keys: [],
      contactIds: [],
      objects: [],
    });
  }
  const report = reportOf(state);
  const reportKey = await writeReport(deps, report, deps.clock.now());
  log.info({ removed: report.removed.length, reportKey }, "erasure completed");
  return { state, report, reportKey };
}
