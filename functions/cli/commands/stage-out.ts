import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Empties `out` for a new stage, refusing a folder that holds anything a stage did not write
 * (the user pointed `--out` at the wrong place: deleting it would lose their files).
 */
export async function prepareOutDir(out: string, owned: readonly string[]): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(out);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    entries = [];
  }
  const foreign = entries.filter((entry) => !owned.includes(entry));
  if (foreign.length > 0) {
    throw new Error(
      `${out} holds files a stage did not write (${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", …" : ""}): choose an empty or new folder for --out.`,
    );
  }
  for (const entry of entries) await rm(join(out, entry), { recursive: true, force: true });
  await mkdir(out, { recursive: true });
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Total size in bytes of the given files. */
export async function sizeOf(paths: readonly string[]): Promise<number> {
  let total = 0;
  for (const path of paths) total += (await stat(path)).size;
  return total;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
