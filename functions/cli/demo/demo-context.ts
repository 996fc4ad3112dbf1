import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { ACTIVATE_META_TOPIC } from "../../core/activation/batches.js";
import { PRIVACY_SALT_ENV } from "../../core/privacy/suppression-source.js";
import type { MetaSandbox } from "../../destinations/meta/sandbox.js";
import type { ActivationOutcome } from "../../handlers/activate-meta.js";
import { activateMeta } from "../../handlers/activate-meta.js";
import { createLocalPlatform, type LocalPlatform } from "../../platform/local/local-platform.js";
import { localPrivacySalt } from "../../platform/local/privacy-salt.js";
import { createSilentLogger, type Logger } from "../../platform/logger.js";
import { type CrashHook, crashHookFromEnv } from "./crash-points.js";
import { type Rehearsal, startDemoMeta } from "./demo-meta.js";
import {
  type DemoState,
  readDemoState,
  removeLeftovers,
  wipeDemoDir,
  writeDemoState,
} from "./demo-state.js";
import type { DemoSigningKeys } from "./send-deliveries.js";
import { acquireStateLock, type StateLock } from "./state-lock.js";
import { generateSendgridKeyPair } from "./synthetic/sign-sendgrid.js";

/** The local bus delivers a message at most 5 times (its default `maxDeliveryAttempts`). */
const DEMO_DELIVERY_ATTEMPTS = 5;

export interface DemoOptions {
  /** Folder for the lake, the DuckDB file and the sandbox's audience state. */
  readonly dir: string;
  readonly contacts: number;
  readonly seed: number;
  /** Start from nothing instead of continuing the previous run. */
  readonly fresh: boolean;
  /** Concurrent webhook requests. */
  readonly concurrency: number;
  readonly logger?: Logger;
  readonly projectDir: string;
  /** Make the Meta sandbox fail every call this way, to see what a failed sync looks like. */
  readonly rehearse?: Rehearsal;
  /** Where the process kills itself for the crash test (default: `UNISTACK_CRASH_AT`). */
  readonly crashPoint?: CrashHook;
}

/** Everything the stages share: the running platform, servers, keys and what each stage found. */
export interface DemoContext {
  readonly options: DemoOptions;
  readonly state: DemoState;
  readonly run: number;
  readonly platform: LocalPlatform;
  readonly sandbox: MetaSandbox;
  readonly keys: DemoSigningKeys;
  readonly activations: ActivationOutcome[];
  readonly results: Record<string, unknown>;
  readonly crashPoint: CrashHook;
  /** What this run found left by a killed one: the stale lock's pid, temp files removed. */
  readonly recovered: { readonly staleLockOf: number | undefined; readonly leftovers: number };
  /**
   * Records the run as done. Only a finished run counts: a failed one is run again as the same
   * run, and its deliveries, already landed or not, land once.
   */
  commit(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the local platform for one demo run and wires the triggers the cloud wires: a message on
 * `activate-meta` → activate-meta (which calls the Meta sandbox on loopback). Loading is the load
 * stage's sweep of the lake, the same use case the cloud's load-raw runs.
 */
export async function openDemo(options: DemoOptions): Promise<DemoContext> {
  const dir = resolve(options.dir);
  const lock = await acquireStateLock(dir, { command: "unistack demo" });
  try {
    return await openLocked(options, dir, lock);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function openLocked(
  options: DemoOptions,
  dir: string,
  lock: StateLock,
): Promise<DemoContext> {
  if (options.fresh) await wipeDemoDir(dir);
  await mkdir(dir, { recursive: true });
  const leftovers = await removeLeftovers(dir);
  // The scenario's anchor and audience are fixed the first time, before anything lands, so a
  // run that fails is re-run with the very same deliveries.
  let done = await readDemoState(dir);
  if (!done) {
    done = {
      version: 1,
      seed: options.seed,
      contacts: options.contacts,
      anchor: new Date().toISOString(),
      runs: 0,
      metaAudienceId: "23850000000000001",
    };
    await writeDemoState(dir, done);
  }
  const state: DemoState = { ...done, runs: done.runs + 1 };

  const keys = {
    shopifySecret: randomBytes(32).toString("hex"),
    zoomSecret: randomBytes(24).toString("hex"),
    ...sendgridKeys(),
  };
  const logger = options.logger ?? createSilentLogger();
  const platform = await createLocalPlatform({
    dir,
    logger,
    env: {
      ...process.env,
      SHOPIFY_WEBHOOK_SECRET: keys.shopifySecret,
      SENDGRID_WEBHOOK_PUBLIC_KEY: keys.sendgridPublicKey,
      // Ingest checks deliveries against the suppression list of erased people with it.
      [PRIVACY_SALT_ENV]: await localPrivacySalt(dir),
      ZOOM_WEBHOOK_SECRET_TOKEN: keys.zoomSecret,
    },
  });
  const crashPoint = options.crashPoint ?? crashHookFromEnv();
  const { sandbox, meta } = await startDemoMeta({
    dir,
    audienceId: state.metaAudienceId,
    logger,
    rehearse: options.rehearse,
    crashPoint,
  });
  const activations: ActivationOutcome[] = [];
  const { store, warehouse, bus, clock } = platform;
  bus.subscribe(ACTIVATE_META_TOPIC, async (event) => {
    activations.push(
      await activateMeta(
        {
          warehouse,
          store,
          meta,
          logger,
          clock,
          audienceId: state.metaAudienceId,
          maxDeliveries: DEMO_DELIVERY_ATTEMPTS,
        },
        event,
      ),
    );
    crashPoint("settled");
  });

  return {
    options,
    state,
    run: state.runs,
    platform,
    sandbox,
    keys: {
      shopifySecret: keys.shopifySecret,
      sendgridPrivateKeyPem: keys.sendgridPrivateKeyPem,
      zoomSecret: keys.zoomSecret,
    },
    activations,
    results: {},
    crashPoint,
    commit: () => writeDemoState(dir, state),
    recovered: { staleLockOf: lock.tookOverFrom, leftovers },
    async close() {
      try {
        await platform.close();
        await sandbox.close();
      } finally {
        await lock.release();
      }
    },
  };
}

function sendgridKeys(): { sendgridPrivateKeyPem: string; sendgridPublicKey: string } {
  const pair = generateSendgridKeyPair();
  return { sendgridPrivateKeyPem: pair.privateKeyPem, sendgridPublicKey: pair.publicKeyBase64 };
}
