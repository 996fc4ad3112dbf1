import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder holding `workflow_settings.yaml`: the current directory when it is a Unistack
 * checkout, else the checkout this CLI was installed from.
 */
export function defaultProjectDir(cwd = process.cwd()): string {
  if (existsSync(join(cwd, "workflow_settings.yaml"))) return resolve(cwd);
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
}
