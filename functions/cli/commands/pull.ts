import { identifierPathsOf } from "../../core/privacy/catalog-streams.js";
import {
  createStoredSuppression,
  PRIVACY_SALT_ENV,
} from "../../core/privacy/suppression-source.js";
import { PullIncompleteError } from "../../core/pull/errors.js";
import { runPull } from "../../core/pull/run-pull.js";
import { createEnvSecrets } from "../../platform/env-secrets.js";
import { createLocalPlatform } from "../../platform/local/local-platform.js";
import { localPrivacySalt } from "../../platform/local/privacy-salt.js";
import { connectionsOf, loadConnections } from "../../sources/connections.js";
import { pullSources } from "../../sources/pull-registry.js";
import { SOURCE_CATALOG } from "../../sources/registry.js";
import { SOURCE_NAMES } from "../../sources/source-names.js";
import { acquireStateLock } from "../demo/state-lock.js";
import { EXIT } from "../options.js";
import { describeSweep, sweepLocalLake, sweepProblem } from "./load.js";
import { PULL_SANDBOXES } from "./pull-sandboxes.js";

export interface PullFlags {
  readonly dir: string;
  readonly stream?: string;
  readonly connection?: string;
  readonly since?: string;
  readonly contacts: number;
  readonly seed: number;
}

/**
 * `unistack pull <source>`: pulls every stream (or `--stream`) of every connection of the source
 * (or `--connection`) from the vendor's local sandbox into the local lake, then loads the raw
 * tables. Exit 1 when a pull could not finish (its position is kept: run it again), 2 for an
 * unknown source or stream.
 */
export async function pullCommand(sourceName: string, flags: PullFlags): Promise<number> {
  const source = pullSources.get(sourceName);
  const startSandbox = PULL_SANDBOXES[sourceName];
  if (!source || !startSandbox) {
    const known = [...pullSources.keys()].filter((s) => PULL_SANDBOXES[s]).join(", ");
    console.error(`unistack pull: no local sandbox for "${sourceName}" (pulled sources: ${known})`);
    return EXIT.usage;
  }
  const streams = flags.stream ? [flags.stream] : Object.keys(source.streams);
  if (flags.stream && !source.streams[flags.stream]) {
    console.error(
      `unistack pull: ${sourceName} has no stream "${flags.stream}" (streams: ${Object.keys(source.streams).join(", ")})`,
    );
    return EXIT.usage;
  }
  const connections = connectionsOf(loadConnections(process.env, SOURCE_NAMES), sourceName).filter(
    (c) => !flags.connection || c.id === flags.connection,
  );
  if (connections.length === 0) {
    console.error(
      `unistack pull: no connection "${flags.connection}" of ${sourceName} in UNISTACK_CONNECTIONS`,
    );
    return EXIT.usage;
  }
  const lock = await acquireStateLock(flags.dir, { command: `unistack pull ${sourceName}` });
  const platform = await createLocalPlatform({ dir: flags.dir }).catch(async (error: unknown) => {
    await lock.release();
    throw error;
  });
  const failures: string[] = [];
  try {
    // Erased people stay out of pulled pages as they stay out of webhooks (docs/privacy.md).
    const suppression = createStoredSuppression({
      store: platform.store,
      secrets: createEnvSecrets({ [PRIVACY_SALT_ENV]: await localPrivacySalt(flags.dir) }),
      clock: platform.clock,
      logger: platform.logger,
      identifiersOf: identifierPathsOf(SOURCE_CATALOG),
    });
    for (const connection of connections) {
      // One sandbox per connection: two portals are two accounts with their own data.
      const sandbox = await startSandbox({
        contacts: flags.contacts,
        seed: flags.seed,
        now: platform.clock.now(),
      });
      try {
        for (const stream of streams) {
          const label = `${sourceName}/${connection.id}/${stream}`;
          try {
            const outcome = await runPull(
              {
                store: platform.store,
                clock: platform.clock,
                logger: platform.logger,
                warehouse: platform.warehouse,
                fetch: globalThis.fetch,
                sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
                suppression,
              },
              {
                source,
                connection: {
                  id: connection.id,
                  businessUnit: connection.businessUnit,
                  settings: { ...connection.settings, ...sandbox.settings },
                  secrets: createEnvSecrets(sandbox.env),
                },
                stream,
                ...(flags.since ? { since: flags.since } : {}),
              },
            );
            const w = outcome.window;
            const range = w
              ? ` (changes from ${w.from} to ${w.to}${outcome.resumed ? ", resumed" : ""})`
              : "";
            console.log(
              `${label}: ${outcome.status.replace("_", " ")}, ${outcome.records.toLocaleString("en")} records in ${outcome.pages} page${outcome.pages === 1 ? "" : "s"}${outcome.quarantined ? `, ${outcome.quarantined} quarantined` : ""}${range}`,
            );
          } catch (error) {
            if (!(error instanceof PullIncompleteError)) throw error;
            console.error(`unistack pull: ${error.message}`);
            failures.push(label);
          }
        }
      } finally {
        await sandbox.close();
      }
    }
    const report = await sweepLocalLake(platform);
    if (report.status !== "skipped") console.log(`raw tables: ${describeSweep(report)}`);
    const problem = sweepProblem(report);
    if (problem) console.error(`unistack pull: ${problem}`);
    return failures.length > 0 || problem ? EXIT.failed : EXIT.ok;
  } finally {
    await platform.close();
    await lock.release();
  }
}
