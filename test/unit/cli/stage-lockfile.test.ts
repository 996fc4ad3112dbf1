import { describe, expect, it } from "vitest";
import {
  type Lockfile,
  parseLockfile,
  resolveFrom,
  subsetLockfile,
} from "../../../functions/cli/commands/stage-lockfile.js";

/**
 * A root lockfile shaped like the real one: an app dependency `a` and a dev tool `devtool` that
 * share some packages, a nested copy where their versions clash, platform binaries as optional
 * dependencies (one missing, as npm leaves it when the registry lacks it) and peers.
 */
const ROOT: Lockfile = parseLockfile(
  JSON.stringify({
    name: "app",
    version: "1.0.0",
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": {
        name: "app",
        version: "1.0.0",
        dependencies: { a: "^1.0.0", cli: "^3.0.0" },
        devDependencies: { devtool: "^1.0.0" },
      },
      "node_modules/a": {
        version: "1.2.3",
        integrity: "sha512-a",
        dependencies: { b: "^1.0.0", shared: "^2.0.0", peerhost: "^1.0.0" },
        optionalDependencies: { "bin-linux": "1.0.0", "bin-darwin": "1.0.0" },
      },
      "node_modules/a/node_modules/b": { version: "1.0.0", integrity: "sha512-b1" },
      "node_modules/b": { version: "2.0.0", integrity: "sha512-b2", dev: true },
      "node_modules/shared": { version: "2.1.0", integrity: "sha512-shared" },
      "node_modules/bin-linux": {
        version: "1.0.0",
        integrity: "sha512-linux",
        optional: true,
        os: ["linux"],
      },
      "node_modules/peerhost": {
        version: "1.0.0",
        integrity: "sha512-peerhost",
        peerDependencies: { plugin: "^1.0.0", maybe: "^1.0.0" },
        peerDependenciesMeta: { maybe: { optional: true } },
      },
      "node_modules/plugin": { version: "1.4.0", integrity: "sha512-plugin", dev: true },
      "node_modules/maybe": { version: "1.0.0", integrity: "sha512-maybe", dev: true },
      "node_modules/cli": { version: "3.0.0", integrity: "sha512-cli" },
      "node_modules/devtool": {
        version: "1.0.0",
        integrity: "sha512-devtool",
        dev: true,
        dependencies: { b: "^2.0.0", shared: "^2.0.0", plugin: "^1.0.0", maybe: "^1.0.0" },
      },
    },
  }),
);

const subset = () =>
  subsetLockfile(ROOT, {
    name: "deployed",
    version: "1.0.0",
    dependencies: ["a"],
    rootFields: { engines: { node: "22.x.x" } },
  });

describe("the staged lockfile, cut from the root lockfile", () => {
  it("pins each dependency to the exact version the root lockfile installed", () => {
    expect(subset().pinned).toEqual({ a: "1.2.3" });
    expect(subset().lockfile.packages[""]).toEqual({
      name: "deployed",
      version: "1.0.0",
      dependencies: { a: "1.2.3" },
      engines: { node: "22.x.x" },
    });
  });

  it("holds exactly what installing the dependencies needs, at the same paths and hashes", () => {
    const { packages } = subset().lockfile;
    expect(Object.keys(packages)).toEqual([
      "",
      "node_modules/a",
      "node_modules/a/node_modules/b",
      "node_modules/bin-linux",
      "node_modules/peerhost",
      "node_modules/plugin",
      "node_modules/shared",
    ]);
    expect(packages["node_modules/a/node_modules/b"]).toEqual({
      version: "1.0.0",
      integrity: "sha512-b1",
    });
  });

  it("leaves out the dev tool, the copy of b only it uses, the CLI not asked for and optional peers", () => {
    const paths = Object.keys(subset().lockfile.packages);
    for (const absent of [
      "node_modules/devtool",
      "node_modules/b",
      "node_modules/cli",
      "node_modules/maybe",
    ]) {
      expect(paths).not.toContain(absent);
    }
  });

  it("drops dev flags (npm ci --omit=dev would skip those packages) and marks what only optional or peer edges reach", () => {
    const { packages } = subset().lockfile;
    expect(packages["node_modules/plugin"]).toEqual({
      version: "1.4.0",
      integrity: "sha512-plugin",
      peer: true,
    });
    expect(packages["node_modules/bin-linux"]).toMatchObject({ optional: true, os: ["linux"] });
    expect(packages["node_modules/shared"]).toEqual({
      version: "2.1.0",
      integrity: "sha512-shared",
    });
  });

  it("refuses a dependency the root lockfile does not install, saying how to repair it", () => {
    expect(() =>
      subsetLockfile(ROOT, { name: "x", version: "1.0.0", dependencies: ["missing"] }),
    ).toThrow(
      "package-lock.json does not resolve missing at the top level: run `npm install` first.",
    );
    const broken = structuredClone(ROOT);
    delete broken.packages["node_modules/shared"];
    expect(() =>
      subsetLockfile(broken, { name: "x", version: "1.0.0", dependencies: ["a"] }),
    ).toThrow("package-lock.json has no shared where node_modules/a would find it");
  });

  it("resolves a name from the nearest node_modules outwards, as Node does", () => {
    expect(resolveFrom(ROOT.packages, "node_modules/a", "b")).toBe("node_modules/a/node_modules/b");
    expect(resolveFrom(ROOT.packages, "node_modules/devtool", "b")).toBe("node_modules/b");
    expect(resolveFrom(ROOT.packages, "node_modules/a/node_modules/b", "shared")).toBe(
      "node_modules/shared",
    );
    expect(resolveFrom(ROOT.packages, "", "nothing")).toBeUndefined();
  });

  it("refuses a lockfile npm 6 wrote (no packages map)", () => {
    expect(() => parseLockfile(JSON.stringify({ lockfileVersion: 1, dependencies: {} }))).toThrow(
      "is not an npm v2/v3 lockfile",
    );
  });
});
