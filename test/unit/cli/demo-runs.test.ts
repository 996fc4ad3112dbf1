import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDemo } from "../../../functions/cli/demo/demo-context.js";

const options = (dir: string) => ({
  dir,
  contacts: 50,
  seed: 3,
  fresh: false,
  concurrency: 2,
  projectDir: resolve(import.meta.dirname, "../../.."),
});

describe("demo runs", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "unistack-runs-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("re-runs a run that did not finish as the same run, with the same scenario", async () => {
    const failed = await openDemo(options(dir));
    await failed.close();
    const retry = await openDemo(options(dir));
    await retry.close();
    expect(retry.run).toBe(1);
    expect(retry.state.anchor).toBe(failed.state.anchor);
  });

  it("moves to the next run once a run has finished", async () => {
    const first = await openDemo(options(dir));
    await first.commit();
    await first.close();
    const next = await openDemo(options(dir));
    await next.close();
    expect(next.run).toBe(2);
    expect(next.state.anchor).toBe(first.state.anchor);
    const saved = JSON.parse(await readFile(join(dir, "demo-state.json"), "utf8")) as {
      runs: number;
    };
    expect(saved.runs).toBe(1);
  });
});
