import { ACTIVATE_META_TOPIC } from "../../core/activation/batches.js";
import { compileProject, runDuckDbGraph } from "../../dataform/index.js";
import { settleDeadLetteredActivation } from "../../handlers/activation-dead-letters.js";
import { recentPurchasersToMeta } from "../../handlers/configured-syncs.js";
import { startIngestServer } from "../../handlers/ingest-server.js";
import type { ActivationPlan } from "../../handlers/plan-activation.js";
import { planActivation } from "../../handlers/plan-activation.js";
import type { ObjectStore } from "../../platform/ports.js";
import { writeReport } from "../../report/write-report.js";
import { ensureLocalDeclarations } from "../../sources/local-declarations.js";
import { describeSweep, sweepLocalLake, sweepProblem } from "../commands/load.js";
import { describeReport, reportPath } from "../commands/report.js";
import { activationReport, describeActivation } from "./activation-report.js";
import type { CrashHook } from "./crash-points.js";
import type { DemoContext } from "./demo-context.js";
import { DEMO_WEBINAR_TERRITORIES, demoKpiTargets } from "./demo-targets.js";
import { type SendTally, sendDeliveries } from "./send-deliveries.js";
import type { Stage } from "./stage-runner.js";
import { type GeneratedDeliveries, generateDeliveries } from "./synthetic/generate.js";

/** Share of deliveries the demo posts a second time, as vendors do when they retry. */
const REDELIVERY_SHARE = 0.02;

export const demoStages: readonly Stage<DemoContext>[] = [
  {
    id: "generate",
    title: "Generate synthetic webhooks",
    async run(ctx) {
      const { seed, contacts, anchor } = ctx.state;
      const generated = generateDeliveries({
        contacts,
        seed,
        run: ctx.run,
        now: new Date(anchor),
        webinars: true,
      });
      ctx.results.generated = generated;
      ctx.crashPoint("generate");
      const people = generated.expected.people;
      const n = (v: number) => v.toLocaleString("en");
      const continuing =
        ctx.run > 1 && (ctx.options.contacts !== contacts || ctx.options.seed !== seed)
          ? ` (continuing run 1's ${n(contacts)}-contact data set of seed ${seed}; --fresh starts over with other values)`
          : "";
      return `run ${ctx.run}: ${n(generated.deliveries.length)} deliveries for ${n(people.total)} people (${n(people.both)} in both sources)${continuing}`;
    },
  },
  {
    id: "ingest",
    title: "Serve the ingest service and send signed webhooks over HTTP",
    async run(ctx, progress) {
      const generated = ctx.results.generated as GeneratedDeliveries;
      const { platform } = ctx;
      // The ingest service as Cloud Run runs it, on loopback and with the local adapters.
      const server = await startIngestServer({
        deps: {
          store: signalLanding(platform.store, ctx.crashPoint),
          secrets: platform.secrets,
          clock: platform.clock,
          logger: platform.logger,
        },
      });
      try {
        const now = () => Math.floor(platform.clock.now().getTime() / 1000);
        const send = { concurrency: ctx.options.concurrency, nowSeconds: now };
        const tally = await sendDeliveries(server.url, generated.deliveries, ctx.keys, {
          ...send,
          onProgress: (done, total) =>
            progress(`${done.toLocaleString("en")} / ${total.toLocaleString("en")} requests`),
        });
        const step = Math.max(1, Math.round(1 / REDELIVERY_SHARE));
        const retries = generated.deliveries.filter((_, i) => i % step === 0);
        progress(`re-sending ${retries.length} deliveries as a vendor retry would`);
        const retried = await sendDeliveries(server.url, retries, ctx.keys, send);
        ctx.results.tally = tally;
        ctx.results.retried = retried;
        const accepted = Object.values(tally).reduce((n, t) => n + t.accepted, 0);
        const quarantined = Object.values(tally).reduce((n, t) => n + t.quarantined, 0);
        const dupes = Object.values(retried).reduce((n, t) => n + t.duplicate, 0);
        return `${accepted.toLocaleString("en")} records accepted, ${quarantined} quarantined, ${retries.length} redeliveries → ${dupes} duplicate records, none landed twice`;
      } finally {
        await server.close();
      }
    },
  },
  {
    id: "load",
    title: "Load landed files into raw tables (sweep: lake vs load ledger, micro-batches)",
    async run(ctx) {
      const { warehouse } = ctx.platform;
      const report = await sweepLocalLake(ctx.platform, {
        // the "loaded" crash point: a load job committed, its ledger rows not yet written
        warehouse: {
          ...warehouse,
          async load(request) {
            const result = await warehouse.load(request);
            ctx.crashPoint("loaded");
            return result;
          },
        },
      });
      ctx.results.load = report;
      const problem = sweepProblem(report);
      if (problem || report.status === "skipped") throw new Error(problem);
      return describeSweep(report);
    },
  },
  {
    id: "model",
    title: "Compile the Dataform project for DuckDB and run the graph",
    async run(ctx, progress) {
      const graph = await compileProject({
        projectDir: ctx.options.projectDir,
        target: "duckdb",
        vars: {
          kpi_targets: demoKpiTargets(new Date(ctx.state.anchor)),
          webinar_territories: DEMO_WEBINAR_TERRITORIES,
        },
      });
      await ensureLocalDeclarations(ctx.platform.warehouse, graph, ctx.options.projectDir);
      const run = await runDuckDbGraph(ctx.platform.warehouse, graph, {
        onProgress: (p) => {
          if (p.kind === "started") ctx.crashPoint("model");
          if (p.kind === "started")
            progress(
              `[${p.index + 1}/${p.total}] ${p.action.target.schema}.${p.action.target.name}`,
            );
        },
      });
      const built = run.results.filter(
        (r) => r.status === "succeeded" && r.type !== "assertion",
      ).length;
      const assertions = run.results.filter((r) => r.type === "assertion").length;
      return `${built} models built, ${assertions} assertions passed`;
    },
  },
  {
    id: "activate",
    title: "Plan the Meta sync and activate (activate-meta → Meta sandbox)",
    async run(ctx) {
      const { platform } = ctx;
      // Recovers what a killed or failed earlier run left unfinished, then plans this run.
      const plan: ActivationPlan = await planActivation(
        {
          warehouse: platform.warehouse,
          store: platform.store,
          bus: {
            async publish(topic, message) {
              const id = await platform.bus.publish(topic, message);
              ctx.crashPoint("published");
              return id;
            },
          },
          clock: platform.clock,
          logger: platform.logger,
        },
        recentPurchasersToMeta(ctx.state.metaAudienceId),
      );
      await platform.bus.drain();
      let deadLetters = 0;
      for (const letter of platform.bus.deadLetters) {
        if (letter.channel !== ACTIVATE_META_TOPIC) continue;
        deadLetters++;
        await settleDeadLetteredActivation(platform, letter.event, letter.error);
      }
      const report = await activationReport(platform.warehouse, plan, deadLetters);
      ctx.results.plan = plan;
      ctx.results.activation = report;
      return describeActivation(report);
    },
  },
  {
    id: "report",
    title: "Write the local report (static HTML dashboard of the warehouse)",
    async run(ctx) {
      const summary = await writeReport({
        source: ctx.platform.warehouse,
        out: reportPath(ctx.options.dir),
        warehouseLabel: "the demo's DuckDB warehouse",
      });
      ctx.results.report = summary;
      return describeReport(summary);
    },
  },
];

/** The lake as the ingest functions see it, with the "landed" crash point after each new batch. */
function signalLanding(store: ObjectStore, crashPoint: CrashHook): ObjectStore {
  return {
    location: store.location,
    get: (key) => store.get(key),
    stat: (key) => store.stat(key),
    list: (prefix) => store.list(prefix),
    delete: (key) => store.delete(key),
    uriOf: (key) => store.uriOf(key),
    async put(key, body, options) {
      const result = await store.put(key, body, options);
      if (result.created && key.startsWith("raw/")) crashPoint("landed");
      return result;
    },
  };
}

export type { SendTally };
