/**
 * `npx tsx bench/pull.bench.ts`: the pull framework (`runPull`) landing a synthetic vendor's pages
 * into a local lake (a folder, fsync per object), at two fixed scales: `BENCH_PULL_SMALL` records
 * (default 20,000) and `BENCH_PULL_LARGE` (default 200,000), 200 records of about 600 bytes per
 * page (HubSpot's largest search page). Each scale runs in its own child process so peak RSS is
 * that run's alone. Flat memory means the two peaks are about equal although one pull is ten
 * times the other. The vendor is an in-process `fetch` that builds each page on demand (the
 * figure is our cost, not a network's). Prints figures; asserts nothing.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { runPull } from "../functions/core/pull/run-pull.js";
import type { PullSource } from "../functions/core/pull/source.js";
import { createEnvSecrets } from "../functions/platform/env-secrets.js";
import { createFsObjectStore } from "../functions/platform/local/fs-object-store.js";
import { createSilentLogger } from "../functions/platform/logger.js";
import { defineStream } from "../functions/sources/stream-contract.js";

const PAGE = 200;

function syntheticSource(): PullSource {
  const Schema = z.looseObject({ id: z.string(), updatedAt: z.iso.datetime() });
  return {
    name: "bench",
    streams: {
      records: {
        settleMs: 0,
        defaultSince: "2026-01-01T00:00:00.000Z",
        contract: defineStream({
          schema: Schema,
          recordId: (r) => `${r.id}:${r.updatedAt}`,
          eventTime: (r) => new Date(r.updatedAt),
          recordIdHint: () => undefined,
        }),
        async fetchPage({ cursor, fetch }) {
          const response = await fetch(`bench://records?after=${cursor ?? 0}`);
          const body = (await response.json()) as { results: unknown[]; next?: string };
          return {
            records: body.results.map((value) => ({ value, json: JSON.stringify(value) })),
            next: body.next,
          };
        },
      },
    },
  };
}

function vendorFetch(total: number): typeof fetch {
  return async (input) => {
    const after = Number(new URL(String(input)).searchParams.get("after"));
    const results = [];
    for (let i = after; i < Math.min(after + PAGE, total); i++) {
      results.push({
        id: String(1_000_000 + i),
        updatedAt: new Date(Date.UTC(2026, 1, 1) + i * 1000).toISOString(),
        properties: {
          email: `person${i}@example.com`,
          firstname: "Synthetic",
          lastname: `Person ${i}`,
          lifecyclestage: i % 3 === 0 ? "customer" : "lead",
          company: `Company ${i % 997}`,
          notes: "x".repeat(300),
        },
      });
    }
    const next = after + PAGE < total ? String(after + PAGE) : undefined;
    return new Response(JSON.stringify({ results, ...(next ? { next } : {}) }));
  };
}

async function child(total: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "unistack-pull-bench-"));
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const started = performance.now();
    const outcome = await runPull(
      {
        store: createFsObjectStore({ root: join(dir, "lake") }),
        clock: { now: () => new Date("2026-03-01T00:00:00Z") },
        logger: createSilentLogger(),
        fetch: vendorFetch(total),
        sleep: async () => undefined,
      },
      {
        source: syntheticSource(),
        connection: {
          id: "default",
          businessUnit: "default",
          settings: {},
          secrets: createEnvSecrets({}),
        },
        stream: "records",
      },
    );
    const seconds = (performance.now() - started) / 1000;
    peak = Math.max(peak, process.memoryUsage().rss);
    console.log(
      JSON.stringify({
        total,
        records: outcome.records,
        pages: outcome.pages,
        seconds,
        peakRssMb: peak / 2 ** 20,
      }),
    );
  } finally {
    clearInterval(sampler);
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child") {
  await child(Number(process.argv[3]));
} else {
  const scales = [
    Number(process.env.BENCH_PULL_SMALL ?? 20_000),
    Number(process.env.BENCH_PULL_LARGE ?? 200_000),
  ];
  console.log(`pull bench: ${PAGE} records per page, local lake, one process per scale`);
  for (const total of scales) {
    const out = execFileSync(
      process.execPath,
      ["--import", "tsx", import.meta.filename, "--child", String(total)],
      {
        encoding: "utf8",
      },
    );
    const r = JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as {
      records: number;
      pages: number;
      seconds: number;
      peakRssMb: number;
    };
    console.log(
      `${r.records.toLocaleString("en")} records in ${r.pages.toLocaleString("en")} pages: ${r.seconds.toFixed(1)} s, ${Math.round(r.records / r.seconds).toLocaleString("en")} records/s, peak RSS ${r.peakRssMb.toFixed(0)} MB`,
    );
  }
}
