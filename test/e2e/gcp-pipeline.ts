import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { sendDeliveries } from "../../functions/cli/demo/send-deliveries.js";
import type { SyntheticDelivery } from "../../functions/cli/demo/synthetic/generate.js";
import { generateSendgridKeyPair } from "../../functions/cli/demo/synthetic/sign-sendgrid.js";
import { ACTIVATE_META_TOPIC } from "../../functions/core/activation/batches.js";
import { type SweepReport, sweepRawLoads } from "../../functions/core/loading/sweep.js";
import { LOCAL_SWEEP } from "../../functions/core/loading/sweep-config.js";
import type { CompiledGraph } from "../../functions/dataform/compiled-graph.js";
import { targetKey } from "../../functions/dataform/compiled-graph.js";
import { compileProject, rawTableSpecs, runBigQueryGraph } from "../../functions/dataform/index.js";
import type { GraphRunResult } from "../../functions/dataform/run-duckdb.js";
import { createMetaClient } from "../../functions/destinations/meta/client.js";
import { startMetaSandbox } from "../../functions/destinations/meta/sandbox.js";
import { type ActivationOutcome, activateMeta } from "../../functions/handlers/activate-meta.js";
import { recentPurchasersToMeta } from "../../functions/handlers/configured-syncs.js";
import { startIngestServer } from "../../functions/handlers/ingest-server.js";
import { rawStreamsOf } from "../../functions/handlers/load-raw.js";
import { type ActivationPlan, planActivation } from "../../functions/handlers/plan-activation.js";
import { createEnvSecrets } from "../../functions/platform/env-secrets.js";
import { createBigQueryWarehouse } from "../../functions/platform/gcp/bigquery-warehouse.js";
import { createGcsObjectStore } from "../../functions/platform/gcp/gcs-object-store.js";
import { createLocalEventBus } from "../../functions/platform/local/local-event-bus.js";
import { createSilentLogger } from "../../functions/platform/logger.js";
import { systemClock } from "../../functions/platform/ports.js";
import { WEBHOOK_SOURCES } from "../../functions/sources/registry.js";
import type { BigQueryEmulators } from "../support/bigquery-emulator.js";

export interface GcpRun {
  readonly accepted: number;
  readonly load: SweepReport;
  readonly graph: GraphRunResult;
  readonly plan: ActivationPlan;
  readonly activations: readonly ActivationOutcome[];
  /** Hashes the Meta sandbox holds in the audience after the run, sorted. */
  readonly audience: readonly string[];
}

/**
 * The demo's pipeline with the GCP adapters in place of the local ones: the ingest service (our
 * HTTP server) lands signed webhooks in GCS (fake-gcs), the loader's sweep loads them with load
 * jobs from `gs://` (the BigQuery emulator), the graph compiled for BigQuery runs on the
 * emulator, plan-activation reads the segment there and activate-meta sends to the Meta sandbox.
 * Only the event bus is the in-process one: Pub/Sub has its own contract suite.
 */
export async function runGcpPipeline(options: {
  readonly emulators: BigQueryEmulators;
  readonly deliveries: readonly SyntheticDelivery[];
  readonly projectDir: string;
  readonly sandboxDir: string;
  readonly audienceId: string;
}): Promise<GcpRun> {
  const { emulators: e } = options;
  const logger = createSilentLogger();
  const clock = systemClock;
  const store = createGcsObjectStore({ storage: e.storage, bucket: e.bucket });
  const warehouse = createBigQueryWarehouse({ bigquery: e.bigquery, location: "EU" });
  const sendgrid = generateSendgridKeyPair();
  const keys = {
    shopifySecret: randomBytes(32).toString("hex"),
    sendgridPrivateKeyPem: sendgrid.privateKeyPem,
    zoomSecret: randomBytes(24).toString("hex"),
  };
  const secrets = createEnvSecrets({
    SHOPIFY_WEBHOOK_SECRET: keys.shopifySecret,
    SENDGRID_WEBHOOK_PUBLIC_KEY: sendgrid.publicKeyBase64,
    ZOOM_WEBHOOK_SECRET_TOKEN: keys.zoomSecret,
  });

  const server = await startIngestServer({ deps: { store, secrets, clock, logger } });
  let accepted = 0;
  try {
    const tally = await sendDeliveries(server.url, options.deliveries, keys, {
      concurrency: 4,
      nowSeconds: () => Math.floor(clock.now().getTime() / 1000),
    });
    accepted = Object.values(tally).reduce((n, t) => n + t.accepted, 0);
  } finally {
    await server.close();
  }

  const load = await sweepRawLoads(
    {
      store,
      warehouse,
      logger,
      clock,
      bucket: e.bucket,
      uriOf: (key) => `gs://${e.bucket}/${key}`,
      streams: rawStreamsOf(WEBHOOK_SOURCES),
      holder: { holder: "gcp-e2e", host: "emulators", pid: process.pid },
    },
    { trigger: "manual", scope: { kind: "all" }, debounce: false },
    LOCAL_SWEEP,
  );

  const graph = martsSubgraph(
    await compileProject({
      projectDir: options.projectDir,
      target: "bigquery",
      defaultProject: e.project,
      // No GA4 property is linked to the emulator's project.
      vars: { ga4_dataset: "" },
    }),
  );
  for (const spec of rawTableSpecs(graph)) await warehouse.ensureTable(spec);
  const run = await runBigQueryGraph(warehouse, graph);

  const sandbox = await startMetaSandbox({
    statePath: join(options.sandboxDir, "meta-audiences.json"),
    audiences: [options.audienceId],
  });
  try {
    const meta = createMetaClient({
      accessToken: sandbox.accessToken,
      baseUrl: sandbox.baseUrl,
      logger,
    });
    const bus = createLocalEventBus();
    const activations: ActivationOutcome[] = [];
    bus.subscribe(ACTIVATE_META_TOPIC, async (event) => {
      activations.push(
        await activateMeta(
          { warehouse, store, meta, logger, clock, audienceId: options.audienceId },
          event,
        ),
      );
    });
    const plan = await planActivation(
      { warehouse, store, bus, clock, logger },
      recentPurchasersToMeta(options.audienceId),
    );
    await bus.drain();
    return {
      accepted,
      load,
      graph: run,
      plan,
      activations,
      audience: [...sandbox.members(options.audienceId)].sort(),
    };
  } finally {
    await sandbox.close();
  }
}

/**
 * The marts and everything they read (with those models' assertions): the part of the graph this
 * comparison checks. Staging models no mart reads yet (GA4, Zoom…) are left out, since the
 * emulator takes minutes per view (docs/operations.md, "Emulator tests"); they are checked by
 * ZetaSQL and run on DuckDB in test/sql.
 */
export function martsSubgraph(graph: CompiledGraph): CompiledGraph {
  const byKey = new Map(graph.actions.map((a) => [targetKey(a.target), a]));
  const keep = new Set<string>();
  const visit = (key: string) => {
    if (keep.has(key)) return;
    keep.add(key);
    for (const dependency of byKey.get(key)?.dependencyTargets ?? []) visit(targetKey(dependency));
  };
  for (const action of graph.actions) {
    // The closed-month aggregates (agg_*) read the same marts and add nothing to compare; they
    // are checked by ZetaSQL and run on DuckDB in test/sql/aggregates.test.ts.
    if (
      action.target.schema === "marts" &&
      action.type !== "assertion" &&
      !action.target.name.startsWith("agg_")
    ) {
      visit(targetKey(action.target));
    }
  }
  const kept = graph.actions.filter((a) =>
    a.type === "assertion" && a.parentAction
      ? keep.has(targetKey(a.parentAction))
      : keep.has(targetKey(a.target)),
  );
  return { ...graph, actions: kept };
}
