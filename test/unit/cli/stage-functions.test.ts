import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stageFunctions } from "../../../functions/cli/commands/stage-functions.js";

const repoRoot = resolve(import.meta.dirname, "../../..");

/**
 * A checkout of its own: the repo's lockfile and TypeScript settings, the given sources under
 * functions/, and a node_modules holding links to the packages they may import.
 */
async function checkout(sources: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "unistack-stage-fixture-"));
  const root = JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8"));
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({
      name: "fixture",
      version: "1.0.0",
      type: "module",
      dependencies: root.dependencies,
      devDependencies: root.devDependencies,
    }),
  );
  for (const file of ["package-lock.json", "tsconfig.json", "tsconfig.build.json"]) {
    await cp(join(repoRoot, file), join(dir, file));
  }
  for (const name of ["typescript", "@types/node", "zod", "commander", "@faker-js/faker"]) {
    await mkdir(dirname(join(dir, "node_modules", name)), { recursive: true });
    await symlink(join(repoRoot, "node_modules", name), join(dir, "node_modules", name), "dir");
  }
  for (const [path, text] of Object.entries(sources)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

describe("unistack stage functions", () => {
  const dirs: string[] = [];
  const stage = async (sources: Record<string, string>) => {
    const dir = await checkout(sources);
    dirs.push(dir);
    const lines: string[] = [];
    const out = join(dir, "out");
    const run = () => stageFunctions({ projectDir: dir, out, log: (line) => lines.push(line) });
    return { dir, out, lines, run };
  };
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it("stages only the files the entry points load and pins only the packages they import", async () => {
    const { out, lines, run } = await stage({
      "functions/index.ts":
        'import { z } from "zod";\nimport { two } from "./lib/two.js";\nexport const x = z.string().parse(String(two));\n',
      "functions/lib/two.ts": "export const two = 2;\n",
      "functions/serve-ingest.ts": 'import { two } from "./lib/two.js";\nconsole.log(two);\n',
      "functions/unused.ts":
        'import { faker } from "@faker-js/faker";\nexport const name = faker.person.firstName();\n',
    });
    const staged = await run();
    expect(staged.files).toEqual([
      "dist/functions/index.js",
      "dist/functions/lib/two.js",
      "dist/functions/serve-ingest.js",
    ]);
    expect(staged.entries).toEqual([
      { file: "dist/functions/index.js", packages: ["zod"] },
      { file: "dist/functions/serve-ingest.js", packages: [] },
    ]);
    expect(existsSync(join(out, "dist/functions/unused.js"))).toBe(false);
    expect(existsSync(join(out, "dist/functions/lib/two.js.map"))).toBe(true);
    const pkg = JSON.parse(await readFile(join(out, "package.json"), "utf8"));
    const lock = JSON.parse(await readFile(join(repoRoot, "package-lock.json"), "utf8"));
    expect(pkg.dependencies).toEqual({ zod: lock.packages["node_modules/zod"].version });
    expect(pkg.scripts).toEqual({ start: "node dist/functions/serve-ingest.js" });
    expect(await readFile(join(out, "Procfile"), "utf8")).toBe(
      "web: node dist/functions/serve-ingest.js\n",
    );
    expect(lines.join("\n")).toContain("dist/functions/index.js imports zod");
  });

  it("refuses a checkout without the Cloud Run entry, naming the file to add", async () => {
    const { out, run } = await stage({ "functions/index.ts": "export const x = 1;\n" });
    await expect(run()).rejects.toThrow(
      "dist/functions/serve-ingest.js (the Cloud Run ingest service) was not built: is functions/serve-ingest.ts there?",
    );
    expect(existsSync(out)).toBe(false);
  });

  it("refuses a deployed graph that imports a devDependency, naming the importing file", async () => {
    const { out, run } = await stage({
      "functions/index.ts": 'export { name } from "./names.js";\n',
      "functions/serve-ingest.ts": "export {};\n",
      "functions/names.ts":
        'import { faker } from "@faker-js/faker";\nexport const name = faker.person.firstName();\n',
    });
    await expect(run()).rejects.toThrow(
      "@faker-js/faker is a devDependency but is imported by dist/functions/names.js",
    );
    expect(existsSync(out)).toBe(false);
  });

  it("refuses a deployed graph that reaches the CLI's packages, though they are production dependencies", async () => {
    const { run } = await stage({
      "functions/index.ts": "export {};\n",
      "functions/serve-ingest.ts":
        'import { Command } from "commander";\nexport const cli = new Command();\n',
    });
    await expect(run()).rejects.toThrow(
      "commander (local runs and the CLI only) is imported by dist/functions/serve-ingest.js",
    );
  });

  it("refuses to empty an --out folder holding files it did not write", async () => {
    const { out, run } = await stage({
      "functions/index.ts": "export const x = 1;\n",
      "functions/serve-ingest.ts": "export {};\n",
    });
    await mkdir(out, { recursive: true });
    await writeFile(join(out, "notes.txt"), "mine");
    await expect(run()).rejects.toThrow("holds files a stage did not write (notes.txt)");
    expect(await readFile(join(out, "notes.txt"), "utf8")).toBe("mine");
  });
});
