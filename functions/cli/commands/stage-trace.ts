import { builtinModules } from "node:module";
import { isAbsolute, relative, resolve, sep } from "node:path";

export interface TraceRequest {
  /** Folder every traced path is relative to; node_modules is looked up from here upwards. */
  readonly base: string;
  /** Entry files, relative to `base`. */
  readonly entries: readonly string[];
  /** Only files under this folder (relative to `base`) are ours: everything else is a package. */
  readonly ownDir: string;
  /** Shared between traces of one build, so a module is parsed once. */
  readonly cache?: object;
}

export interface TraceResult {
  /** Our files the entries load (entries included), relative to `base`, sorted. */
  readonly files: readonly string[];
  /** Each npm package our files import, with the files (relative to `base`) importing it. */
  readonly packages: ReadonlyMap<string, readonly string[]>;
}

/**
 * The files the entries load at run time and the npm packages they import, found by
 * `@vercel/nft` (Vercel's tracer for deploying Node functions: it follows `import`, `require`,
 * `createRequire`, `import()` with computable paths and asset reads the way Node resolves them).
 * Packages are not descended into: `npm ci` installs them whole from the lockfile, so only the
 * edges from our files into packages matter. A file nft cannot resolve from our code fails the
 * trace, since it would fail in the cloud too.
 */
export async function traceRuntimeFiles(request: TraceRequest): Promise<TraceResult> {
  // Loaded lazily: the tracer is a dev tool, the rest of the CLI must not need it.
  const { nodeFileTrace, resolve: nftResolve } = await import("@vercel/nft");
  const ownPrefix = `${request.ownDir.split(sep).join("/")}/`;
  const toRel = (path: string) =>
    (isAbsolute(path) ? relative(request.base, path) : path).split(sep).join("/");
  const isOwn = (rel: string) => rel.startsWith(ownPrefix);
  const packages = new Map<string, Set<string>>();

  const result = await nodeFileTrace(
    request.entries.map((entry) => resolve(request.base, entry)),
    {
      base: request.base,
      processCwd: request.base,
      ...(request.cache ? { cache: request.cache } : {}),
      ignore: (path) => !isOwn(toRel(path)),
      resolve: async (id, parent, job, cjsResolve) => {
        const resolved = await nftResolve(id, parent, job, cjsResolve);
        const name = packageOf(id);
        if (name && isOwn(toRel(parent))) {
          const importers = packages.get(name) ?? new Set<string>();
          importers.add(toRel(parent));
          packages.set(name, importers);
        }
        return resolved;
      },
    },
  );

  const problems = [...result.warnings]
    .map((warning) => warning.message)
    .filter((message) => message.includes(resolve(request.base, request.ownDir)));
  if (problems.length > 0) {
    throw new Error(
      `the deployed code loads something that cannot be found:\n  ${problems.join("\n  ")}`,
    );
  }
  return {
    files: [...result.fileList].map(toRel).filter(isOwn).sort(),
    packages: new Map(
      [...packages]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, set]) => [name, [...set].sort()]),
    ),
  };
}

/** `@scope/name` or `name` for a bare specifier (`pino`, `@google-cloud/storage/build/x`). */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("node:")) {
    return undefined;
  }
  if (specifier.startsWith("#")) return undefined;
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  return name && !BUILTINS.has(name) ? name : undefined;
}

const BUILTINS = new Set(builtinModules);
