import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { locateZetaSql, serverBuildFor } from "../../../functions/sqlcheck/binary.js";

const run = promisify(execFile);
const temps: string[] = [];
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A package folder shaped like @fivetrandevelopers/zetasql, with a tiny "server" script. */
async function fakePackage(layout: "shipped" | "not-executable" | "tarball" | "missing") {
  const root = await mkdtemp(path.join(tmpdir(), "unistack-zetasql-"));
  temps.push(root);
  const pkg = path.join(root, "node_modules", "@fivetrandevelopers", "zetasql");
  await mkdir(path.join(pkg, "lib", "zetasql", "protos"), { recursive: true });
  await writeFile(path.join(pkg, "package.json"), JSON.stringify({ version: "9.9.9" }));
  const script = "#!/bin/sh\necho fake server\n";
  const shipped = path.join(pkg, "lib", "zetasql", "remote_server.so");
  if (layout === "shipped" || layout === "not-executable") {
    await writeFile(shipped, script);
    await chmod(shipped, layout === "shipped" ? 0o755 : 0o644);
  }
  if (layout === "tarball") {
    const staging = path.join(root, "staging");
    await mkdir(staging);
    await writeFile(path.join(staging, "remote_server.so"), script, { mode: 0o644 });
    const binDir = path.join(pkg, "bin", "linux-x86-64");
    await mkdir(binDir, { recursive: true });
    await run("tar", [
      "-czf",
      path.join(binDir, "remote_server.so.tar.gz"),
      "-C",
      staging,
      "remote_server.so",
    ]);
  }
  return { root, pkg, shipped };
}

const linux = { platform: "linux", arch: "x64" } as const;

describe("locating the ZetaSQL server", () => {
  it("finds the installed package's server for this machine, ready to run", async () => {
    const install = await locateZetaSql();
    await access(install.serverPath, constants.X_OK);
    await access(path.join(install.protosDir, "local_service.proto"));
    expect(install.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("uses a shipped, executable server where it is", async () => {
    const { pkg, shipped } = await fakePackage("shipped");
    const install = await locateZetaSql({ ...linux, packageRoot: pkg });
    expect(install.serverPath).toBe(shipped);
  });

  it("copies a server that lost its executable bit into node_modules/.cache and makes it executable", async () => {
    const { root, pkg } = await fakePackage("not-executable");
    const install = await locateZetaSql({ ...linux, packageRoot: pkg });
    expect(install.serverPath).toBe(
      path.join(root, "node_modules", ".cache", "unistack-zetasql", "9.9.9", "remote_server.so"),
    );
    const { stdout } = await run(install.serverPath);
    expect(stdout).toBe("fake server\n");
  });

  it("unpacks a server shipped only as a tarball into the cache, once", async () => {
    const { pkg } = await fakePackage("tarball");
    const first = await locateZetaSql({ ...linux, packageRoot: pkg });
    expect((await run(first.serverPath)).stdout).toBe("fake server\n");
    await writeFile(first.serverPath, "#!/bin/sh\necho cached\n");
    const second = await locateZetaSql({ ...linux, packageRoot: pkg });
    expect(second.serverPath).toBe(first.serverPath);
    expect(await readFile(second.serverPath, "utf8")).toContain("cached");
  });

  it("says what it looked for when the server is missing", async () => {
    const { pkg } = await fakePackage("missing");
    await expect(locateZetaSql({ ...linux, packageRoot: pkg })).rejects.toThrow(
      /server binary is missing: looked for .*remote_server\.so and .*remote_server\.so\.tar\.gz/,
    );
  });

  it("names the platforms the package supports when this one is not among them", () => {
    expect(serverBuildFor("linux", "arm64").name).toBe("remote_server_arm.so");
    expect(serverBuildFor("darwin", "x64").name).toBe("remote_server");
    expect(() => serverBuildFor("win32", "x64")).toThrow(/linux and darwin .* not win32-x64.*WSL/);
  });
});
