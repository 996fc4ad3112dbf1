import { createHash } from "node:crypto";
import type { Logger } from "../../platform/logger.js";
import { acquireLease, holdLease, type LeaseBody, releaseLease } from "../loading/lease.js";
import { MANIFEST_PREFIX } from "../loading/manifest.js";
import type { PersonalTable } from "./declarations.js";
import { eraseLakeObjects, type LakeErasure } from "./erase-lake.js";
import {
  deleteObjectRows,
  deleteRawRows,
  deleteTableRows,
  personRowsOfObject,
  type RawStreamDeclaration,
  rawTableOf,
  rawWhere,
} from "./erase-warehouse.js";
import type { ErasureDeps } from "./erasure.js";
import { identifierPathsOf, objectsToCheck, rawStreamsOf } from "./erasure-scope.js";
import type { ErasureState } from "./erasure-state.js";
import type { Person } from "./person.js";
import { ERASED_RECORDS } from "./privacy-tables.js";
import { createRecordMatcher } from "./record-matcher.js";
import { recordHashSql, tableSql } from "./sql.js";

export interface LeaseHolder {
  readonly holder: Pick<LeaseBody, "holder" | "host" | "pid">;
  readonly holderGone?: (lease: LeaseBody) => boolean;
}

/** The loader is busy (sweeping, or a batch is in flight): retry the erasure later. */
export class ErasureBusyError extends Error {
  override readonly name = "ErasureBusyError";
}

const LEASE_TTL_MS = 10 * 60_000;
/** Others' rows of rewritten raw objects: deleted with the object's rows, loaded again from it. */
export const RELOADED = "warehouse:raw rows of others in rewritten files (loaded again)";
const LEASE_MARGIN_MS = 60_000;

export function personOf(state: ErasureState): Person {
  return { keys: new Set(state.keys), contactIds: new Set(state.contactIds) };
}

/**
 * Stage 2: the lake, raw tables and every declared table, under the loader's lease (no sweep
 * loads while raw objects are rewritten, and none is in flight: a batch planned before the
 * rewrite would load the new version under the old one's name).
 */
export async function eraseStored(
  deps: ErasureDeps,
  state: ErasureState,
  log: Logger,
  remember: (objects: string[]) => Promise<void>,
): Promise<Pick<ErasureState, "removed" | "lake">> {
  const now = () => deps.clock.now();
  const leaseOptions = { store: deps.store, now, ttlMs: LEASE_TTL_MS };
  const attempt = await acquireLease({
    ...leaseOptions,
    holder: { ...deps.lease.holder, trigger: `erasure ${state.id}` },
    ...(deps.lease.holderGone ? { holderGone: deps.lease.holderGone } : {}),
  });
  if (!attempt.ok) {
    throw new ErasureBusyError(
      `the raw loader holds the lake's lease (since ${attempt.since}): the erasure continues once it is free; run it again`,
    );
  }
  let lease = attempt.lease;
  const removed: Record<string, number> = { ...state.removed };
  const add = (location: string, n: number) => {
    removed[location] = (removed[location] ?? 0) + n;
  };
  try {
    if ((await deps.store.list(MANIFEST_PREFIX)).length > 0) {
      throw new ErasureBusyError(
        "a raw load batch is in flight (loads/manifests/): let the loader finish it (unistack load, or the next sweep), then run the erasure again",
      );
    }
    const person = personOf(state);
    const streams = rawStreamsOf(deps.catalogs);
    const byId = new Map(streams.map((s) => [`${s.source}/${s.stream}`, s]));
    const found = await objectsToCheck(deps, {
      prefixes: deps.prefixes,
      streams,
      person,
      salt: deps.salt,
      deep: state.deep,
      stage: "now",
    });
    const objects = [...found];
    for (const key of state.objects) {
      if (found.some((o) => o.key === key)) continue;
      const object = await deps.store.stat(key);
      if (object) objects.push(object);
    }
    await remember(objects.map((o) => o.key).sort());
    const matcher = createRecordMatcher({
      salt: deps.salt,
      keys: person.keys,
      identifiersOf: identifierPathsOf(deps.catalogs),
    });
    const lake: LakeErasure = await eraseLakeObjects(
      {
        store: deps.store,
        logger: log,
        prefixes: deps.prefixes,
        keepGoing: async () => {
          const held = await holdLease(leaseOptions, lease, LEASE_MARGIN_MS);
          if (!held)
            throw new ErasureBusyError("the erasure lost the loader's lease; run it again");
          lease = held;
        },
        beforeRawRewrite: async (ref, key) => {
          const stream = byId.get(`${ref.source}/${ref.stream}`);
          if (!stream) return;
          const theirs = await personRowsOfObject(deps.warehouse, stream, person, deps.salt, key);
          const all = await deleteObjectRows(deps.warehouse, stream, [key]);
          const table = await rawTableOf(deps.warehouse, stream);
          if (table) add(`warehouse:${table.dataset}.${table.table}`, theirs);
          add(RELOADED, all - theirs);
        },
      },
      { objects, person, matcher },
    );
    for (const [location, n] of lake.removed) add(location, n);
    for (const stream of streams) {
      const ids = lake.recordIds.get(`${stream.source}/${stream.stream}`) ?? [];
      await keepErasedRecords(deps, state, stream, person, ids);
      const n = await deleteRawRows(deps.warehouse, stream, person, deps.salt, ids);
      const table = await rawTableOf(deps.warehouse, stream);
      if (table) add(`warehouse:${table.dataset}.${table.table}`, n);
    }
    // Rows of the person among the reloaded ones were counted as theirs above: the raw object
    // line and its row are one record, reported once under lake:raw/… and once per table.
    for (const table of deps.tables) {
      if (!table.personal || table.erase !== "now") continue;
      const n = await deleteTableRows(deps.warehouse, table, person, deps.salt);
      if (n !== undefined) add(`warehouse:${table.dataset}.${table.table}`, n);
    }
    return {
      removed,
      lake: {
        read: state.lake.read + lake.objects.read,
        rewritten: state.lake.rewritten + lake.objects.rewritten,
        deleted: state.lake.deleted + lake.objects.deleted,
      },
    };
  } finally {
    await releaseLease(deps.store, lease).catch((error: unknown) =>
      log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "lease not released; it expires",
      ),
    );
  }
}

/**
 * Hashes of the records removed (from the lake, and still in raw tables), kept in
 * `privacy.erased_records`: staging leaves them out, so a restored raw table or lake object
 * cannot bring them back into the models.
 */
async function keepErasedRecords(
  deps: ErasureDeps,
  state: ErasureState,
  stream: RawStreamDeclaration,
  person: Person,
  lakeIds: readonly string[],
): Promise<void> {
  const hashes = new Set(lakeIds.map((id) => recordHash(stream.source, stream.stream, id)));
  const table = await rawTableOf(deps.warehouse, stream);
  const where = rawWhere(deps.warehouse.dialect, stream, person, deps.salt);
  if (table && where) {
    const rows = await deps.warehouse.query(
      `SELECT DISTINCT ${recordHashSql(deps.warehouse.dialect)} AS h FROM ${tableSql(table)} WHERE ${where.sql}`,
      where.params,
    );
    for (const row of rows) hashes.add(String(row.h));
  }
  if (hashes.size === 0) return;
  const at = deps.clock.now();
  await deps.warehouse.insertRows(
    ERASED_RECORDS,
    [...hashes].map((h) => ({
      source: stream.source,
      stream: stream.stream,
      record_hash: h,
      erasure_id: state.id,
      erased_at: at,
    })),
  );
}

/** SHA-256 hex of `<source>/<stream>/<record id>`, as `recordHashSql` computes it. */
export function recordHash(source: string, stream: string, recordId: string): string {
  return createHash("sha256").update(`${source}/${stream}/${recordId}`).digest("hex");
}

export type { PersonalTable };
