import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join, resolve } from "node:path";

/**
 * Test tooling that is not npm: emulators (fake-gcs-server, the BigQuery emulator, the gcloud
 * Pub/Sub emulator), terraform and the tools `.ci/install-tools` builds. `npm install && npm test`
 * on a laptop never needs them: a test whose tool is missing skips with a visible `[skip]` line.
 * CI sets `UNISTACK_REQUIRE_TOOLS=1`, and there a missing tool fails the test instead.
 *
 * Where a tool is looked for, in order: `UNISTACK_<NAME>_BIN` (name upper-cased, `-` → `_`),
 * `.tools/bin/<name>` in the repository (where `.ci/install-tools` puts them), then `PATH`.
 */
export const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const TOOLS_BIN = join(REPO_ROOT, ".tools", "bin");

export function toolsRequired(): boolean {
  return process.env.UNISTACK_REQUIRE_TOOLS === "1";
}

export function findTool(name: string): string | undefined {
  const envName = `UNISTACK_${name.toUpperCase().replaceAll("-", "_")}_BIN`;
  const fromEnv = process.env[envName];
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const local = join(TOOLS_BIN, name);
  if (existsSync(local)) return local;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export type ToolLookup =
  | { readonly ok: true; readonly path: string }
  | { readonly ok: false; readonly reason: string };

/**
 * The tool's path, or a reason to skip that has already been printed as a `[skip]` line.
 * Throws (the test fails) when CI requires tools. `check` may refuse a found binary (e.g. the
 * gcloud emulator component is missing) by returning a reason.
 */
export function requireTool(
  name: string,
  what: string,
  check?: (path: string) => string | undefined,
): ToolLookup {
  const path = findTool(name);
  const problem = path
    ? check?.(path)
    : `${name} not found (run .ci/install-tools, or set UNISTACK_${name.toUpperCase().replaceAll("-", "_")}_BIN)`;
  if (path && !problem) return { ok: true, path };
  const reason = `${problem}: skipping ${what}`;
  if (toolsRequired()) throw new Error(`UNISTACK_REQUIRE_TOOLS=1 and ${reason}`);
  console.warn(`[skip] ${reason}`);
  return { ok: false, reason };
}

/** Whether `path --version` (or the given args) exits 0. */
export function runs(path: string, args: readonly string[] = ["--version"]): boolean {
  return spawnSync(path, [...args], { stdio: "ignore", timeout: 30_000 }).status === 0;
}

/** A TCP port that was free a moment ago, on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolvePort(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}
