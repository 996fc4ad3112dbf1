import { randomUUID } from "node:crypto";
import type { Logger } from "../../platform/logger.js";
import type { Clock, ObjectStore, Warehouse } from "../../platform/ports.js";
import { NO_SUPPRESSION, type SuppressionSource } from "../privacy/suppression-source.js";
import { safeError } from "../safe-error.js";
import { PullIncompleteError, type StoppedAt } from "./errors.js";
import {
  encodeEntry,
  journalKey,
  lastEntry,
  openWindow,
  readPosition,
  type StreamRef,
  stoppedKey,
  windowDoneKey,
} from "./journal.js";
import { pageEntry, writePageObjects } from "./land-page.js";
import { recordPullRun } from "./pull-runs.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withPullRetries } from "./retry.js";
import type { PullConnection, PullSource, PullWindow } from "./source.js";
import { tidyStream } from "./tidy.js";

export interface PullDeps {
  readonly store: ObjectStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly fetch: typeof fetch;
  readonly sleep: (ms: number) => Promise<void>;
  readonly retry?: RetryPolicy;
  /**
   * The suppression list of erased people (core/privacy): their records in a pulled page land
   * nowhere. Every deployed and local pull passes it; omitted only by tests of other behaviour.
   */
  readonly suppression?: SuppressionSource;
  /** When given, each run is recorded in `ops_pull.pull_runs`. */
  readonly warehouse?: Warehouse;
}

export interface PullRequest {
  readonly source: PullSource;
  readonly connection: PullConnection;
  readonly stream: string;
  /** Start of a new window (ISO instant); otherwise the last high-water or the stream's default. */
  readonly since?: string;
  /** Stop starting pages after this instant (a deployed run's time budget); the next run goes on. */
  readonly deadline?: Date;
}

export type PullStatus = "done" | "up_to_date" | "paused" | "busy";

export interface PullOutcome {
  readonly status: PullStatus;
  readonly window: PullWindow | undefined;
  /** Whether this run went on with a window an earlier run left unfinished. */
  readonly resumed: boolean;
  readonly pages: number;
  readonly records: number;
  readonly quarantined: number;
}

/**
 * Pulls one stream of one connection: open (or resume) a window of changes `[from, to)`, fetch it
 * page by page, journal each page create-if-absent, then write its raw and quarantine objects from
 * the journal; when the last page is landed, `to` becomes the high-water of the next window.
 * A run killed anywhere resumes at the page after the last journaled one. A run that cannot
 * finish records where it stopped and throws `PullIncompleteError`.
 */
export async function runPull(deps: PullDeps, request: PullRequest): Promise<PullOutcome> {
  const ref: StreamRef = {
    source: request.source.name,
    connection: request.connection.id,
    stream: request.stream,
  };
  const stream = request.source.streams[request.stream];
  if (!stream) {
    const known = Object.keys(request.source.streams).join(", ");
    throw new Error(`${ref.source} has no pulled stream "${ref.stream}" (streams: ${known})`);
  }
  const log = deps.logger.child({ ...ref });
  const startedAt = deps.clock.now();
  const runId = randomUUID();
  let outcome: PullOutcome = {
    status: "busy",
    window: undefined,
    resumed: false,
    pages: 0,
    records: 0,
    quarantined: 0,
  };
  const record = async (stopped?: StoppedAt) => {
    if (!deps.warehouse) return;
    const w = outcome.window;
    await recordPullRun(deps.warehouse, {
      run_id: runId,
      source: ref.source,
      connection: ref.connection,
      business_unit: request.connection.businessUnit,
      stream: ref.stream,
      status: stopped ? "failed" : outcome.status,
      window_seq: w?.seq ?? null,
      window_from: w?.from ?? null,
      window_to: w?.to ?? null,
      resumed: outcome.resumed,
      pages: outcome.pages,
      records: outcome.records,
      quarantined: outcome.quarantined,
      stopped_at_page: stopped?.pages ?? null,
      stopped_at_cursor: stopped?.cursor ?? null,
      error: stopped?.reason ?? null,
      started_at: startedAt.toISOString(),
      finished_at: deps.clock.now().toISOString(),
    }).catch((error: unknown) =>
      log.error({ err: safeError(error) }, "could not record the pull run in ops_pull.pull_runs"),
    );
  };

  const position = await readPosition(deps.store, ref);
  let window: PullWindow;
  if (position.latest && !position.latest.done) {
    window = position.latest.window;
    outcome = { ...outcome, window, resumed: true };
  } else {
    const from =
      request.since ??
      position.latest?.window.to ??
      (typeof request.connection.settings.since === "string"
        ? request.connection.settings.since
        : stream.defaultSince);
    const to = new Date(startedAt.getTime() - stream.settleMs);
    if (to.getTime() <= Date.parse(from)) {
      outcome = { ...outcome, status: "up_to_date" };
      log.info({ from }, "pull up to date: nothing changed long enough ago to pull");
      await record();
      return outcome;
    }
    window = { seq: (position.latest?.window.seq ?? 0) + 1, from, to: to.toISOString() };
    if (!(await openWindow(deps.store, ref, window, startedAt))) {
      log.warn({ window: window.seq }, "another run opened this window first; leaving it to it");
      return outcome;
    }
    outcome = { ...outcome, window };
  }

  let page = 0;
  let cursor: string | null = null;
  try {
    const last = await lastEntry(deps.store, ref, window.seq);
    if (last) {
      // A run killed after journaling this page may not have written its objects.
      await writePageObjects(deps.store, last);
      page = last.header.page;
      cursor = last.header.next;
    }
    let finished = last !== undefined && cursor === null;
    while (!finished) {
      if (request.deadline && deps.clock.now() >= request.deadline) {
        outcome = { ...outcome, status: "paused" };
        log.info(
          { window: window.seq, pages: page },
          "pull paused at its time budget; the next run goes on",
        );
        await record();
        return outcome;
      }
      const at = cursor;
      const fetched = await withPullRetries(
        () =>
          stream.fetchPage({
            connection: request.connection,
            window,
            cursor: at ?? undefined,
            fetch: deps.fetch,
            sleep: deps.sleep,
          }),
        deps.retry ?? DEFAULT_RETRY_POLICY,
        {
          sleep: deps.sleep,
          onRateLimited: (waitMs) =>
            log.warn({ waitMs, page: page + 1 }, "rate limited; waiting as asked"),
          onTransient: (error, attempt) =>
            log.warn(
              { err: safeError(error), attempt, page: page + 1 },
              "transient vendor failure; retrying",
            ),
        },
      );
      const suppression = await (deps.suppression ?? NO_SUPPRESSION).current();
      const { entry, suppressed } = pageEntry({
        ref,
        stream,
        window,
        page: page + 1,
        cursor: at,
        fetched,
        fetchedAt: deps.clock.now(),
        suppression,
        businessUnit: request.connection.businessUnit,
      });
      if (suppressed > 0)
        log.info({ page: page + 1, suppressed }, "records of erased people dropped");
      const put = await deps.store.put(journalKey(ref, window.seq, page + 1), encodeEntry(entry), {
        ifAbsent: true,
        contentType: "application/x-ndjson",
      });
      if (!put.created) {
        log.warn(
          { window: window.seq, page: page + 1 },
          "another run is pulling this window; leaving it to it",
        );
        outcome = { ...outcome, status: "busy" };
        return outcome;
      }
      await writePageObjects(deps.store, entry);
      page += 1;
      cursor = entry.header.next;
      finished = cursor === null;
      outcome = {
        ...outcome,
        pages: outcome.pages + 1,
        records: outcome.records + entry.header.raw,
        quarantined: outcome.quarantined + entry.header.quarantine,
      };
    }
    const done = {
      seq: window.seq,
      pages: page,
      records: outcome.records,
      quarantined: outcome.quarantined,
      finishedAt: deps.clock.now().toISOString(),
    };
    await deps.store.put(windowDoneKey(ref, window.seq), JSON.stringify(done), {
      ifAbsent: true,
      contentType: "application/json",
    });
  } catch (error) {
    const stopped: StoppedAt = {
      ...ref,
      window: window.seq,
      pages: page,
      cursor,
      reason: shortReason(error),
      at: deps.clock.now().toISOString(),
    };
    log.error({ err: safeError(error), window: window.seq, pages: page }, "pull stopped");
    await deps.store
      .put(stoppedKey(ref), JSON.stringify(stopped), { contentType: "application/json" })
      .catch(() => undefined);
    await record(stopped);
    throw new PullIncompleteError(
      `pull ${ref.source}/${ref.connection}/${ref.stream} stopped in window ${window.seq} after ${page} page(s): ${stopped.reason}. Nothing landed is lost: run the pull again to resume from page ${page + 1}${/\b40[13]\b/.test(stopped.reason) ? " (check the connection's credentials first)" : ""}.`,
      stopped,
    );
  }
  outcome = { ...outcome, status: "done" };
  log.info(
    {
      window: window.seq,
      pages: outcome.pages,
      records: outcome.records,
      quarantined: outcome.quarantined,
    },
    "pull window done",
  );
  await tidyStream(deps.store, ref, window.seq).catch((error: unknown) =>
    log.warn(
      { err: safeError(error) },
      "could not tidy finished pull windows; the next run retries",
    ),
  );
  await record();
  return outcome;
}

/** An error's class and HTTP status: vendor bodies may hold personal data, so never their text. */
function shortReason(error: unknown): string {
  if (!(error instanceof Error)) return "a non-Error value was thrown";
  const status = (error as { status?: unknown }).status;
  const own = (error as { safeReason?: unknown }).safeReason;
  const detail = typeof own === "string" ? `: ${own}` : "";
  return `${error.name}${typeof status === "number" ? ` (HTTP ${status})` : ""}${detail}`;
}
