import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

/** What the demo remembers between runs, in `<dir>/demo-state.json`. */
export const DemoStateSchema = z.object({
  version: z.literal(1),
  seed: z.number().int(),
  contacts: z.number().int().positive(),
  /** Time anchor of the synthetic scenario: fixed at run 1 so later runs continue the story. */
  anchor: z.iso.datetime(),
  runs: z.number().int().nonnegative(),
  metaAudienceId: z.string().regex(/^\d+$/),
});
export type DemoState = z.infer<typeof DemoStateSchema>;

const FILE = "demo-state.json";

export async function readDemoState(dir: string): Promise<DemoState | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, FILE), "utf8");
  } catch {
    return undefined;
  }
  const parsed = DemoStateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(
      `${join(dir, FILE)} is not a demo state this version understands: run with --fresh to start over`,
    );
  }
  return parsed.data;
}

export async function writeDemoState(dir: string, state: DemoState): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, FILE), `${JSON.stringify(state, null, 2)}\n`);
}

/** Removes everything a previous demo left in `dir` (lake, warehouse, sandbox state). */
export async function wipeDemoDir(dir: string): Promise<void> {
  for (const entry of ["lake", "warehouse.duckdb", "warehouse.duckdb.wal", "sandbox", FILE]) {
    await rm(join(dir, entry), { recursive: true, force: true });
  }
}
