import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadCommand } from "../../../functions/cli/commands/load.js";
import { createLocalPlatform } from "../../../functions/platform/local/local-platform.js";
import { landFiles, landPoisonedFile } from "./loader-harness.js";

let dir: string;
let out: string[];
let err: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "unistack-load-cli-"));
  out = [];
  err = [];
  vi.spyOn(console, "log").mockImplementation((line: string) => void out.push(line));
  vi.spyOn(console, "error").mockImplementation((line: string) => void err.push(line));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

async function land(
  work: (p: Awaited<ReturnType<typeof createLocalPlatform>>) => Promise<unknown>,
) {
  const platform = await createLocalPlatform({ dir });
  try {
    await work(platform);
  } finally {
    await platform.close();
  }
}

describe("unistack load", () => {
  it("loads what the lake holds and the ledger lacks, and says how much was already loaded", async () => {
    await land((p) => landFiles(p.store, { count: 3, tag: "a" }));
    expect(await loadCommand({ dir })).toBe(0);
    await land((p) => landFiles(p.store, { count: 2, tag: "b" }));
    expect(await loadCommand({ dir })).toBe(0);
    expect(out).toEqual([
      "3 files loaded (6 rows, 1 load job), 0 already loaded",
      "2 files loaded (4 rows, 1 load job), 3 already loaded",
    ]);
    expect(err).toEqual([]);
  });

  it("exits 1 and names the failures table and the way out when a file cannot be loaded", async () => {
    await land(async (p) => {
      await landFiles(p.store, { count: 2 });
      await landPoisonedFile(p.store);
    });
    expect(await loadCommand({ dir })).toBe(1);
    expect(out).toEqual(["2 files loaded (4 rows, 3 load jobs), 0 already loaded"]);
    expect(err.join("\n")).toMatch(
      /1 raw files failed to load \(recorded in ops_load\.raw_load_failures\).*Fix the cause and run again/,
    );
  });
});
