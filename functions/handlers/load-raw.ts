import { z } from "zod";
import type { WebhookSource } from "../core/ingest/source.js";
import { addToInbox, inRecentWindow, type RawStream } from "../core/loading/scope.js";
import { type SweepDeps, type SweepReport, sweepRawLoads } from "../core/loading/sweep.js";
import { CLOUD_SWEEP, type SweepConfig } from "../core/loading/sweep-config.js";
import type { PullSource } from "../core/pull/source.js";
import { parseRawObjectKey } from "../core/raw-table.js";
import {
  type CloudEvent,
  decodePubsubJson,
  PUBSUB_PUBLISHED_TYPE,
  STORAGE_FINALIZED_TYPE,
  StorageObjectDataSchema,
} from "../platform/cloudevents.js";

export type LoadRawDeps = SweepDeps & { readonly config?: SweepConfig };

export type LoadRawOutcome =
  | { readonly action: "ignored"; readonly reason: string }
  | { readonly action: "swept"; readonly report: SweepReport };

/** The Cloud Scheduler message: `scheduled` sweeps the recent window, `deep` the whole lake. */
export const SweepMessageSchema = z.object({ sweep: z.enum(["scheduled", "deep"]) });

/** Thrown when files are left because loads kept failing: the platform redelivers, alerts fire. */
export class SweepIncompleteError extends Error {
  override readonly name = "SweepIncompleteError";
}

/**
 * The load-raw function. One entry point, two triggers:
 * - an object finalized in the lake: a raw object outside the recent window is put in the inbox,
 *   then a debounced sweep runs (skipped when one ran within `minIntervalMs` or is running: it or
 *   the next scheduled one loads the object);
 * - a Cloud Scheduler message on the sweep topic: the safety net for events that never arrived
 *   (`deep` lists the whole lake and is redelivered while another sweep holds the lease).
 * Throws when files are left after retries (transient), so the platform retries and alerts; a file
 * that cannot be loaded is recorded, not thrown.
 */
export async function handleLoadRawEvent(
  deps: LoadRawDeps,
  event: CloudEvent<unknown>,
): Promise<LoadRawOutcome> {
  const config = deps.config ?? CLOUD_SWEEP;
  const recent = { kind: "recent", lookbackDays: config.lookbackDays } as const;
  const log = deps.logger.child({ eventId: event.id });
  if (event.type === STORAGE_FINALIZED_TYPE) {
    const parsed = StorageObjectDataSchema.safeParse(event.data);
    if (!parsed.success) {
      // Nothing is lost: a scheduled sweep lists the lake itself.
      log.warn("storage event without object data; ignored");
      return { action: "ignored", reason: "storage event without object data" };
    }
    const { bucket, name, generation } = parsed.data;
    if (bucket !== deps.bucket) return { action: "ignored", reason: "not the lake bucket" };
    // Our own manifests, leases and markers, quarantine and activation objects end here.
    if (!parseRawObjectKey(name)) return { action: "ignored", reason: "not a raw object" };
    // The window's oldest day too: after midnight it leaves the window, and this object with it.
    if (!inRecentWindow(name, deps.streams, deps.clock.now(), config.lookbackDays - 1)) {
      await addToInbox(deps.store, name, generation);
      log.info({ key: name }, "raw object outside the sweep window; queued in the inbox");
    }
    return finish(
      await sweepRawLoads(deps, { trigger: "event", scope: recent, debounce: true }, config),
      log,
    );
  }
  if (event.type === PUBSUB_PUBLISHED_TYPE) {
    const message = SweepMessageSchema.safeParse(decodePubsubJson(event).data);
    if (!message.success) {
      log.error(
        'sweep message is not {"sweep":"scheduled"|"deep"}; ignored: check the scheduler job',
      );
      return { action: "ignored", reason: "not a sweep message" };
    }
    const deep = message.data.sweep === "deep";
    const report = await sweepRawLoads(
      deps,
      { trigger: "schedule", scope: deep ? { kind: "all" } : recent, debounce: !deep },
      config,
    );
    if (deep && report.status === "skipped") {
      throw new SweepIncompleteError(
        `deep sweep not started: a sweep is ${report.reason}; retry later`,
      );
    }
    return finish(report, log);
  }
  log.warn({ type: String(event.type) }, "not a storage or Pub/Sub event; ignored");
  return { action: "ignored", reason: `event type "${String(event.type)}" is not handled` };
}

function finish(report: SweepReport, log: SweepDeps["logger"]): LoadRawOutcome {
  if (report.status === "skipped") {
    log.debug({ reason: report.reason, since: report.since }, "sweep skipped");
  } else if (report.status === "incomplete") {
    throw new SweepIncompleteError(
      `${report.pending} raw files are still waiting after retries: ${report.problems.join("; ")}`,
    );
  }
  return { action: "swept", report };
}

/** The handler as the functions-framework registers it; `deps` is built on first use. */
export function createLoadRawHandler(
  deps: () => LoadRawDeps,
): (event: CloudEvent<unknown>) => Promise<void> {
  return async (event) => {
    await handleLoadRawEvent(deps(), event);
  };
}

/** Every (source, stream) of the registered sources: what a recent sweep lists. */
export function rawStreamsOf(
  sources: readonly Pick<WebhookSource | PullSource, "name" | "streams">[],
): RawStream[] {
  // A stream both pushed and pulled (Shopify orders by webhook and by backfill) is listed once.
  const seen = new Set<string>();
  return sources.flatMap((s) =>
    Object.keys(s.streams)
      .filter((stream) => !seen.has(`${s.name}/${stream}`) && seen.add(`${s.name}/${stream}`))
      .map((stream) => ({ source: s.name, stream })),
  );
}

/** Settings a deployment may change (docs/operations.md); everything else is `CLOUD_SWEEP`. */
export const LoadEnvSchema = z.object({
  UNISTACK_LOAD_LOOKBACK_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(31)
    .default(CLOUD_SWEEP.lookbackDays),
  UNISTACK_LOAD_MIN_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(CLOUD_SWEEP.minIntervalMs / 1000),
  UNISTACK_LOAD_JOBS_PER_TABLE_PER_DAY: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_500)
    .default(CLOUD_SWEEP.jobsPerTablePerDay),
});

export function loadSweepConfig(env: Readonly<Record<string, string | undefined>>): SweepConfig {
  const parsed = LoadEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `invalid loader environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  return {
    ...CLOUD_SWEEP,
    lookbackDays: parsed.data.UNISTACK_LOAD_LOOKBACK_DAYS,
    minIntervalMs: parsed.data.UNISTACK_LOAD_MIN_INTERVAL_SECONDS * 1000,
    jobsPerTablePerDay: parsed.data.UNISTACK_LOAD_JOBS_PER_TABLE_PER_DAY,
  };
}
