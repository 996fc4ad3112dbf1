import { writeFile } from "node:fs/promises";
import { compileProject, type SqlTarget } from "../../dataform/compile.js";

export interface CompileCommandOptions {
  readonly projectDir: string;
  readonly target: SqlTarget;
  readonly out?: string;
}

/** `unistack compile`: the compiled graph as JSON (stdout or a file) and a one-line summary. */
export async function compileCommand(options: CompileCommandOptions): Promise<void> {
  const started = performance.now();
  const graph = await compileProject({ projectDir: options.projectDir, target: options.target });
  const json = `${JSON.stringify(graph, null, 2)}\n`;
  const byType = new Map<string, number>();
  for (const action of graph.actions) byType.set(action.type, (byType.get(action.type) ?? 0) + 1);
  const counts = [...byType].map(([type, n]) => `${n} ${type}`).join(", ");
  const summary = `compiled ${graph.actions.length} actions for ${options.target} (${counts}) in ${Math.round(performance.now() - started)} ms`;
  if (options.out) {
    await writeFile(options.out, json);
    console.log(`${summary} → ${options.out}`);
  } else {
    process.stdout.write(json);
    console.error(summary);
  }
}
