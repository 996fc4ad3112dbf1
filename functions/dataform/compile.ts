import { readdirSync, realpathSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { type CompiledGraph, CompiledGraphSchema } from "./compiled-graph.js";
import { actionsOf, CoreGraphSchema } from "./core-graph.js";
import { decodeCompiledGraph, encodeCompileRequest } from "./core-protocol.js";
import { fileOfError, loadCoreRuntime } from "./core-runtime.js";

export type SqlTarget = "bigquery" | "duckdb";

export interface CompileOptions {
  /** Folder holding workflow_settings.yaml, definitions/ and includes/. */
  readonly projectDir: string;
  /** SQL dialect to render (the `target` var the includes read). */
  readonly target: SqlTarget;
  /** Compile var overrides, merged over workflow_settings.yaml `vars`. */
  readonly vars?: Readonly<Record<string, string>>;
  /** BigQuery project to compile for, instead of workflow_settings.yaml `defaultProject`. */
  readonly defaultProject?: string;
  /** Stops a compile whose project code never returns (default 30 s). */
  readonly timeoutMs?: number;
}

export interface CompilationProblem {
  /** Project-relative file the problem is in. */
  readonly fileName: string;
  readonly message: string;
}

/** Core could not compile the project; `problems` name each file and what is wrong in it. */
export class DataformCompileError extends Error {
  readonly problems: readonly CompilationProblem[];

  constructor(problems: readonly CompilationProblem[]) {
    const lines = problems.map((p) => `  ${p.fileName || "(project)"}: ${firstLine(p.message)}`);
    super(
      `Dataform compilation failed with ${problems.length} error(s):\n${lines.join("\n")}\n` +
        "Fix the files named above, then compile again.",
    );
    this.name = "DataformCompileError";
    this.problems = problems;
  }
}

/**
 * Compiles a Dataform v3 project in-process with the pinned @dataform/core, the way the
 * Dataform CLI does (workflow settings + every definitions/ and includes/ file, through core's
 * `main`), for one SQL dialect. Throws `DataformCompileError` naming the failing files.
 */
export async function compileProject(options: CompileOptions): Promise<CompiledGraph> {
  const started = performance.now();
  const projectDir = realpathSync(options.projectDir);
  const filePaths = listProjectFiles(projectDir);
  let raw: unknown;
  try {
    const runtime = loadCoreRuntime(projectDir);
    const request = encodeCompileRequest(runtime.bundlePath, {
      projectDir,
      filePaths,
      projectConfigOverride: {
        vars: { ...options.vars, target: options.target },
        ...(options.defaultProject ? { defaultDatabase: options.defaultProject } : {}),
      },
    });
    const response = runtime.run(() => runtime.core.main(request), options.timeoutMs ?? 30_000);
    raw = decodeCompiledGraph(runtime.bundlePath, response);
  } catch (error) {
    // Core throws (rather than reporting a graph error) for project-level faults: a missing or
    // invalid workflow_settings.yaml, project code that never returns.
    const file = fileOfError(error);
    const fileName = file ? relative(projectDir, file).split(sep).join("/") : guessFile(error);
    throw new DataformCompileError([{ fileName, message: messageOf(error) }]);
  }
  const parsed = CoreGraphSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `@dataform/core returned a compiled graph this compiler does not understand: ${parsed.error.message}`,
    );
  }
  const problems = parsed.data.graphErrors?.compilationErrors ?? [];
  if (problems.length > 0) {
    throw new DataformCompileError(
      problems.map((p) => ({ fileName: p.fileName, message: p.message })),
    );
  }
  return CompiledGraphSchema.parse({
    target: options.target,
    coreVersion: parsed.data.dataformCoreVersion,
    projectConfig: parsed.data.projectConfig,
    actions: actionsOf(parsed.data),
    compileMs: Math.round(performance.now() - started),
  });
}

const SKIPPED_DIRS = new Set(["node_modules", ".git", ".dataform"]);

/** The files core looks at: everything under definitions/ and includes/, `/`-separated. */
export function listProjectFiles(projectDir: string): string[] {
  const files: string[] = [];
  for (const top of ["definitions", "includes"]) {
    const dir = join(projectDir, top);
    let entries: string[];
    try {
      entries = readdirSync(dir, { recursive: true, encoding: "utf8" });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const path = join(dir, entry);
      if (entry.split(sep).some((part) => SKIPPED_DIRS.has(part) || part.startsWith("."))) continue;
      if (!/\.[A-Za-z0-9]+$/.test(entry) || !statSync(path).isFile()) continue;
      files.push(relative(projectDir, path).split(sep).join("/"));
    }
  }
  return files.sort();
}

function messageOf(error: unknown): string {
  if (
    error instanceof Error ||
    (typeof error === "object" && error !== null && "message" in error)
  ) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}

function guessFile(error: unknown): string {
  const message = messageOf(error);
  if (/workflow_settings/i.test(message)) return "workflow_settings.yaml";
  return "";
}

function firstLine(text: string): string {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  return lines.slice(0, 3).join(" | ");
}
