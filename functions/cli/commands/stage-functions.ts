import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { z } from "zod";
import { parseLockfile, subsetLockfile } from "./stage-lockfile.js";
import { formatBytes, prepareOutDir, sizeOf, writeJson } from "./stage-out.js";
import { traceRuntimeFiles } from "./stage-trace.js";

/** What the cloud starts: each file's graph is staged. */
export const DEPLOYED_ENTRIES = [
  { file: "dist/functions/index.js", what: "the Cloud Functions targets" },
  { file: "dist/functions/serve-ingest.js", what: "the Cloud Run ingest service" },
] as const;

/** Production dependencies of the CLI and the local demo that must never reach the cloud. */
export const LOCAL_ONLY_PACKAGES = ["@duckdb/node-api", "tsx", "commander", "listr2"] as const;

/** The Node.js major the runtime runs (`nodejs22` in infra/): the Cloud Run buildpack reads it. */
export const DEPLOYED_NODE = "22.x.x";

const RootPackageSchema = z.object({
  version: z.string(),
  license: z.string().optional(),
  dependencies: z.record(z.string(), z.string()).default({}),
  devDependencies: z.record(z.string(), z.string()).default({}),
});

export interface StageFunctionsOptions {
  /** The checkout: holds package.json, package-lock.json, tsconfig.build.json, functions/. */
  readonly projectDir: string;
  readonly out: string;
  readonly log?: (line: string) => void;
}

export interface StagedFunctions {
  readonly out: string;
  /** Each entry point and the packages its own graph imports. */
  readonly entries: readonly { readonly file: string; readonly packages: readonly string[] }[];
  /** The compiled modules staged (their source maps beside them), relative to `out`. */
  readonly files: readonly string[];
  readonly bytes: number;
  /** Packages the deployed files import, pinned to the versions the root lockfile resolves. */
  readonly dependencies: Readonly<Record<string, string>>;
  /** Packages `npm ci --omit=dev` installs from the staged lockfile. */
  readonly lockedPackages: number;
}

/**
 * `unistack stage functions`: compiles `functions/` and stages what the cloud builds from, the
 * way the Cloud Functions / Cloud Run Node buildpack installs it (`npm ci`, production only):
 * the compiled files the deployed entry points load, a package.json of only the packages those
 * files import, and the part of the root lockfile that installs them (same versions as tested).
 */
export async function stageFunctions(options: StageFunctionsOptions): Promise<StagedFunctions> {
  const log = options.log ?? console.log;
  const root = resolve(options.projectDir);
  const out = resolve(options.out);
  const rootPackage = RootPackageSchema.parse(
    JSON.parse(await readFile(join(root, "package.json"), "utf8")),
  );
  const lock = parseLockfile(await readFile(join(root, "package-lock.json"), "utf8"));

  // A private build folder under node_modules: packages resolve from it exactly as from dist/,
  // and a stage never races another build writing dist/.
  const cache = join(root, "node_modules", ".cache", "unistack");
  await mkdir(cache, { recursive: true });
  const build = await mkdtemp(join(cache, "stage-"));
  try {
    compile(root, join(build, "dist"));
    const buildDir = relativeTo(root, build);
    const analysis = {};
    const traces: { file: string; packages: string[] }[] = [];
    const files = new Set<string>();
    const packages = new Map<string, string[]>();
    for (const entry of DEPLOYED_ENTRIES) {
      if (!existsSync(join(build, entry.file))) {
        throw new Error(
          `${entry.file} (${entry.what}) was not built: is ${entry.file.replace(/^dist\//, "").replace(/\.js$/, ".ts")} there?`,
        );
      }
      const trace = await traceRuntimeFiles({
        base: root,
        ownDir: buildDir,
        entries: [join(buildDir, entry.file)],
        cache: analysis,
      });
      for (const file of trace.files) files.add(file.slice(buildDir.length + 1));
      for (const [name, importers] of trace.packages) {
        packages.set(name, [...new Set([...(packages.get(name) ?? []), ...importers])].sort());
      }
      traces.push({ file: entry.file, packages: [...trace.packages.keys()] });
    }
    const ownFiles = [...files].sort();
    checkImports(packages, rootPackage, buildDir);

    const staged = subsetLockfile(lock, {
      name: "unistack-functions",
      version: rootPackage.version,
      dependencies: [...packages.keys()],
      rootFields: { engines: { node: DEPLOYED_NODE } },
    });

    await prepareOutDir(out, [
      "dist",
      "package.json",
      "package-lock.json",
      "Procfile",
      "node_modules",
    ]);
    const copied: string[] = [];
    for (const file of ownFiles) {
      for (const path of [file, `${file}.map`]) {
        if (!existsSync(join(build, path))) continue;
        await mkdir(dirname(join(out, path)), { recursive: true });
        await copyFile(join(build, path), join(out, path));
        copied.push(path);
      }
    }
    await writeJson(join(out, "package.json"), {
      name: "unistack-functions",
      version: rootPackage.version,
      description: "Unistack's deployed functions, generated by `unistack stage functions`.",
      private: true,
      ...(rootPackage.license ? { license: rootPackage.license } : {}),
      type: "module",
      main: DEPLOYED_ENTRIES[0].file,
      engines: { node: DEPLOYED_NODE },
      scripts: { start: `node ${DEPLOYED_ENTRIES[1].file}` },
      dependencies: staged.pinned,
    });
    await writeJson(join(out, "package-lock.json"), staged.lockfile);
    // Cloud Run's buildpack would otherwise start `npm run start`: npm, as PID 1, exits at once on
    // SIGTERM and the container goes down with requests in flight. From a Procfile the launcher
    // execs node itself, so the server drains (Cloud Functions builds ignore the Procfile).
    await writeFile(join(out, "Procfile"), `web: node ${DEPLOYED_ENTRIES[1].file}\n`);

    const bytes = await sizeOf(copied.map((path) => join(out, path)));
    const lockedPackages = Object.keys(staged.lockfile.packages).length - 1;
    log(`staged ${ownFiles.length} compiled modules (${formatBytes(bytes)} with source maps)`);
    for (const trace of traces) log(`  ${trace.file} imports ${trace.packages.join(", ")}`);
    log(
      `package.json pins ${Object.keys(staged.pinned).length} packages; the lockfile installs ${lockedPackages} → ${out}`,
    );
    return {
      out,
      entries: traces,
      files: ownFiles,
      bytes,
      dependencies: staged.pinned,
      lockedPackages,
    };
  } finally {
    await rm(build, { recursive: true, force: true });
  }
}

/** `tsc -p tsconfig.build.json` into `outDir`, with the TypeScript the checkout pins. */
function compile(root: string, outDir: string): void {
  const tsc = join(
    dirname(createRequire(join(root, "package.json")).resolve("typescript/package.json")),
    "bin",
    "tsc",
  );
  const run = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", outDir], {
    cwd: root,
    encoding: "utf8",
  });
  if (run.status !== 0) {
    throw new Error(
      `tsc -p tsconfig.build.json failed; fix the errors below and stage again:\n${run.stdout}${run.stderr}`,
    );
  }
}

/** Every package the deployed files import is a production dependency meant for the cloud. */
function checkImports(
  packages: ReadonlyMap<string, readonly string[]>,
  rootPackage: z.infer<typeof RootPackageSchema>,
  buildDir: string,
): void {
  const problems: string[] = [];
  for (const [name, importers] of packages) {
    const by = importers.map((file) => file.slice(buildDir.length + 1)).join(", ");
    if ((LOCAL_ONLY_PACKAGES as readonly string[]).includes(name)) {
      problems.push(`${name} (local runs and the CLI only) is imported by ${by}`);
    } else if (name in rootPackage.devDependencies) {
      problems.push(`${name} is a devDependency but is imported by ${by}`);
    } else if (!(name in rootPackage.dependencies)) {
      problems.push(`${name} is not in package.json dependencies but is imported by ${by}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `the deployed code imports packages the cloud must not install:\n  ${problems.join("\n  ")}\nMove that import out of the deployed graph (or make the package a production dependency).`,
    );
  }
}

function relativeTo(root: string, path: string): string {
  return relative(root, path).split("\\").join("/");
}
