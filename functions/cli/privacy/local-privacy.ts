import { ACTIVATE_META_TOPIC } from "../../core/activation/batches.js";
import type { ErasureDeps } from "../../core/privacy/erasure.js";
import { LAKE_PREFIXES } from "../../core/privacy/lake-prefixes.js";
import { WAREHOUSE_TABLES } from "../../core/privacy/warehouse-tables.js";
import { settleDeadLetteredActivation } from "../../handlers/activation-dead-letters.js";
import { recentPurchasersToMeta } from "../../handlers/configured-syncs.js";
import { planActivation } from "../../handlers/plan-activation.js";
import { localSweeper } from "../../platform/local/local-lease.js";
import { localPrivacySalt } from "../../platform/local/privacy-salt.js";
import type { Logger } from "../../platform/logger.js";
import { SOURCE_CATALOG } from "../../sources/registry.js";
import { sweepLocalLake, sweepProblem } from "../commands/load.js";
import { type DemoContext, openDemo } from "../demo/demo-context.js";
import { readDemoState } from "../demo/demo-state.js";

export interface LocalPrivacy {
  readonly deps: ErasureDeps;
  readonly ctx: DemoContext;
  close(): Promise<void>;
}

/**
 * A local deployment (the folder `unistack demo` fills) opened for privacy work: its lake,
 * warehouse, bus, Meta sandbox and activate-meta subscription, under the folder's lock. Removals
 * go through the same planner and activate-meta the demo runs.
 */
export async function openLocalPrivacy(options: {
  readonly dir: string;
  readonly projectDir: string;
  readonly logger?: Logger;
}): Promise<LocalPrivacy> {
  const state = await readDemoState(options.dir);
  if (!state) {
    throw new Error(
      `${options.dir} holds no local deployment (no demo-state.json): run \`unistack demo --dir ${options.dir}\` first, or pass the folder it used with --dir`,
    );
  }
  const ctx = await openDemo({
    dir: options.dir,
    contacts: state.contacts,
    seed: state.seed,
    fresh: false,
    concurrency: 1,
    projectDir: options.projectDir,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const { platform } = ctx;
  const deps: ErasureDeps = {
    store: platform.store,
    warehouse: platform.warehouse,
    logger: platform.logger,
    clock: platform.clock,
    salt: await localPrivacySalt(options.dir),
    catalogs: SOURCE_CATALOG,
    tables: WAREHOUSE_TABLES,
    prefixes: LAKE_PREFIXES,
    lease: localSweeper(),
    async requestRemovals() {
      await planActivation(platform, recentPurchasersToMeta(state.metaAudienceId));
      await platform.bus.drain();
      for (const letter of platform.bus.deadLetters) {
        if (letter.channel !== ACTIVATE_META_TOPIC) continue;
        await settleDeadLetteredActivation(platform, letter.event, letter.error);
      }
    },
    async reload() {
      const report = await sweepLocalLake(platform);
      const problem = sweepProblem(report);
      if (problem) throw new Error(`reloading the rewritten raw files: ${problem}`);
    },
  };
  return { deps, ctx, close: () => ctx.close() };
}
