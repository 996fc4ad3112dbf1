import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

/**
 * The deployed path, as the cloud builds it: `unistack stage functions`, then what the
 * Cloud Functions / Cloud Run Node buildpack does with the result (`npm ci`, production only),
 * then the entry points started the way the platform starts them.
 */
const registry = requireNpmRegistry("installing and starting the staged function source");
const servesIngest = existsSync(join(REPO_ROOT, "functions", "serve-ingest.ts"));
if (!servesIngest) {
  console.warn(
    "[skip] functions/serve-ingest.ts is not there yet: the Cloud Run entry is not staged",
  );
}

/** Packages that belong to the laptop (DuckDB, the CLI, tsx) or to development only. */
const NEVER_DEPLOYED =
  /^node_modules\/(@duckdb\/|tsx$|commander$|listr2$|@faker-js\/|esbuild$|vitest$|typescript$|@biomejs\/|@vercel\/nft$|@dataform\/)/;

let dir: string | undefined;
let staging: Promise<string> | undefined;
/** Stages once per file (a few seconds: tsc and the trace), into a fresh temp folder. */
function stagedSource(): Promise<string> {
  staging ??= (async () => {
    dir = await mkdtemp(join(tmpdir(), "unistack-stage-"));
    const out = join(dir, "functions");
    const staged = await run(
      process.execPath,
      ["bin/unistack.js", "stage", "functions", "--out", out],
      { cwd: REPO_ROOT },
    );
    if (staged.code !== 0 || staged.stderr !== "") {
      throw new Error(`unistack stage functions failed:\n${staged.stdout}${staged.stderr}`);
    }
    return out;
  })();
  return staging;
}

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the staged function source", () => {
  let stage: string;
  beforeAll(async () => {
    stage = await stagedSource();
  }, 180_000);

  it("holds the compiled entry points and what they load, none of the CLI, the demo or the local platform", async () => {
    expect(existsSync(join(stage, "dist/functions/index.js"))).toBe(true);
    expect(existsSync(join(stage, "dist/functions/serve-ingest.js"))).toBe(servesIngest);
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
    expect(pkg.scripts?.start).toBe(
      servesIngest ? "node dist/functions/serve-ingest.js" : undefined,
    );
    expect(pkg.devDependencies).toBeUndefined();
    expect(Object.keys(pkg.dependencies)).toContain("@google-cloud/functions-framework");
    for (const [name, version] of Object.entries(pkg.dependencies)) {
      expect(version, name).toBe(root.packages[`node_modules/${name}`]?.version);
    }

    const staged = parseLockfile(await readFile(join(stage, "package-lock.json"), "utf8"));
    const paths = Object.keys(staged.packages).filter((path) => path !== "");
    expect(paths.filter((path) => NEVER_DEPLOYED.test(path))).toEqual([]);
    for (const path of paths) {
      const ours = staged.packages[path];
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

describe.skipIf(!registry.ok)(
  "the staged function source, installed the way the buildpack installs it",
  () => {
    let stage: string;
    const children: ChildProcess[] = [];
    beforeAll(async () => {
      stage = await stagedSource();
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
  },
);

async function frameworkBin(stage: string): Promise<string> {
  const dir = join(stage, "node_modules", "@google-cloud", "functions-framework");
  const { bin } = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as {
    bin: Record<string, string>;
  };
  return join(dir, bin["functions-framework"] as string);
}

function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(pattern);
      if (match) resolve(match);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`exited with ${code} before ${pattern}:\n${output}`)),
    );
  });
}

function pubsubCloudEventHeaders(): Record<string, string> {
  return {
    "content-type": "application/json",
    "ce-specversion": "1.0",
    "ce-id": "test-1",
    "ce-source": "//pubsub.googleapis.com/projects/p/topics/dataform-run-finished",
    "ce-type": "google.cloud.pubsub.topic.v1.messagePublished",
  };
}

function pubsubBody(data: unknown) {
  return {
    message: {
      data: Buffer.from(JSON.stringify(data)).toString("base64"),
      messageId: "1",
      publishTime: "2026-12-01T00:00:00.000Z",
    },
    subscription: "projects/p/subscriptions/dataform-run-finished-push",
  };
}
