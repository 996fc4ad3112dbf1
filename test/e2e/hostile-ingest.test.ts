import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stageFunctions } from "../../functions/cli/commands/stage-functions.js";
import { generateSendgridKeyPair } from "../../functions/cli/demo/synthetic/sign-sendgrid.js";
import { createFsObjectStore } from "../../functions/platform/local/fs-object-store.js";
import { EMAIL, parseCloudLoggingLines } from "../support/cloud-logging.js";
import { freePort, REPO_ROOT, requireTool } from "../support/external-tools.js";
import { type FakeGcs, startFakeGcsLake } from "../support/fake-gcs-lake.js";
import { rawHttp } from "../support/raw-http.js";
import { type ServiceProcess, startServiceProcess } from "../support/service-process.js";
import {
  buildGzipBomb,
  type CorpusContext,
  HOSTILE_CORPUS,
  SECRET_VALUES,
  UNPARSABLE_BODIES,
} from "./hostile/corpus.js";

/**
 * The same hostile corpus against (a) the ingest server as the demo runs it (local adapters)
 * and (b) the deployed entry point: the staged deploy artifact started the way Cloud Run starts
 * it (the Procfile's `node dist/functions/serve-ingest.js` through bash, PORT from env, GCP
 * adapters, here against fake-gcs-server). Both run as their own process, so their memory is theirs alone.
 */

const shopifySecret = "shpss_hostile_corpus_secret";
const sendgridKeys = generateSendgridKeyPair();
const secretsEnv = {
  SHOPIFY_WEBHOOK_SECRET: shopifySecret,
  SENDGRID_WEBHOOK_PUBLIC_KEY: sendgridKeys.publicKeyBase64,
};
const MB = 1024 * 1024;

interface PathRun {
  readonly answers: Map<string, { status: number; body: unknown }>;
  /** Lake objects, each NDJSON line parsed with `_received_at` removed. */
  readonly objects: Map<string, unknown[]>;
  readonly logs: string[];
  readonly exitCode: number | null;
  readonly memory: { readonly beforeMb: number; readonly peakMb: number; readonly afterMb: number };
}

let bomb: Buffer;
const cleanup: (() => Promise<unknown>)[] = [];

async function runCorpus(
  service: ServiceProcess,
  readObjects: () => Promise<Map<string, Buffer>>,
): Promise<PathRun> {
  // Warm up (first request, first write), then take the baseline.
  await rawHttp(service.url, { method: "GET", path: "/healthz" });
  const mb = (bytes: number | undefined) => Math.round(((bytes ?? 0) / MB) * 10) / 10;
  const before = service.peakRss() ?? service.rss();
  let sampledPeak = before ?? 0;
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, service.rss() ?? 0);
  }, 20);
  const answers = new Map<string, { status: number; body: unknown }>();
  try {
    for (const entry of HOSTILE_CORPUS) {
      const context: CorpusContext = {
        shopifySecret,
        sendgridPrivateKeyPem: sendgridKeys.privateKeyPem,
        nowSeconds: Math.floor(Date.now() / 1000),
        gzipBomb: bomb,
      };
      const response = await rawHttp(service.url, entry.request(context));
      let body: unknown = response.body;
      try {
        body = JSON.parse(response.body);
      } catch {
        // kept as text: the test below says it must be JSON
      }
      answers.set(entry.name, { status: response.status, body });
    }
  } finally {
    clearInterval(sampler);
  }
  const peak = Math.max(service.peakRss() ?? 0, sampledPeak);
  const after = service.rss();
  const objects = new Map<string, unknown[]>();
  for (const [key, bytes] of await readObjects()) {
    const lines = bytes.toString("utf8").split("\n").filter(Boolean);
    objects.set(
      key,
      lines.map((line) => {
        const { _received_at: _, ...rest } = JSON.parse(line) as Record<string, unknown>;
        return rest;
      }),
    );
  }
  const exitCode = await service.stop("SIGTERM");
  return {
    answers,
    objects,
    logs: service.stdout().split("\n").filter(Boolean),
    exitCode,
    memory: { beforeMb: mb(before), peakMb: mb(peak), afterMb: mb(after) },
  };
}

async function runLocal(): Promise<PathRun> {
  const dir = await mkdtemp(join(tmpdir(), "unistack-hostile-local-"));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const port = await freePort();
  const service = await startServiceProcess({
    // tsx as a loader in this very process (its CLI would run the server in a child process).
    command: process.execPath,
    args: ["--import", "tsx", "test/e2e/hostile/serve-local.ts"],
    env: {
      PATH: process.env.PATH ?? "",
      PORT: String(port),
      UNISTACK_TEST_DIR: dir,
      ...secretsEnv,
    },
    cwd: REPO_ROOT,
    port,
  });
  cleanup.push(() => service.stop("SIGKILL"));
  const store = createFsObjectStore({ root: join(dir, "lake") });
  return runCorpus(service, async () => {
    const objects = new Map<string, Buffer>();
    for (const { key } of await store.list("")) {
      objects.set(key, Buffer.from((await store.get(key)) ?? new Uint8Array()));
    }
    return objects;
  });
}

async function runDeployed(fakeGcsBinary: string): Promise<PathRun> {
  // The deploy artifact (`unistack stage functions`), staged inside the repository so its
  // packages resolve from this checkout's install (the same versions its lockfile pins;
  // test/deploy installs and starts that lockfile on its own, with the registry).
  const cache = join(REPO_ROOT, "node_modules", ".cache", `unistack-hostile-${process.pid}`);
  cleanup.push(() => rm(cache, { recursive: true, force: true }));
  const staged = await stageFunctions({
    projectDir: REPO_ROOT,
    out: join(cache, "functions"),
    log: () => {},
  });
  // Cloud Run runs the buildpack's web process: the Procfile's command, through bash.
  const procfile = await readFile(join(staged.out, "Procfile"), "utf8");
  const web = /^web:\s*(.+)$/m.exec(procfile)?.[1];
  if (web !== "node dist/functions/serve-ingest.js")
    throw new Error(`unexpected Procfile: ${procfile}`);
  const gcs: FakeGcs = await startFakeGcsLake(fakeGcsBinary, "unistack-hostile-lake");
  cleanup.push(() => gcs.stop());
  const port = await freePort();
  const service = await startServiceProcess({
    command: "bash",
    args: ["-c", web],
    env: {
      PATH: process.env.PATH ?? "",
      PORT: String(port),
      GOOGLE_CLOUD_PROJECT: "unistack-hostile",
      UNISTACK_LAKE_BUCKET: gcs.bucket,
      STORAGE_EMULATOR_HOST: gcs.url,
      K_SERVICE: "ingest",
      ...secretsEnv,
    },
    cwd: staged.out,
    port,
  });
  cleanup.push(() => service.stop("SIGKILL"));
  return runCorpus(service, async () => {
    const objects = new Map<string, Buffer>();
    for (const name of await gcs.list()) objects.set(name, await gcs.read(name));
    return objects;
  });
}

const fakeGcs = requireTool(
  "fake-gcs-server",
  "the hostile corpus against the deployed entry point with the GCS adapter",
);
let local: PathRun;
let deployed: PathRun | undefined;

beforeAll(async () => {
  bomb = await buildGzipBomb();
  local = await runLocal();
  if (fakeGcs.ok) deployed = await runDeployed(fakeGcs.path);
  const figures = { local: local.memory, deployed: deployed?.memory ?? "skipped" };
  console.info(
    `[hostile-ingest] server RSS in MB (before corpus, peak, after): ${JSON.stringify(figures)}`,
  );
}, 300_000);

afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

const paths = (): [string, PathRun][] =>
  deployed
    ? [
        ["local", local],
        ["deployed", deployed],
      ]
    : [["local", local]];

describe("the hostile corpus on the ingest service", () => {
  it.each(HOSTILE_CORPUS.map((entry) => [entry.name, entry] as const))(
    "answers %s as expected, with a short JSON body",
    (name, entry) => {
      for (const [path, run] of paths()) {
        const answer = run.answers.get(name);
        expect(answer?.status, `${path}: ${name}`).toBe(entry.expected.status);
        expect(typeof answer?.body, `${path}: ${name} answers JSON`).toBe("object");
        if (entry.expected.body !== undefined) expect(answer?.body).toEqual(entry.expected.body);
        expect(JSON.stringify(answer?.body)).not.toMatch(/<html|\bat \/|Error:/i);
      }
    },
  );

  it("lands exactly the accepted records and quarantines the rest, nothing for refused requests", () => {
    for (const [, run] of paths()) {
      const prefixes = [...run.objects.keys()].map((key) => key.split("/dt=")[0]).sort();
      expect(prefixes).toEqual([
        "quarantine/sendgrid/events",
        "quarantine/shopify/orders",
        "quarantine/shopify/orders",
        "quarantine/shopify/unparsed",
        "quarantine/shopify/unparsed",
        "quarantine/shopify/unparsed",
        "quarantine/shopify/unrouted",
        "raw/sendgrid/events",
        "raw/sendgrid/events",
        "raw/shopify/orders",
      ]);
    }
  });

  it("keeps every unparsable body byte for byte, with its reason", () => {
    for (const [, run] of paths()) {
      const kept = [...run.objects.entries()]
        .filter(([key]) => key.startsWith("quarantine/shopify/unparsed/"))
        .flatMap(([, lines]) => lines as { reasons: string[]; raw_body_base64: string }[]);
      expect(kept.map((line) => line.reasons)).toEqual(
        UNPARSABLE_BODIES.map(() => ["body is not valid UTF-8 JSON"]),
      );
      const bytes = kept.map((line) => Buffer.from(line.raw_body_base64, "base64").toString("hex"));
      expect(bytes.sort()).toEqual(UNPARSABLE_BODIES.map((b) => b.toString("hex")).sort());
    }
  });

  it("stops gracefully on SIGTERM", () => {
    for (const [, run] of paths()) expect(run.exitCode).toBe(0);
  });

  it("logs only valid Cloud Logging lines, with no body, email, header value or sender id", () => {
    for (const [path, run] of paths()) {
      expect(run.logs.length, path).toBeGreaterThan(10);
      parseCloudLoggingLines(run.logs);
      const text = run.logs.join("\n");
      expect(text).not.toMatch(EMAIL);
      for (const value of Object.values(SECRET_VALUES)) expect(text, path).not.toContain(value);
      expect(text).not.toContain("598.94");
      expect(text).not.toContain(shopifySecret);
    }
  });

  it("keeps the server's memory bounded: nothing is inflated or buffered past the limit", () => {
    for (const [path, run] of paths()) {
      if (run.memory.peakMb === 0) {
        console.warn(`[skip] ${path}: this platform does not report a process's memory`);
        continue;
      }
      // A 40 MB body held, or the 256 MB bomb inflated, would show here; 5 MB bodies do not.
      expect(run.memory.peakMb - run.memory.beforeMb, path).toBeLessThan(40);
    }
  });
});

describe.skipIf(!fakeGcs.ok)("the deployed entry point and the demo's server agree", () => {
  it("answer every request of the corpus with the same status and body", () => {
    expect(deployed?.answers).toEqual(local.answers);
  });

  it("write the same objects with the same lines to the lake and quarantine", () => {
    expect(deployed?.objects).toEqual(local.objects);
  });
});
