import { join } from "node:path";
import { createMetaClient, type MetaAudienceClient } from "../../destinations/meta/client.js";
import { type MetaSandbox, startMetaSandbox } from "../../destinations/meta/sandbox.js";
import type { Logger } from "../../platform/logger.js";
import type { CrashHook } from "./crash-points.js";

/** Failures the demo can rehearse at the destination (`--rehearse-failure`). */
export const REHEARSALS = ["meta-rate-limit", "meta-outage", "meta-bad-token"] as const;
export type Rehearsal = (typeof REHEARSALS)[number];

/**
 * The Meta client's budget in the demo: the sandbox is on loopback, so a failure is either a
 * rehearsed outage or a bug. Short waits keep a rehearsal under a minute; a `Retry-After` up to
 * 5 s is honoured as sent.
 */
const DEMO_META_RETRY = {
  retries: 2,
  minTimeoutMs: 200,
  maxTimeoutMs: 2_000,
  maxRetryAfterMs: 5_000,
};

export interface DemoMeta {
  readonly sandbox: MetaSandbox;
  readonly meta: MetaAudienceClient;
  readonly statePath: string;
}

/**
 * The demo's Meta: the sandbox with its audience kept in `<dir>/sandbox/meta-audiences.json`
 * (on disk before it answers, so it survives a `kill -9` like Meta's own state would), and the
 * real client pointed at it, failing the rehearsed way when asked to.
 */
export async function startDemoMeta(input: {
  dir: string;
  audienceId: string;
  logger: Logger;
  rehearse: Rehearsal | undefined;
  crashPoint: CrashHook;
}): Promise<DemoMeta> {
  const statePath = join(input.dir, "sandbox", "meta-audiences.json");
  const sandbox = await startMetaSandbox({ statePath, audiences: [input.audienceId] });
  if (input.rehearse === "meta-rate-limit") {
    sandbox.failAlways({ kind: "rate_limit", code: 17, status: 429, retryAfterSeconds: 1 });
  } else if (input.rehearse === "meta-outage") {
    sandbox.failAlways({ kind: "server_error", status: 503 });
  }
  const client = createMetaClient({
    accessToken: input.rehearse === "meta-bad-token" ? "revoked-token" : sandbox.accessToken,
    baseUrl: sandbox.baseUrl,
    logger: input.logger,
    retry: DEMO_META_RETRY,
  });
  const meta: MetaAudienceClient = {
    async send(...args) {
      const results = await client.send(...args);
      input.crashPoint("sent");
      return results;
    },
  };
  return { sandbox, meta, statePath };
}
