import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findTool, REPO_ROOT, requireTool, type ToolLookup } from "../support/external-tools.js";

/**
 * Runs the real Terraform CLI with the real google provider (built from the Go module proxy by
 * .ci/install-tools) on a copy of a module, offline: `init` from a filesystem mirror holding that
 * one provider build, `validate`, then `plan` from empty state without refresh, and
 * `show -json` of the saved plan. Only the backend (local) and the provider's credentials (a dummy
 * access token: planning creates make no API call) are overridden, with Terraform's own override
 * files; the configuration is the one that deploys.
 */

/** The provider version the mirror announces: the source build is of the 8.0 line (see decisions). */
export const PROVIDER_VERSION = "8.0.0";

/**
 * The Terraform CLI: `terraform` (v1.11 here and in cloudbuild*.yaml), else OpenTofu's `tofu`,
 * which .ci/install-tools builds from the Go module proxy on a machine without Terraform (Terraform's
 * own module cannot be built with `go install`: its go.mod replaces nested modules by local paths).
 * Both read this configuration, mock providers, override files and `test` alike.
 */
export function terraformCli(): ToolLookup {
  const tofu = findTool("tofu");
  if (!findTool("terraform") && tofu) return { ok: true, path: tofu };
  return requireTool("terraform", "Terraform checks of infra/ (or tofu, from .ci/install-tools)");
}

export interface Workspace {
  readonly dir: string;
  run(args: readonly string[]): { status: number; stdout: string; stderr: string };
  remove(): void;
}

export function terraformWorkspace(
  terraform: string,
  provider: string,
  module: "infra" | "infra/bootstrap",
): Workspace {
  const root = mkdtempSync(join(tmpdir(), "unistack-tf-"));
  const dir = join(root, "module");
  mkdirSync(dir);
  const source = join(REPO_ROOT, module);
  for (const file of readdirSync(source)) {
    if (/\.(tf|yaml)$/.test(file)) copyFileSync(join(source, file), join(dir, file));
  }
  // `terraform test` files (infra/tests/*.tftest.hcl), run with mock providers.
  const tests = join(source, "tests");
  if (existsSync(tests)) {
    mkdirSync(join(dir, "tests"));
    for (const file of readdirSync(tests))
      copyFileSync(join(tests, file), join(dir, "tests", file));
  }
  writeFileSync(
    join(dir, "offline_override.tf"),
    [
      'terraform {\n  backend "local" {}\n}\n',
      'provider "google" {\n  access_token = "offline-plan-no-credentials"\n}\n',
    ].join("\n"),
  );

  // The same build under both registries' names: Terraform resolves hashicorp/google to
  // registry.terraform.io, OpenTofu (the fallback, see terraformCli) to registry.opentofu.org.
  const mirror = join(root, "mirror");
  const hosts = ["registry.terraform.io", "registry.opentofu.org"];
  for (const host of hosts) {
    const target = join(mirror, host, "hashicorp/google", PROVIDER_VERSION, "linux_amd64");
    mkdirSync(target, { recursive: true });
    symlinkSync(provider, join(target, `terraform-provider-google_v${PROVIDER_VERSION}`));
  }
  const cliConfig = join(root, "terraformrc");
  writeFileSync(
    cliConfig,
    `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = [${hosts.map((h) => `"${h}/hashicorp/google"`).join(", ")}]\n  }\n}\n`,
  );

  const env = {
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: "1",
    CHECKPOINT_DISABLE: "1",
    TF_PLUGIN_CACHE_DIR: "",
  };
  return {
    dir,
    run(args) {
      const result = spawnSync(terraform, [...args], {
        cwd: dir,
        env,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
        timeout: 300_000,
      });
      return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** `terraform plan` of the module with the fixture variables, as `terraform show -json` prints it. */
export function planJson(workspace: Workspace, varFile: string): TerraformPlan {
  const must = (args: readonly string[]) => {
    const result = workspace.run(args);
    if (result.status !== 0) {
      throw new Error(`terraform ${args[0]} failed:\n${result.stderr}\n${result.stdout}`);
    }
    return result.stdout;
  };
  must(["init", "-input=false", "-no-color"]);
  must([
    "plan",
    "-input=false",
    "-refresh=false",
    "-no-color",
    "-out=plan.bin",
    `-var-file=${varFile}`,
  ]);
  return JSON.parse(must(["show", "-json", "plan.bin"])) as TerraformPlan;
}

export interface ResourceChange {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly change: { actions: string[]; after: Record<string, unknown> | null };
}

export interface TerraformPlan {
  resource_changes: ResourceChange[];
  readonly [key: string]: unknown;
}

/**
 * OPA's answer for `query` with the repo's policies, over `input`: a JSON-serialisable value, or
 * `{ file }` to let OPA read a JSON or YAML file itself.
 */
export function opaEval(opa: string, query: string, input: unknown): unknown {
  const dir = mkdtempSync(join(tmpdir(), "unistack-opa-"));
  try {
    const file = (input as { file?: unknown } | null)?.file;
    const inputFile = typeof file === "string" ? file : join(dir, "input.json");
    if (typeof file !== "string") writeFileSync(inputFile, JSON.stringify(input));
    const result = spawnSync(
      opa,
      ["eval", "--format", "json", "-d", join(REPO_ROOT, "policy"), "-i", inputFile, query],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    if (result.status !== 0) throw new Error(`opa eval failed: ${result.stderr}${result.stdout}`);
    const answer = JSON.parse(result.stdout) as {
      result?: Array<{ expressions: Array<{ value: unknown }> }>;
    };
    return answer.result?.[0]?.expressions[0]?.value;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The findings of one policy package, sorted. */
export function denials(opa: string, pkg: "terraform" | "cloudbuild", input: unknown): string[] {
  const value = opaEval(opa, `data.unistack.${pkg}.deny`, input);
  return Array.isArray(value) ? (value as string[]).sort() : [];
}

export function readText(path: string): string {
  return readFileSync(join(REPO_ROOT, path), "utf8");
}
