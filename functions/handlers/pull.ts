import { z } from "zod";
import { PullIncompleteError } from "../core/pull/errors.js";
import { type PullDeps, type PullOutcome, runPull } from "../core/pull/run-pull.js";
import type { PullSource } from "../core/pull/source.js";
import { safeError } from "../core/safe-error.js";
import {
  type CloudEvent,
  decodePubsubJson,
  PUBSUB_PUBLISHED_TYPE,
} from "../platform/cloudevents.js";
import type { Secrets } from "../platform/ports.js";
import { type Connection, connectionSecrets, connectionsOf } from "../sources/connections.js";

/**
 * The `pull` function: a Cloud Scheduler job per (source, stream) publishes
 * `{"source": "hubspot", "stream": "contacts"}` (optionally `"connection"` and `"since"`) on the
 * `pull` topic; this pulls that stream for each connection of the source (or the one named).
 * A run stops starting pages at its time budget and the next scheduled run goes on. A pull that
 * cannot finish is thrown after the others ran, so Pub/Sub redelivers and the error alert fires.
 */
export const PullMessageSchema = z.strictObject({
  source: z.string().regex(/^[a-z0-9_]+$/),
  stream: z.string().regex(/^[a-z0-9_]+$/),
  connection: z.string().optional(),
  since: z.iso.datetime({ offset: true }).optional(),
});
export type PullMessage = z.infer<typeof PullMessageSchema>;

export type PullHandlerDeps = PullDeps & {
  readonly sources: ReadonlyMap<string, PullSource>;
  readonly connections: readonly Connection[];
  readonly secrets: Secrets;
  /** How long one invocation may keep starting pages (below the function's timeout). */
  readonly budgetMs: number;
};

export type PullHandlerOutcome =
  | { readonly action: "ignored"; readonly reason: string }
  | {
      readonly action: "pulled";
      readonly runs: readonly (PullOutcome & { readonly connection: string })[];
    };

/** Thrown when at least one connection's pull could not finish (after all were tried). */
export class PullFailedError extends Error {
  override readonly name = "PullFailedError";
}

export async function handlePullEvent(
  deps: PullHandlerDeps,
  event: CloudEvent<unknown>,
): Promise<PullHandlerOutcome> {
  const log = deps.logger.child({ eventId: event.id });
  if (event.type !== PUBSUB_PUBLISHED_TYPE) {
    log.error({ type: event.type }, "pull got an event that is not a Pub/Sub message; ignored");
    return { action: "ignored", reason: "not a Pub/Sub message" };
  }
  const parsed = PullMessageSchema.safeParse(decodePubsubJson(event).data);
  // A malformed or unknown message is a configuration error: redelivering it for a day would
  // change nothing, so it is logged at ERROR (the alert) and acknowledged.
  if (!parsed.success) {
    log.error(
      'pull message is not {"source","stream"[,"connection","since"]}; check the scheduler job',
    );
    return { action: "ignored", reason: "not a pull message" };
  }
  const message = parsed.data;
  const source = deps.sources.get(message.source);
  if (!source?.streams[message.stream]) {
    log.error(
      { source: message.source, stream: message.stream },
      "no such pulled stream; check the scheduler job",
    );
    return { action: "ignored", reason: "unknown source or stream" };
  }
  const connections = connectionsOf(deps.connections, source.name).filter(
    (c) => message.connection === undefined || c.id === message.connection,
  );
  if (connections.length === 0) {
    log.error({ source: source.name }, "no such connection configured; check UNISTACK_CONNECTIONS");
    return { action: "ignored", reason: "unknown connection" };
  }
  const deadline = new Date(deps.clock.now().getTime() + deps.budgetMs);
  const runs: (PullOutcome & { connection: string })[] = [];
  const failed: string[] = [];
  for (const connection of connections) {
    try {
      const outcome = await runPull(deps, {
        source,
        connection: {
          id: connection.id,
          businessUnit: connection.businessUnit,
          settings: connection.settings,
          secrets: connectionSecrets(deps.secrets, connection),
        },
        stream: message.stream,
        deadline,
        ...(message.since ? { since: message.since } : {}),
      });
      runs.push({ ...outcome, connection: connection.id });
    } catch (error) {
      if (!(error instanceof PullIncompleteError)) {
        log.error({ err: safeError(error), connection: connection.id }, "pull failed");
      }
      failed.push(
        error instanceof PullIncompleteError
          ? error.message
          : `${connection.id}: ${(error as Error).name}`,
      );
    }
  }
  if (failed.length > 0) throw new PullFailedError(failed.join(" | "));
  return { action: "pulled", runs };
}

/** `UNISTACK_PULL_BUDGET_SECONDS` (default 420: below the 540 s function timeout). */
export function pullBudgetMs(env: Readonly<Record<string, string | undefined>>): number {
  const value = env.UNISTACK_PULL_BUDGET_SECONDS;
  const seconds = value === undefined || value === "" ? 420 : Number(value);
  if (!Number.isInteger(seconds) || seconds < 10 || seconds > 3300) {
    throw new Error(
      "UNISTACK_PULL_BUDGET_SECONDS must be a whole number of seconds from 10 to 3300",
    );
  }
  return seconds * 1000;
}
