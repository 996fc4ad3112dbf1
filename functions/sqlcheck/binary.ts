import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, chmod, copyFile, mkdir, readFile, rename, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { z } from "zod";

/**
 * Where the ZetaSQL gRPC server of `@fivetrandevelopers/zetasql` lives on this machine.
 *
 * The package (1.13.0) ships its four server builds already unpacked in `lib/zetasql/` with the
 * executable bit set, so a plain `npm install` (install scripts on or off) is enough. Two
 * fallbacks keep this working when that is not true: a binary that lost its executable bit
 * (copied by a tool that drops modes, read-only store) is copied into the cache and made
 * executable, and a build shipped only as `bin/<platform>/<name>.tar.gz` (the layout of the
 * package's source repository) is unpacked into the cache at first use. The cache is
 * `node_modules/.cache/unistack-zetasql/<version>/`, so it goes away with `node_modules`.
 */
export interface ZetaSqlInstall {
  readonly version: string;
  /** Absolute path of the package root (holds package.json). */
  readonly packageRoot: string;
  /** Folder with `local_service.proto` and its imports. */
  readonly protosDir: string;
  /** Absolute path of the server executable to spawn. */
  readonly serverPath: string;
  /** `require` rooted at the package, so its own gRPC dependencies resolve as it expects. */
  readonly requireFromPackage: NodeJS.Require;
}

export interface LocateOptions {
  readonly platform?: NodeJS.Platform;
  readonly arch?: string;
  /** Package root to use instead of resolving `@fivetrandevelopers/zetasql` (tests). */
  readonly packageRoot?: string;
  /** Cache folder instead of `node_modules/.cache/unistack-zetasql` (tests). */
  readonly cacheDir?: string;
}

const PACKAGE = "@fivetrandevelopers/zetasql";
const PackageJsonSchema = z.object({ version: z.string() });

/** The server build for a platform, named as the package names it. */
export function serverBuildFor(platform: string, arch: string): { name: string; binDir: string } {
  const isArm = arch === "arm64";
  if (arch !== "x64" && !isArm) throw unsupported(platform, arch);
  if (platform === "linux") {
    return isArm
      ? { name: "remote_server_arm.so", binDir: "linux-arm-64" }
      : { name: "remote_server.so", binDir: "linux-x86-64" };
  }
  if (platform === "darwin") {
    return isArm
      ? { name: "remote_server_arm", binDir: "darwin-arm-64" }
      : { name: "remote_server", binDir: "darwin-x86-64" };
  }
  throw unsupported(platform, arch);
}

export async function locateZetaSql(options: LocateOptions = {}): Promise<ZetaSqlInstall> {
  const packageRoot = options.packageRoot ?? resolvePackageRoot();
  const packageJson = path.join(packageRoot, "package.json");
  const { version } = PackageJsonSchema.parse(JSON.parse(await readFile(packageJson, "utf8")));
  const build = serverBuildFor(options.platform ?? process.platform, options.arch ?? process.arch);
  const cacheDir = path.join(options.cacheDir ?? defaultCacheDir(packageRoot), version);
  const shipped = path.join(packageRoot, "lib", "zetasql", build.name);
  const tarball = path.join(packageRoot, "bin", build.binDir, `${build.name}.tar.gz`);
  const serverPath = await usableServer(shipped, tarball, path.join(cacheDir, build.name));
  return {
    version,
    packageRoot,
    protosDir: path.join(packageRoot, "lib", "zetasql", "protos"),
    serverPath,
    requireFromPackage: createRequire(packageJson),
  };
}

async function usableServer(shipped: string, tarball: string, cached: string): Promise<string> {
  if (await isExecutable(shipped)) return shipped;
  if (await isExecutable(cached)) return cached;
  await mkdir(path.dirname(cached), { recursive: true });
  // Write under a temporary name and rename, so a concurrent first use never runs a half copy.
  const partial = `${cached}.${process.pid}.partial`;
  if (await exists(shipped)) {
    await copyFile(shipped, partial);
  } else if (await exists(tarball)) {
    const unpackDir = `${partial}.d`;
    await mkdir(unpackDir, { recursive: true });
    await promisify(execFile)("tar", ["-xzf", tarball, "-C", unpackDir]);
    await rename(path.join(unpackDir, path.basename(cached)), partial);
  } else {
    throw new Error(
      `The ZetaSQL server binary is missing: looked for ${shipped} and ${tarball}. ` +
        `Reinstall the package (npm install ${PACKAGE}) and check that your platform is supported.`,
    );
  }
  await chmod(partial, 0o755);
  await rename(partial, cached);
  return cached;
}

function resolvePackageRoot(): string {
  const require = createRequire(import.meta.url);
  try {
    return path.dirname(require.resolve(`${PACKAGE}/package.json`));
  } catch {
    throw new Error(
      `${PACKAGE} is not installed; it is a devDependency of Unistack: run npm install.`,
    );
  }
}

function defaultCacheDir(packageRoot: string): string {
  const parts = packageRoot.split(path.sep);
  const at = parts.lastIndexOf("node_modules");
  const nodeModules = at >= 0 ? parts.slice(0, at + 1).join(path.sep) : packageRoot;
  return path.join(nodeModules, ".cache", "unistack-zetasql");
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function unsupported(platform: string, arch: string): Error {
  return new Error(
    `${PACKAGE} ships ZetaSQL servers for linux and darwin on x64 and arm64, not ${platform}-${arch}. ` +
      "Run check-sql on one of those (on Windows: inside WSL), e.g. in Cloud Build.",
  );
}
