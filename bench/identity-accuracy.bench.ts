/**
 * `npm run bench:identity`: accuracy of identity resolution, measured through the real Dataform
 * models on DuckDB. A seeded, labelled population (bench/identity/) is turned into Shopify
 * orders and SendGrid events with realistic corruption, loaded as raw rows, and the whole graph
 * runs once per matching method (workflow var identity_matching): email_only (the baseline),
 * deterministic (keys + guardrails) and probabilistic (+ Fellegi–Sunter profiles). Prints
 * pairwise precision / recall / F1 (orders, and all records) and the graph's wall time per
 * method at fixed scales, then a threshold sweep at the first scale. Asserts nothing.
 * Scales: BENCH_PEOPLE (comma-separated, default "1000,5000"); thresholds swept: BENCH_THRESHOLDS
 * (default "14,18,22,26,30,34,38,42"); BENCH_SWEEP=0 skips the sweep.
 */
import { resolve } from "node:path";
import { ERASED_RECORDS } from "../functions/core/privacy/privacy-tables.js";
import { rawTableSpec } from "../functions/core/raw-table.js";
import { compileProject } from "../functions/dataform/compile.js";
import { GraphRunError, runDuckDbGraph } from "../functions/dataform/run-duckdb.js";
import { rawStreamsOf } from "../functions/handlers/load-raw.js";
import { createDuckDbWarehouse } from "../functions/platform/local/duckdb-warehouse.js";
import { ensureLocalDeclarations } from "../functions/sources/local-declarations.js";
import { PULL_SOURCES } from "../functions/sources/pull-registry.js";
import { WEBHOOK_SOURCES } from "../functions/sources/registry.js";
import { generatePeople } from "./identity/people.js";
import { generateRecords, type LabelledRecords } from "./identity/records.js";
import { type PairwiseScore, pairwiseScore } from "./identity/score.js";

const repoRoot = resolve(import.meta.dirname, "..");
const scales = (process.env.BENCH_PEOPLE ?? "1000,5000").split(",").map(Number);
const METHODS = (process.env.BENCH_METHODS ?? "email_only,deterministic,probabilistic").split(",");
const SWEEP = (process.env.BENCH_THRESHOLDS ?? "14,18,22,26,30,34,38,42").split(",").map(Number);

interface Measured {
  readonly orders: PairwiseScore;
  readonly all: PairwiseScore;
  readonly graphMs: number;
  readonly edges: Record<string, number>;
  /** Probabilistic edges whose two records were made by different people, per weight band. */
  readonly wrongEdges: string;
}

async function measure(data: LabelledRecords, vars: Record<string, string>): Promise<Measured> {
  const graph = await compileProject({ projectDir: repoRoot, target: "duckdb", vars });
  const warehouse = await createDuckDbWarehouse({ path: ":memory:" });
  try {
    for (const { source, stream } of rawStreamsOf([...WEBHOOK_SOURCES, ...PULL_SOURCES])) {
      await warehouse.ensureTable(rawTableSpec(source, stream));
    }
    // Everything else the graph reads: the (empty) GA4 export and the erasure list staging
    // subtracts from raw (without them the graph's first actions fail and nothing is scored).
    await ensureLocalDeclarations(warehouse, graph, repoRoot);
    await warehouse.ensureTable(ERASED_RECORDS);
    await warehouse.insertRows(
      rawTableSpec("shopify", "orders"),
      data.orders.map((l) => ({ ...l })),
    );
    await warehouse.insertRows(
      rawTableSpec("sendgrid", "events"),
      data.events.map((l) => ({ ...l })),
    );
    const started = performance.now();
    try {
      await runDuckDbGraph(warehouse, graph);
    } catch (error) {
      if (!(error instanceof GraphRunError)) throw error;
      // Failed assertions are reported, not fatal: the contacts are still there to score.
      const failed = error.results.filter((r) => r.status !== "succeeded").map((r) => r.name);
      console.error(`  (${vars.identity_matching}: not succeeded: ${failed.join(", ")})`);
    }
    const graphMs = performance.now() - started;
    const rows = await warehouse.query<{ record_key: string; contact_id: string }>(
      "SELECT record_key, contact_id FROM staging.int_identity__record_contacts",
    );
    const predicted = new Map(rows.map((r) => [r.record_key, r.contact_id]));
    const edgeRows = await warehouse.query<{ rule: string; n: bigint }>(
      "SELECT rule, COUNT(*) AS n FROM staging.int_identity__edges GROUP BY rule ORDER BY rule",
    );
    const probabilistic = await warehouse.query<{ w: number; a: string; b: string }>(
      "SELECT match_weight AS w, evidence_record_key AS a, other_record_key AS b FROM staging.int_identity__edges WHERE rule = 'probabilistic'",
    );
    const bands = new Map<number, [number, number]>();
    for (const edge of probabilistic) {
      const band = Math.floor(edge.w / 4) * 4;
      const [n, wrong] = bands.get(band) ?? [0, 0];
      const isWrong = data.truth.get(edge.a) !== data.truth.get(edge.b);
      bands.set(band, [n + 1, wrong + (isWrong ? 1 : 0)]);
    }
    const wrongEdges = [...bands.entries()]
      .sort(([a], [b]) => a - b)
      .map(([band, [n, wrong]]) => `[${band},${band + 4}): ${wrong}/${n} wrong`)
      .join("; ");
    return {
      orders: pairwiseScore(data.truth, predicted, (key) => key.startsWith("shopify:")),
      all: pairwiseScore(data.truth, predicted),
      graphMs,
      edges: Object.fromEntries(edgeRows.map((r) => [r.rule, Number(r.n)])),
      wrongEdges,
    };
  } finally {
    await warehouse.close();
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function row(label: string, m: Measured): string {
  const o = m.orders;
  return `| ${label} | ${pct(o.precision)} | ${pct(o.recall)} | ${pct(o.f1)} | ${pct(m.all.precision)} | ${pct(m.all.recall)} | ${pct(m.all.f1)} | ${o.contactsPerPerson.toFixed(3)} | ${(m.graphMs / 1000).toFixed(1)} s |`;
}

const HEADER =
  "| method | orders P | orders R | orders F1 | all P | all R | all F1 | contacts/person (orders) | graph wall time |\n|---|---|---|---|---|---|---|---|---|";

console.log(`identity accuracy bench, node ${process.version}, seed 7`);
for (const [index, people] of scales.entries()) {
  const population = generatePeople(people, 7);
  const data = generateRecords(population, 11);
  console.log(
    `\n${people.toLocaleString("en")} people → ${data.orders.length.toLocaleString("en")} orders, ${data.events.length.toLocaleString("en")} email events`,
  );
  console.log(HEADER);
  for (const method of METHODS) {
    const m = await measure(data, { identity_matching: method });
    console.log(row(method, m));
    console.error(`  edges (${method}): ${JSON.stringify(m.edges)}`);
    if (method === "probabilistic")
      console.log(`probabilistic edges by match weight: ${m.wrongEdges}`);
  }
  if (index === 0 && process.env.BENCH_SWEEP !== "0") {
    console.log(`\nthreshold sweep (probabilistic, ${people.toLocaleString("en")} people)`);
    console.log(HEADER);
    for (const threshold of SWEEP) {
      const vars = {
        identity_matching: "probabilistic",
        identity_match_threshold: String(threshold),
      };
      console.log(row(`threshold ${threshold}`, await measure(data, vars)));
    }
  }
}
const peakMb = process.resourceUsage().maxRSS / 1024;
console.log(`\npeak memory (max RSS): ${Math.round(peakMb).toLocaleString("en")} MB`);
