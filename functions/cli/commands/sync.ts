import { ACTIVATE_META_TOPIC } from "../../core/activation/batches.js";
import type { SyncConfig } from "../../core/activation/sync-config.js";
import { settleDeadLetteredActivation } from "../../handlers/activation-dead-letters.js";
import { planActivation } from "../../handlers/plan-activation.js";
import { activationReport, describeActivation } from "../demo/activation-report.js";
import { type DemoContext, openDemo } from "../demo/demo-context.js";
import { readDemoState } from "../demo/demo-state.js";
import { EXIT } from "../options.js";
import { dryRunView, formatDryRun } from "../syncs/describe-plan.js";
import { localSyncs, notSendableLocally, selectSyncs } from "../syncs/local-syncs.js";

export interface SyncFlags {
  readonly dir: string;
  readonly project: string;
  readonly dryRun: boolean;
  readonly sync?: string;
  readonly json: boolean;
}

/**
 * `unistack sync`: plans every configured sync of the local deployment (or `--sync ID`) against
 * its last accepted snapshot. With `--dry-run` it prints each plan (counts and a masked sample)
 * and sends, publishes and records nothing; without it the plan is published and delivered to
 * the sandbox, and the outcome read back from ops. Exit 0, or 4 when a destination did not take
 * every change (docs/operations.md, "Exit codes").
 */
export async function syncCommand(
  flags: SyncFlags,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  const state = await readDemoState(flags.dir);
  if (!state) {
    console.error(
      `${flags.dir} holds no local deployment (no demo-state.json): run \`unistack demo --dir ${flags.dir}\` first, or pass its folder with --dir`,
    );
    return EXIT.failed;
  }
  let syncs: SyncConfig[];
  try {
    syncs = selectSyncs(localSyncs(state, env), flags.sync);
  } catch (error) {
    console.error(`unistack sync: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.usage;
  }
  if (!flags.dryRun) {
    const refused = syncs.map((s) => notSendableLocally(s, state)).filter((r) => r !== undefined);
    if (refused.length > 0) {
      for (const why of refused) console.error(`unistack sync: ${why}`);
      return EXIT.usage;
    }
  }
  const ctx = await openDemo({
    dir: flags.dir,
    contacts: state.contacts,
    seed: state.seed,
    fresh: false,
    concurrency: 1,
    projectDir: flags.project,
  });
  try {
    return flags.dryRun
      ? await dryRun(ctx, syncs, flags.json)
      : await realRun(ctx, syncs, flags.json);
  } finally {
    await ctx.close();
  }
}

async function dryRun(ctx: DemoContext, syncs: readonly SyncConfig[], json: boolean) {
  const views = [];
  for (const sync of syncs) {
    views.push(dryRunView(sync, await planActivation(ctx.platform, sync, { dryRun: true })));
  }
  if (json) {
    console.log(JSON.stringify({ dryRun: true, syncs: views }, null, 2));
  } else {
    for (const view of views) console.log(formatDryRun(view).join("\n"));
    console.log("dry run: nothing was sent, published or recorded");
  }
  return EXIT.ok;
}

async function realRun(ctx: DemoContext, syncs: readonly SyncConfig[], json: boolean) {
  const { platform } = ctx;
  const results = [];
  let incomplete = false;
  let lettersSeen = 0;
  for (const sync of syncs) {
    const plan = await planActivation(platform, sync);
    await platform.bus.drain();
    let deadLetters = 0;
    const letters = platform.bus.deadLetters.slice(lettersSeen);
    lettersSeen = platform.bus.deadLetters.length;
    for (const letter of letters) {
      if (letter.channel !== ACTIVATE_META_TOPIC) continue;
      deadLetters++;
      await settleDeadLetteredActivation(platform, letter.event, letter.error);
    }
    const report = await activationReport(platform.warehouse, plan, deadLetters);
    if (report.problems.length > 0) incomplete = true;
    results.push({ sync, plan, report });
  }
  if (json) {
    const syncsOut = results.map(({ sync, plan, report }) => ({
      ...dryRunView(sync, plan),
      runId: plan.runId,
      status: plan.status,
      batches: plan.batches.length,
      runs: report.runs,
      problems: report.problems,
    }));
    console.log(JSON.stringify({ dryRun: false, syncs: syncsOut }, null, 2));
  } else {
    for (const { plan, report } of results) {
      console.log(
        `${plan.syncId} → ${plan.destination} ${plan.audienceId}: ${describeActivation(report)}`,
      );
      for (const run of report.runs) {
        console.log(
          `  run ${run.runId}${run.resumed ? " (resumed)" : ""}: ${run.status}, ${run.acceptedAdds} adds and ${run.acceptedRemoves} removes accepted${run.reason ? ` (${run.reason})` : ""}`,
        );
      }
      for (const problem of report.problems) console.error(`  ${problem}`);
    }
  }
  if (incomplete) {
    console.error(
      "unistack sync: a destination did not take every change; the rows stay in the next run's diff. See `unistack syncs` and ops.sync_rejections, fix the cause, run `unistack sync` again",
    );
    return EXIT.activationIncomplete;
  }
  return EXIT.ok;
}
