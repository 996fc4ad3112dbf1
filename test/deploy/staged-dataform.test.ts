import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileProject } from "../../functions/dataform/compile.js";
import type { Action, Target } from "../../functions/dataform/compiled-graph.js";
import { REPO_ROOT } from "../support/external-tools.js";
import { npm, requireNpmRegistry, run } from "../support/npm-registry.js";

/**
 * The Dataform service compiles what its Git branch holds, after installing that tree's
 * package.json production dependencies. This stages the tree, puts it in a folder of its own (no
 * checkout around it, no node_modules above it) and compiles it with the official CLI, installed
 * in another folder so that the CLI brings no core of its own to the tree.
 */
const DATAFORM_CLI = "@dataform/cli@3.0.69";
const registry = requireNpmRegistry(`compiling the staged Dataform tree with ${DATAFORM_CLI}`);

let dir: string;
let tree: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "unistack-dataform-"));
  tree = join(dir, "tree");
  const staged = await run(
    process.execPath,
    ["bin/unistack.js", "stage", "dataform", "--out", tree],
    { cwd: REPO_ROOT },
  );
  if (staged.code !== 0 || staged.stderr !== "") {
    throw new Error(`unistack stage dataform failed:\n${staged.stdout}${staged.stderr}`);
  }
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the staged Dataform tree", () => {
  it("holds workflow_settings.yaml, definitions/, includes/ and a package.json whose one dependency is the @dataform/core the checkout pins", async () => {
    expect((await readdir(tree)).sort()).toEqual([
      "definitions",
      "includes",
      "package-lock.json",
      "package.json",
      "workflow_settings.yaml",
    ]);
    const root = JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8"));
    const pkg = JSON.parse(await readFile(join(tree, "package.json"), "utf8"));
    expect(pkg.dependencies).toEqual({ "@dataform/core": root.devDependencies["@dataform/core"] });
    expect(pkg.devDependencies).toBeUndefined();
    const lock = JSON.parse(await readFile(join(tree, "package-lock.json"), "utf8"));
    expect(Object.keys(lock.packages)).toEqual(["", "node_modules/@dataform/core"]);
    for (const file of ["definitions", "includes"]) {
      expect((await readdir(join(tree, file), { recursive: true })).sort()).toEqual(
        (await readdir(join(REPO_ROOT, file), { recursive: true })).sort(),
      );
    }
  });

  describe.skipIf(!registry.ok)("compiled by the official Dataform CLI", () => {
    let cli: string;
    beforeAll(async () => {
      cli = await officialCli();
    }, 600_000);

    const compileWithCli = () =>
      run(process.execPath, [cli, "compile", tree, "--json"], { cwd: dir, timeoutMs: 120_000 });

    it("fails without an install, with the error the service gave for the whole checkout", async () => {
      const compiled = await compileWithCli();
      expect(compiled.code).not.toBe(0);
      expect(compiled.stderr).toContain(
        "Could not find a recent installed version of @dataform/core",
      );
    });

    it("compiles after a production-only install, to the same actions as unistack compile --target bigquery", async () => {
      const installed = await npm(["install", "--omit=dev"], tree);
      expect(installed.code, installed.stderr).toBe(0);
      expect(
        (await readdir(join(tree, "node_modules"))).filter((entry) => !entry.startsWith(".")),
      ).toEqual(["@dataform"]);

      const compiled = await compileWithCli();
      expect(compiled.code, compiled.stderr).toBe(0);
      const official = officialActions(JSON.parse(compiled.stdout));
      const ours = await compileProject({ projectDir: REPO_ROOT, target: "bigquery" });
      console.log(
        `[deploy] ${DATAFORM_CLI} compiled the staged tree: ${official.length} actions, ${(compiled.ms / 1000).toFixed(1)} s`,
      );
      expect(official.length).toBeGreaterThan(20);
      expect(official).toEqual(ours.actions.map(comparable).sort(byTarget));
    });
  });
});

interface Comparable {
  readonly target: string;
  readonly type: string;
  readonly fileName: string;
  readonly query: string;
  readonly incrementalQuery: string;
  readonly dependencies: readonly string[];
}

const targetName = (target: Target) => `${target.database}.${target.schema}.${target.name}`;
const byTarget = (a: Comparable, b: Comparable) => a.target.localeCompare(b.target);

function comparable(action: Action): Comparable {
  return {
    target: targetName(action.target),
    type: action.type,
    fileName: action.fileName,
    query: action.query ?? "",
    incrementalQuery: action.incrementalQuery ?? "",
    dependencies: action.dependencyTargets.map(targetName).sort(),
  };
}

interface CliAction {
  target: Target;
  type?: string;
  fileName: string;
  query?: string;
  queries?: string[];
  incrementalQuery?: string;
  dependencyTargets?: Target[];
}

/** The CLI's `--json` graph (core's CompiledGraph as JSON), as the same comparable actions. */
function officialActions(graph: Record<string, CliAction[] | undefined>): Comparable[] {
  const kinds: [string, string | undefined][] = [
    ["tables", undefined],
    ["assertions", "assertion"],
    ["declarations", "declaration"],
    ["operations", "operations"],
  ];
  return kinds
    .flatMap(([key, type]) =>
      (graph[key] ?? []).map((action) => ({
        target: targetName(action.target),
        type: type ?? action.type ?? "table",
        fileName: action.fileName,
        query: action.query ?? action.queries?.join(";\n") ?? "",
        incrementalQuery: action.incrementalQuery ?? "",
        dependencies: (action.dependencyTargets ?? []).map(targetName).sort(),
      })),
    )
    .sort(byTarget);
}

/**
 * The official CLI, installed once per machine into its own folder under the OS temp dir (outside
 * any checkout, so it can find no @dataform/core but the tree's): CI's second run of the suite
 * (Node 22) and later runs on a laptop reuse it. Installed elsewhere first and renamed into
 * place, so a concurrent run never sees half an install.
 */
async function officialCli(): Promise<string> {
  const home = join(tmpdir(), `unistack-${DATAFORM_CLI.replace(/^@/, "").replaceAll("/", "-")}`);
  const binOf = async (prefix: string) => {
    const cliDir = join(prefix, "node_modules", "@dataform", "cli");
    const { bin } = JSON.parse(await readFile(join(cliDir, "package.json"), "utf8"));
    return join(cliDir, bin.dataform as string);
  };
  if (existsSync(join(home, "node_modules", "@dataform", "cli", "package.json"))) {
    return binOf(home);
  }
  const prefix = await mkdtemp(join(tmpdir(), "unistack-dataform-cli-"));
  const installed = await npm(
    ["install", "--prefix", prefix, "--ignore-scripts", DATAFORM_CLI],
    prefix,
  );
  if (installed.code !== 0)
    throw new Error(`installing ${DATAFORM_CLI} failed:\n${installed.stderr}`);
  try {
    await rename(prefix, home);
  } catch {
    await rm(prefix, { recursive: true, force: true }); // another run installed it first
  }
  return binOf(home);
}
