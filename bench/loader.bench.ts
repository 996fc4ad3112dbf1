/**
 * `npx tsx bench/loader.bench.ts`: the raw sweep on the local platform at a fixed scale. Lands
 * `BENCH_FILES` small raw files (default 20,000; 2 records each, half Shopify, half SendGrid)
 * spread over `BENCH_DAYS` dt= partitions (default 365, today last), then times: the first
 * sweep (everything), a sweep with nothing new, a sweep after 1% new files, and the recent-window
 * sweep the cloud schedules against the deep one. Prints figures; asserts nothing.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localLoaderDeps } from "../functions/cli/commands/load.js";
import { sweepRawLoads } from "../functions/core/loading/sweep.js";
import { CLOUD_SWEEP, LOCAL_SWEEP } from "../functions/core/loading/sweep-config.js";
import { rawObjectKey } from "../functions/core/raw-table.js";
import { createLocalPlatform } from "../functions/platform/local/local-platform.js";

const files = Number(process.env.BENCH_FILES ?? 20_000);
const days = Number(process.env.BENCH_DAYS ?? 365);
const today = new Date();

const dtOf = (i: number) =>
  new Date(today.getTime() - (i % days) * 86_400_000).toISOString().slice(0, 10);

function line(source: string, stream: string, id: string): string {
  return JSON.stringify({
    _record_id: id,
    _source: source,
    _stream: stream,
    _received_at: today.toISOString(),
    _batch_id: `b-${id}`,
    _object: "x",
    payload: { id, note: "x".repeat(200) },
  });
}

async function land(
  platform: Awaited<ReturnType<typeof createLocalPlatform>>,
  from: number,
  to: number,
  dt: (i: number) => string = dtOf,
) {
  for (let i = from; i < to; i++) {
    const [source, stream] = i % 2 === 0 ? ["shopify", "orders"] : ["sendgrid", "events"];
    const body = `${line(source as string, stream as string, `${i}-a`)}\n${line(source as string, stream as string, `${i}-b`)}\n`;
    await platform.store.put(
      rawObjectKey(source as string, stream as string, dt(i), `f${i}`),
      body,
    );
  }
}

const dir = await mkdtemp(join(tmpdir(), "unistack-bench-loader-"));
const platform = await createLocalPlatform({ dir });
try {
  const landStart = performance.now();
  await land(platform, 0, files);
  console.log(
    `landed ${files.toLocaleString("en")} files over ${days} dt= partitions in ${((performance.now() - landStart) / 1000).toFixed(1)} s`,
  );
  const deps = localLoaderDeps(platform);
  const timed = async (label: string, scope: Parameters<typeof sweepRawLoads>[1]["scope"]) => {
    const started = performance.now();
    const report = await sweepRawLoads(
      deps,
      { trigger: "manual", scope, debounce: false },
      LOCAL_SWEEP,
    );
    const s = (performance.now() - started) / 1000;
    if (report.status === "skipped") throw new Error("skipped");
    const rate =
      report.loaded > 0
        ? `, ${Math.round(report.loaded / s).toLocaleString("en")} files/s, ${Math.round(report.rows / s).toLocaleString("en")} rows/s`
        : "";
    console.log(
      `| ${label} | ${s.toFixed(2)} s | ${report.loaded.toLocaleString("en")} loaded, ${report.alreadyLoaded.toLocaleString("en")} already | ${report.jobs} jobs${rate} |`,
    );
  };
  console.log("\n| sweep | wall time | files | jobs, throughput |\n|---|---|---|---|");
  await timed("first (deep)", { kind: "all" });
  await timed("nothing new (deep)", { kind: "all" });
  await land(platform, files, files + Math.ceil(files / 100));
  await timed("1% new (deep)", { kind: "all" });
  await land(platform, files * 2, files * 2 + 100, () => dtOf(0));
  await timed("100 new today (recent window)", {
    kind: "recent",
    lookbackDays: CLOUD_SWEEP.lookbackDays,
  });
  await timed("nothing new (recent window)", {
    kind: "recent",
    lookbackDays: CLOUD_SWEEP.lookbackDays,
  });
  console.log(`\npeak RSS ${Math.round(process.memoryUsage().rss / 1024 ** 2)} MB`);
} finally {
  await platform.close();
  await rm(dir, { recursive: true, force: true });
}
