import {
  applyRetention,
  RETENTION_DEFAULTS,
  type Retention,
} from "../../core/privacy/retention.js";
import { createLocalPlatform } from "../../platform/local/local-platform.js";
import { SOURCE_CATALOG } from "../../sources/registry.js";
import { acquireStateLock } from "../demo/state-lock.js";
import { EXIT } from "../options.js";

export interface RetentionFlags extends Partial<Retention> {
  readonly dir: string;
}

/**
 * `unistack retention`: applies the retention policy to the local deployment, as the cloud's
 * lake lifecycle rules and raw partition expiration do (docs/privacy.md, retention). Prints
 * what it deleted, counts only.
 */
export async function retentionCommand(flags: RetentionFlags): Promise<number> {
  const policy: Retention = {
    rawDays: flags.rawDays ?? RETENTION_DEFAULTS.rawDays,
    quarantineDays: flags.quarantineDays ?? RETENTION_DEFAULTS.quarantineDays,
    activationDays: flags.activationDays ?? RETENTION_DEFAULTS.activationDays,
    exportsDays: flags.exportsDays ?? RETENTION_DEFAULTS.exportsDays,
  };
  const lock = await acquireStateLock(flags.dir, { command: "unistack retention" });
  try {
    const platform = await createLocalPlatform({ dir: flags.dir });
    try {
      const streams = SOURCE_CATALOG.flatMap((c) =>
        Object.keys(c.streams).map((stream) => ({ source: c.source, stream })),
      );
      const result = await applyRetention(platform, { policy, streams });
      for (const [prefix, n] of Object.entries(result.objects)) {
        console.log(`  lake ${prefix.padEnd(18)} ${n} objects deleted`);
      }
      const rows = Object.values(result.rows).reduce((a, b) => a + b, 0);
      console.log(`  raw tables          ${rows} rows older than ${policy.rawDays} days deleted`);
      return EXIT.ok;
    } finally {
      await platform.close();
    }
  } finally {
    await lock.release();
  }
}
