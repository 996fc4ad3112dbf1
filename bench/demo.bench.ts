/**
 * `npm run bench`: the demo at a fixed scale in a fresh temporary folder, twice (the full load,
 * then an incremental day). Prints wall time and throughput per stage and the peak memory; it
 * asserts nothing. Scale: `BENCH_CONTACTS` (default 100,000).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type DemoResult, runDemo } from "../functions/cli/demo/run-demo.js";

const contacts = Number(process.env.BENCH_CONTACTS ?? 100_000);
const repoRoot = resolve(import.meta.dirname, "..");

function rate(count: number, ms: number, unit: string): string {
  return `${Math.round(count / (ms / 1000)).toLocaleString("en")} ${unit}/s`;
}

function report(label: string, result: DemoResult): void {
  const s = result.summary;
  const landed = Object.values(s.landed).reduce((n, t) => n + t.accepted + t.quarantined, 0);
  const requests =
    Object.values(s.landed).reduce((n, t) => n + t.requests, 0) + s.redeliveries.requests;
  const rawRows = Object.values(s.rawRows).reduce((a, b) => a + b, 0);
  const throughput: Record<string, string> = {
    generate: `${requests.toLocaleString("en")} deliveries`,
    ingest: `${rate(requests, stageMs(result, "ingest"), "requests")}, ${rate(landed, stageMs(result, "ingest"), "records")}`,
    load: `${rate(landed, stageMs(result, "load"), "rows")} (one sweep of the lake after ingest)`,
    model: `${rate(rawRows, stageMs(result, "model"), "raw rows")} through the graph`,
    activate: `${(s.activation.adds + s.activation.removes).toLocaleString("en")} audience changes`,
  };
  console.log(`\n${label}`);
  console.log("| stage | wall time | throughput |\n|---|---|---|");
  for (const stage of result.stages) {
    console.log(
      `| ${stage.id} | ${(stage.ms / 1000).toFixed(1)} s | ${throughput[stage.id] ?? ""} |`,
    );
  }
  console.log(`| **total** | ${(result.totalMs / 1000).toFixed(1)} s | |`);
  console.log(
    `contacts resolved ${s.contacts.total.toLocaleString("en")}, raw rows ${rawRows.toLocaleString("en")}, segment ${s.segment.members.toLocaleString("en")}, audience ${s.activation.audienceSize.toLocaleString("en")}`,
  );
}

function stageMs(result: DemoResult, id: string): number {
  return result.stages.find((s) => s.id === id)?.ms ?? Number.NaN;
}

const dir = await mkdtemp(join(tmpdir(), "unistack-bench-"));
try {
  console.log(
    `unistack bench: demo at ${contacts.toLocaleString("en")} contacts, node ${process.version}`,
  );
  const options = { dir, contacts, seed: 42, fresh: true, concurrency: 16, projectDir: repoRoot };
  const render = { interactive: false, log: (line: string) => console.error(`  ${line}`) };
  const first = await runDemo(options, render);
  report("Run 1 (full history)", first);
  const second = await runDemo({ ...options, fresh: false }, render);
  report("Run 2 (incremental day)", second);
  const peakMb = process.resourceUsage().maxRSS / 1024;
  console.log(`\npeak memory (max RSS): ${Math.round(peakMb).toLocaleString("en")} MB`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
