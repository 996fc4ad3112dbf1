import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { RawStream } from "../core/loading/scope.js";
import { sweepRawLoads } from "../core/loading/sweep.js";
import { CLOUD_SWEEP } from "../core/loading/sweep-config.js";
import type { ErasureDeps } from "../core/privacy/erasure.js";
import { LAKE_PREFIXES } from "../core/privacy/lake-prefixes.js";
import { SaltSchema } from "../core/privacy/salted-key.js";
import { PRIVACY_SALT_ENV } from "../core/privacy/suppression-source.js";
import { WAREHOUSE_TABLES } from "../core/privacy/warehouse-tables.js";
import type { GcpPlatform } from "../platform/gcp/gcp-platform.js";
import { SOURCE_CATALOG } from "../sources/registry.js";
import { configuredSyncs } from "./configured-syncs.js";
import { planActivation } from "./plan-activation.js";

/**
 * The erasure's dependencies in the cloud: the GCP adapters, every declaration, the salt from
 * Secret Manager (mounted as UNISTACK_PRIVACY_SALT), removals through plan-activation for every
 * configured sync (its activate-* functions send them; the erasure waits for the snapshot and the
 * scheduled sweep continues it), and the rewritten raw objects loaded by the loader's own sweep,
 * run here under the same lease so the erasure knows they are loaded before it moves on.
 */
export function cloudErasureDeps(
  platform: GcpPlatform,
  env: Readonly<Record<string, string | undefined>>,
  rawStreams: readonly RawStream[],
): ErasureDeps {
  const salt = SaltSchema.safeParse(platform.secrets.get(PRIVACY_SALT_ENV));
  if (!salt.success) {
    throw new Error(
      `${PRIVACY_SALT_ENV} is not set to the privacy salt (64 hex characters, secret unistack-privacy-salt): set it (docs/privacy.md)`,
    );
  }
  const { store, warehouse, logger, clock } = platform;
  const holder = {
    holder: `privacy/${env.K_REVISION ?? "privacy-requests"}/${randomUUID()}`,
    host: hostname(),
  };
  return {
    store,
    warehouse,
    logger,
    clock,
    salt: salt.data,
    catalogs: SOURCE_CATALOG,
    tables: WAREHOUSE_TABLES,
    prefixes: LAKE_PREFIXES,
    lease: { holder },
    async requestRemovals(erasureId) {
      for (const sync of configuredSyncs(env)) {
        const plan = await planActivation(platform, sync);
        logger.info(
          { erasureId, syncId: plan.syncId, runId: plan.runId, status: plan.status },
          "erasure: removal planned",
        );
      }
    },
    async reload() {
      const report = await sweepRawLoads(
        {
          store,
          warehouse,
          logger,
          clock,
          bucket: platform.env.UNISTACK_LAKE_BUCKET,
          uriOf: (key) => store.uriOf(key),
          streams: rawStreams,
          holder,
        },
        { trigger: "manual", scope: { kind: "all" }, debounce: false },
        CLOUD_SWEEP,
      );
      if (report.status === "skipped" || report.failed.length > 0 || report.status !== "complete") {
        // Thrown, so the message is redelivered and the erasure continues where it stopped.
        throw new Error(
          `reloading the rewritten raw files did not finish (${report.status}): the erasure continues on redelivery`,
        );
      }
    },
  };
}
