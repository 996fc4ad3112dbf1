import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { createContext, runInContext, Script } from "node:vm";

/** What `require("@dataform/core")` exposes to a compiler (its `index.ts`). */
export interface DataformCore {
  readonly version: string;
  /** Turns a project file (.sqlx, .yaml, .sql, .js) into CommonJS source. */
  compiler(code: string, filePath: string): string;
  /** Compiles the project: base64 `CoreExecutionRequest` in, base64 `CoreExecutionResponse` out. */
  main(request: string): string;
}

export interface CoreRuntime {
  readonly core: DataformCore;
  readonly bundlePath: string;
  /** Runs `work` inside the runtime's context, stopped after `timeoutMs`. */
  run<T>(work: () => T, timeoutMs: number): T;
}

type ModuleFunction = (
  exports: unknown,
  require: (id: string) => unknown,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;

const hostRequire = createRequire(import.meta.url);
const FILE_OF_ERROR = Symbol("unistack.dataformFile");
const scripts = new Map<string, Script>();

/** The core a project pins (its own node_modules, like the Dataform CLI), else ours. */
export function resolveCoreBundle(projectDir: string): string {
  const pinned = join(projectDir, "node_modules", "@dataform", "core", "bundle.js");
  return existsSync(pinned) ? pinned : hostRequire.resolve("@dataform/core");
}

/**
 * Loads @dataform/core into a fresh V8 context with a CommonJS loader rooted at the project.
 *
 * Core requires project files by project-relative path (`definitions/x.sqlx`,
 * `workflow_settings.yaml`, `includes/dialect.js`) and keeps its session and the includes on
 * `global`; the Dataform CLI gives it that through vm2. The project is our own code, so there is
 * nothing to sandbox: a plain `node:vm` context keeps core's globals away from the host and
 * lets every compile start from a clean session. Each file is evaluated with its real path as
 * the script name, which is how core attributes actions and errors to files.
 */
export function loadCoreRuntime(projectDir: string): CoreRuntime {
  const root = realpathSync(projectDir);
  const bundlePath = resolveCoreBundle(root);
  const fileStack: string[] = [];
  const context = createContext({ console, __unistackCurrentFile: () => fileStack.at(-1) ?? null });
  runInContext(
    `globalThis.global = globalThis;
     Object.defineProperty(globalThis, "__dataform_current_file", {
       configurable: true,
       get: () => __unistackCurrentFile(),
     });`,
    context,
  );
  const newModule = runInContext("() => ({ exports: {} })", context) as () => {
    exports: unknown;
  };
  const cache = new Map<string, { exports: unknown }>();
  let compiler: DataformCore["compiler"] | undefined;

  const evaluate = (filePath: string, script: Script, builtins: readonly string[]) => {
    const module = newModule();
    cache.set(filePath, module);
    const fn = script.runInContext(context) as ModuleFunction;
    fileStack.push(filePath);
    try {
      fn(
        module.exports,
        requireFrom(dirname(filePath), builtins),
        module,
        filePath,
        dirname(filePath),
      );
    } catch (error) {
      cache.delete(filePath);
      markFile(error, filePath);
      throw error;
    } finally {
      fileStack.pop();
    }
    return module.exports;
  };

  const requireFrom =
    (fromDir: string, builtins: readonly string[]) =>
    (id: string): unknown => {
      if (id === "@dataform/core") return core;
      if (builtins.includes(id.replace(/^node:/, ""))) return hostRequire(id);
      const filePath = resolveProjectFile(root, fromDir, id);
      const cached = cache.get(filePath);
      if (cached) return cached.exports;
      const text = readFileSync(filePath, "utf8");
      if (filePath.endsWith(".json")) {
        const module = newModule();
        module.exports = JSON.parse(text);
        cache.set(filePath, module);
        return module.exports;
      }
      if (!compiler) throw new Error("@dataform/core is not loaded yet");
      // Project code gets `path` only, as in the Dataform CLI.
      return evaluate(filePath, moduleScript(filePath, compiler(text, filePath)), ["path"]);
    };

  // Core reads `fs` through its bundled protobufjs only; project files never get it.
  const core = evaluate(bundlePath, bundleScript(bundlePath), ["fs"]) as DataformCore;
  compiler = core.compiler;
  if (typeof core.main !== "function" || typeof core.compiler !== "function") {
    throw new Error(`${bundlePath} is not a @dataform/core v3 bundle (no main/compiler export)`);
  }

  return {
    core,
    bundlePath,
    run<T>(work: () => T, timeoutMs: number): T {
      context.__unistackWork = work;
      try {
        return runInContext("__unistackWork()", context, { timeout: timeoutMs }) as T;
      } catch (error) {
        // A timeout terminates execution without running `finally` blocks: the file still on
        // the stack is the one that never returned.
        const current = fileStack.at(-1);
        if (current !== undefined && current !== bundlePath) markFile(error, current);
        fileStack.length = 0;
        throw error;
      } finally {
        context.__unistackWork = undefined;
      }
    },
  };
}

/** Remembers the innermost project file an error came out of (first mark wins). */
function markFile(error: unknown, filePath: string): void {
  if (typeof error !== "object" || error === null || FILE_OF_ERROR in error) return;
  try {
    Object.defineProperty(error, FILE_OF_ERROR, { value: filePath });
  } catch {
    // A frozen error keeps no mark; the compile error then names no file.
  }
}

/** The project file an error thrown while loading project code came from, if known. */
export function fileOfError(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const file = (error as Record<symbol, unknown>)[FILE_OF_ERROR];
  return typeof file === "string" ? file : undefined;
}

function moduleScript(filePath: string, source: string): Script {
  return new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: filePath,
  });
}

/** The core bundle is 0.8 MB: parse it once per process, evaluate it once per compile. */
function bundleScript(filePath: string): Script {
  const cached = scripts.get(filePath);
  if (cached) return cached;
  const script = moduleScript(filePath, readFileSync(filePath, "utf8"));
  scripts.set(filePath, script);
  return script;
}

/** Project-relative ids resolve from the project root, `./` and `../` from the caller. */
function resolveProjectFile(root: string, fromDir: string, id: string): string {
  const base =
    id.startsWith("./") || id.startsWith("../") ? resolve(fromDir, id) : resolve(root, id);
  for (const candidate of [base, `${base}.js`, `${base}.json`]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  const error = new Error(`Cannot find module '${id}' in ${root}`) as Error & { code: string };
  error.code = "MODULE_NOT_FOUND";
  throw error;
}
