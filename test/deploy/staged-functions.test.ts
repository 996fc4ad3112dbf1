import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type StagedFunctions,
  stageFunctions,
} from "../../functions/cli/commands/stage-functions.js";
import { parseLockfile } from "../../functions/cli/commands/stage-lockfile.js";
import { FUNCTION_TARGETS } from "../../functions/index.js";
import { freePort, REPO_ROOT } from "../support/external-tools.js";
import {
  installedPackages,
  npm,
  requireNpmRegistry,
  run,
  stopProcess,
} from "../support/npm-registry.js";
import { startServiceProcess } from "../support/service-process.js";
import {
  forgedShopifyWebhook,
  frameworkBin,
  ingestEnv,
  pubsubBody,
  pubsubCloudEventHeaders,
  waitForClosed,
  waitForHttp,
  waitForOutput,
} from "./entry-points.js";

/**
 * The deployed path, as the cloud builds it: `unistack stage functions`, then what the
 * Cloud Functions / Cloud Run Node buildpack does with the result (`npm ci`, production only),
 * then the entry points started the way the platform starts them.
 */
const registry = requireNpmRegistry("installing and starting the staged function source");

/** Packages that belong to the laptop (DuckDB, the CLI, tsx) or to development only. */
const NEVER_DEPLOYED =
  /^node_modules\/(@duckdb\/|tsx$|commander$|listr2$|@faker-js\/|esbuild$|vitest$|typescript$|@biomejs\/|@vercel\/nft$|@dataform\/)/;

let dir: string | undefined;
let staging: Promise<StagedFunctions> | undefined;
/** Stages once per file (a few seconds: tsc and the trace), into a fresh temp folder. */
function stagedSource(): Promise<StagedFunctions> {
  staging ??= (async () => {
    dir = await mkdtemp(join(tmpdir(), "unistack-stage-"));
    return stageFunctions({ projectDir: REPO_ROOT, out: join(dir, "functions"), log: () => {} });
  })();
  return staging;
}

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the staged function source", () => {
  let staged: StagedFunctions;
  let stage: string;
  beforeAll(async () => {
    staged = await stagedSource();
    stage = staged.out;
  }, 180_000);

  it("holds the compiled entry points and what they load, none of the CLI, the demo or the local platform", async () => {
    expect(existsSync(join(stage, "dist/functions/index.js"))).toBe(true);
    expect(existsSync(join(stage, "dist/functions/serve-ingest.js"))).toBe(true);
    expect(existsSync(join(stage, "dist/functions/handlers/plan-activation.js"))).toBe(true);
    for (const absent of ["cli", "dataform", "sqlcheck", "platform/local"]) {
      expect(existsSync(join(stage, "dist/functions", absent))).toBe(false);
    }
  });

  it("pins in package.json exactly the packages the deployed files import, at the versions the root lockfile installed and tested", async () => {
    const pkg = JSON.parse(await readFile(join(stage, "package.json"), "utf8"));
    const root = parseLockfile(await readFile(join(REPO_ROOT, "package-lock.json"), "utf8"));
    expect(pkg).toMatchObject({ type: "module", main: "dist/functions/index.js" });
    expect(pkg.engines).toEqual({ node: "22.x.x" });
    expect(pkg.scripts).toEqual({ start: "node dist/functions/serve-ingest.js" });
    expect(pkg.devDependencies).toBeUndefined();
    expect(Object.keys(pkg.dependencies)).toContain("@google-cloud/functions-framework");
    for (const [name, version] of Object.entries(pkg.dependencies)) {
      expect(version, name).toBe(root.packages[`node_modules/${name}`]?.version);
    }

    const lock = parseLockfile(await readFile(join(stage, "package-lock.json"), "utf8"));
    const paths = Object.keys(lock.packages).filter((path) => path !== "");
    expect(paths.filter((path) => NEVER_DEPLOYED.test(path))).toEqual([]);
    for (const path of paths) {
      const ours = lock.packages[path];
      const theirs = root.packages[path];
      expect({ path, version: ours?.version, integrity: ours?.integrity }).toEqual({
        path,
        version: theirs?.version,
        integrity: theirs?.integrity,
      });
      expect(ours?.dev, path).toBeUndefined();
    }
  });
});

describe("the deployed entry points", () => {
  it("keep the functions-framework out of the Cloud Run ingest service: it reads the raw request stream itself", async () => {
    const { entries } = await stagedSource();
    const imports = Object.fromEntries(entries.map((entry) => [entry.file, entry.packages]));
    expect(imports["dist/functions/index.js"]).toContain("@google-cloud/functions-framework");
    expect(imports["dist/functions/serve-ingest.js"]).toBeDefined();
    expect(imports["dist/functions/serve-ingest.js"]).not.toContain(
      "@google-cloud/functions-framework",
    );
  }, 180_000);
});

describe.skipIf(!registry.ok)(
  "the staged function source, installed the way the buildpack installs it",
  () => {
    let stage: string;
    const children: ChildProcess[] = [];
    beforeAll(async () => {
      stage = (await stagedSource()).out;
      const ci = await npm(["ci", "--omit=dev", "--ignore-scripts"], stage);
      expect(ci.stderr).not.toMatch(/npm error/);
      expect(ci.code).toBe(0);
      const installed = await installedPackages(stage);
      console.log(
        `[deploy] staged npm ci --omit=dev: ${installed.count} packages, ${(installed.bytes / 1024 / 1024).toFixed(1)} MB, ${(ci.ms / 1000).toFixed(1)} s (node ${process.version})`,
      );
    }, 600_000);
    afterAll(async () => {
      for (const child of children) await stopProcess(child);
    });

    it("installs nothing of DuckDB, the CLI, tsx or any dev dependency", async () => {
      for (const name of ["@duckdb", "tsx", "commander", "listr2", "@faker-js", "vitest"]) {
        expect(existsSync(join(stage, "node_modules", name)), name).toBe(false);
      }
    });

    it("registers every target of FUNCTION_TARGETS with the functions-framework, loaded in a fresh Node process", async () => {
      const probe = await run(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const { FUNCTION_TARGETS } = await import("./dist/functions/index.js");
         const { getFunction } = await import("@google-cloud/functions-framework/testing");
         const registered = Object.keys(FUNCTION_TARGETS).filter((name) => typeof getFunction(name) === "function");
         console.log(JSON.stringify({ targets: FUNCTION_TARGETS, registered }));`,
        ],
        { cwd: stage, timeoutMs: 60_000 },
      );
      expect(probe.stderr).toBe("");
      const seen = JSON.parse(probe.stdout) as { targets: object; registered: string[] };
      expect(seen.targets).toEqual(FUNCTION_TARGETS);
      expect(seen.registered).toEqual(Object.keys(FUNCTION_TARGETS));
    });

    it.each(Object.entries(FUNCTION_TARGETS))(
      "serves %s from the framework's own server (what the buildpack starts) as a %s function",
      async (target, signature) => {
        const port = await freePort();
        const child = spawn(process.execPath, [await frameworkBin(stage)], {
          cwd: stage,
          env: { ...process.env, FUNCTION_TARGET: target, PORT: String(port), NODE_ENV: "" },
          stdio: ["ignore", "pipe", "pipe"],
        });
        children.push(child);
        // Printed once the server listens, with the signature type the code registered.
        const banner = await waitForOutput(child, /Signature type: (\w+)/);
        expect(banner[1]).toBe(signature);
        if (target === "planActivation") {
          // A run that did not succeed plans nothing: the handler answers without any cloud call.
          const response = await fetch(`http://127.0.0.1:${port}/`, {
            method: "POST",
            headers: pubsubCloudEventHeaders(),
            body: JSON.stringify(pubsubBody({ jsonPayload: { terminalState: "FAILED" } })),
          });
          expect(response.status).toBe(204);
        }
        await stopProcess(child);
      },
      60_000,
    );

    it("runs the Cloud Run web process from the Procfile: answers, refuses a forged webhook, drains and exits 0 on SIGTERM", async () => {
      const web = /^web:\s*(.+)$/m.exec(await readFile(join(stage, "Procfile"), "utf8"))?.[1];
      expect(web).toBe("node dist/functions/serve-ingest.js");
      const port = await freePort();
      // The buildpack's launcher runs a Procfile command through bash, which execs it: Cloud Run's
      // SIGTERM reaches node itself (under `npm run start` it would reach npm, which exits at once).
      const service = await startServiceProcess({
        command: "bash",
        args: ["-c", web as string],
        cwd: stage,
        port,
        env: ingestEnv(port),
      });
      try {
        expect((await forgedShopifyWebhook(service.url)).status).toBe(401);
      } finally {
        expect(await service.stop("SIGTERM")).toBe(0);
      }
      expect(service.stdout()).toContain('"message":"ingest service stopped"');
    });

    it("starts the same service with npm start (scripts.start)", async () => {
      const port = await freePort();
      // Its own process group: npm leaves its child behind when it alone gets SIGTERM.
      const npmStart = spawn("npm", ["start", "--silent"], {
        cwd: stage,
        env: ingestEnv(port),
        detached: true,
        stdio: "ignore",
      });
      const group = npmStart.pid as number;
      try {
        const health = await waitForHttp(`http://127.0.0.1:${port}/healthz`, 30_000);
        expect(health.status).toBe(200);
        expect((await forgedShopifyWebhook(`http://127.0.0.1:${port}`)).status).toBe(401);
      } finally {
        process.kill(-group, "SIGTERM");
        await waitForClosed(`http://127.0.0.1:${port}/healthz`, 15_000);
        try {
          process.kill(-group, "SIGKILL");
        } catch {
          // already gone
        }
      }
    });
  },
);
