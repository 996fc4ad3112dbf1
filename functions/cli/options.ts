import { readFileSync } from "node:fs";
import { InvalidArgumentError } from "commander";

/**
 * Exit codes of `unistack` (docs/operations.md, "Exit codes"). Scripts can tell a usage mistake
 * from a run that stopped, and a run that stopped from one whose data is in but whose audience
 * sync did not complete.
 */
export const EXIT = {
  ok: 0,
  /** A stage failed or an unexpected error: the run is not recorded as finished; re-run it. */
  failed: 1,
  /** Invalid arguments: nothing was done. */
  usage: 2,
  /** Another run holds the state folder's lock: nothing was done. */
  locked: 3,
  /** Data landed and models ran, but the destination did not take every change: fix, re-run. */
  activationIncomplete: 4,
} as const;

/** Largest `--contacts`: a run's webhooks are generated in memory (≈ 13 MB per 1,000 people). */
export const MAX_CONTACTS = 200_000;
export const MAX_CONCURRENCY = 256;
/** Seeds are 32-bit (the generator's PRNG state). */
export const MAX_SEED = 4_294_967_295;

/**
 * A commander argument parser for a whole number in [min, max]. Written digits only: `1e12`,
 * `3.5`, `-1` or `3,000` are refused with the allowed range, never coerced.
 */
export function wholeNumber(flag: string, min: number, max: number, why = "") {
  return (value: string): number => {
    const n = /^\d{1,16}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `${flag} takes a whole number from ${min.toLocaleString("en")} to ${max.toLocaleString("en")}${why}, got "${value}".`,
      );
    }
    return n;
  };
}

/** A commander parser for `--since`: a date (`2026-01-01`) or an ISO instant, as an ISO instant. */
export function isoInstant(value: string): string {
  const text = value.trim();
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(
    text,
  );
  const ms = ok ? Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new InvalidArgumentError(
      `--since takes a date (2026-01-01) or an ISO instant (2026-01-01T00:00:00Z), got "${value}".`,
    );
  }
  return new Date(ms).toISOString();
}

/** The version in the package.json next to the CLI's sources (or the built `dist/`). */
export function cliVersion(): string {
  for (const relative of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "unistack" && pkg.version) return pkg.version;
    } catch {
      // not at this level: try the next one up
    }
  }
  return "unknown";
}
