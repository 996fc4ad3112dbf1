import { resolve } from "node:path";

/**
 * The vendors' vectors, kept in the repository (`test/fixtures/vectors/`, provenance in its
 * README and in each file's `source`), so a plain clone runs every test that reads them.
 */
export const VECTORS_DIR = resolve(import.meta.dirname, "fixtures/vectors");

export function vectorFile(name: string): string {
  return resolve(VECTORS_DIR, name);
}
