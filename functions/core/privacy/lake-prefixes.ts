import type { LakePrefix } from "./declarations.js";

/**
 * Every top-level prefix of the lake and how an erasure treats it. An object under a prefix not
 * listed here makes an erasure stop with a message naming it (nothing is assumed free of
 * personal data), and fails test/unit/privacy/declarations.test.ts after a demo run.
 */
export const LAKE_PREFIXES: readonly LakePrefix[] = [
  {
    prefix: "raw/",
    format: "ndjson-records",
    loaded: true,
    why: "accepted records with their payloads: the catalog's identifier paths name the person",
  },
  {
    prefix: "quarantine/",
    format: "ndjson-records",
    why: "records that failed their contract, kept with reasons: payloads may name anyone",
  },
  {
    prefix: "pull/",
    format: "pull-journal",
    why: "pulled pages journaled before they land: the same raw and quarantine lines, plus cursors",
  },
  {
    prefix: "activation/",
    format: "activation-batch",
    stage: "after-destinations",
    why: "batches sent to destinations: hashed identifiers with the contacts they belong to",
  },
  {
    prefix: "privacy/exports/",
    format: "person-document",
    why: "access-request documents: everything held about one person",
  },
  {
    prefix: "privacy/",
    format: "none",
    why: "the suppression list (salted keys), erasure state and reports (counts only)",
  },
  {
    prefix: "loads/",
    format: "none",
    why: "the loader's manifests, leases, job budget and inbox: object keys and counts",
  },
];

/** The declaration covering a key (the longest matching prefix), or `undefined`. */
export function lakePrefixOf(prefixes: readonly LakePrefix[], key: string): LakePrefix | undefined {
  let best: LakePrefix | undefined;
  for (const p of prefixes) {
    if (key.startsWith(p.prefix) && (!best || p.prefix.length > best.prefix.length)) best = p;
  }
  return best;
}
