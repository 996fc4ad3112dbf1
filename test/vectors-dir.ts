import { existsSync } from "node:fs";
import { resolve } from "node:path";

/**
 * Where the vendors' vectors live: `UNISTACK_VECTORS_DIR`, else `../shared/vectors` beside the
 * repository (where CI puts them). A plain clone has no such folder; see vitest.config.ts.
 */
export const VECTORS_DIR = resolve(
  process.env.UNISTACK_VECTORS_DIR ?? resolve(import.meta.dirname, "../../shared/vectors"),
);

export function vectorsPresent(): boolean {
  return existsSync(resolve(VECTORS_DIR, "shopify-webhook.json"));
}

export function vectorFile(name: string): string {
  return resolve(VECTORS_DIR, name);
}
