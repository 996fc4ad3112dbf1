import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stageDataform } from "../../../functions/cli/commands/stage-dataform.js";

const repoRoot = resolve(import.meta.dirname, "../../..");

describe("unistack stage dataform", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  /** A copy of the checkout's Dataform project, package.json edited by `edit`. */
  async function checkout(edit: (pkg: Record<string, Record<string, string>>) => void) {
    const dir = await mkdtemp(join(tmpdir(), "unistack-stage-dataform-"));
    dirs.push(dir);
    for (const entry of [
      "workflow_settings.yaml",
      "definitions",
      "includes",
      "package-lock.json",
    ]) {
      await cp(join(repoRoot, entry), join(dir, entry), { recursive: true });
    }
    const pkg = JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8"));
    edit(pkg);
    await writeFile(join(dir, "package.json"), JSON.stringify(pkg));
    return dir;
  }

  it("refuses a checkout that pins @dataform/core to a range: the service and our compiler would drift apart", async () => {
    const dir = await checkout((pkg) => {
      (pkg.devDependencies as Record<string, string>)["@dataform/core"] = "^3.0.62";
    });
    await expect(
      stageDataform({ projectDir: dir, out: join(dir, "out"), log: () => {} }),
    ).rejects.toThrow("package.json must pin @dataform/core to an exact version (found ^3.0.62)");
  });

  it("refuses a pin the lockfile does not install, saying to run npm install", async () => {
    const dir = await checkout((pkg) => {
      (pkg.devDependencies as Record<string, string>)["@dataform/core"] = "3.0.59";
    });
    await expect(
      stageDataform({ projectDir: dir, out: join(dir, "out"), log: () => {} }),
    ).rejects.toThrow(
      "package-lock.json resolves @dataform/core 3.0.62 but package.json pins 3.0.59",
    );
  });

  it("copies the project files and leaves out editor and OS leftovers", async () => {
    const dir = await checkout(() => {});
    await writeFile(join(dir, "definitions", ".DS_Store"), "x");
    const staged = await stageDataform({ projectDir: dir, out: join(dir, "out"), log: () => {} });
    expect(staged.coreVersion).toBe("3.0.62");
    expect(staged.files).toContain("includes/dialect.js");
    expect(existsSync(join(dir, "out", "definitions", ".DS_Store"))).toBe(false);
    expect(await readFile(join(dir, "out", "workflow_settings.yaml"), "utf8")).toBe(
      await readFile(join(repoRoot, "workflow_settings.yaml"), "utf8"),
    );
  });
});
