import { createHash } from "node:crypto";
import { z } from "zod";

/**
 * A manifest is one micro-batch: the raw files one load job puts into one table. It is written to
 * the object store before its job starts, so a sweep that dies mid-load is finished by the next one
 * with the very same files and job id, never with a different batch of the same files.
 */

/** A raw object version waiting to be loaded (GCS generation: a rewritten object is new work). */
export const LakeFileSchema = z.object({
  key: z.string().min(1),
  generation: z.string().min(1),
  size: z.number().int().nonnegative(),
  /** The `dt=` partition of the key, the ledger's partition. */
  dt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});
export type LakeFile = z.infer<typeof LakeFileSchema>;

export const ManifestSchema = z.object({
  version: z.literal(1),
  id: z.string().regex(/^m[0-9a-f]{32}$/),
  /** Destination: `raw.<source>_<stream>`. */
  source: z.string().min(1),
  stream: z.string().min(1),
  files: z.array(LakeFileSchema).min(1),
  createdAt: z.string(),
  /** 0 for a batch planned by a sweep, parent depth + 1 for a half of a failed batch. */
  depth: z.number().int().nonnegative(),
  parent: z.string().optional(),
  /**
   * Which job id is current: a job that failed with a retryable reason spends its id, so the
   * attempt is raised (and written) before the next job starts.
   */
  attempt: z.number().int().nonnegative(),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** Where manifests live: `loads/manifests/<source>_<stream>/<id>.json`. */
export const MANIFEST_PREFIX = "loads/manifests/";

export function manifestKey(m: Pick<Manifest, "id" | "source" | "stream">): string {
  return `${MANIFEST_PREFIX}${m.source}_${m.stream}/${m.id}.json`;
}

/** Job id of the manifest's current attempt; BigQuery allows letters, digits, `_` and `-`. */
export function loadJobId(m: Pick<Manifest, "id" | "attempt">): string {
  return `unistack_load_${m.id}_${m.attempt}`;
}

function hashId(parts: readonly string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\n");
  return `m${hash.digest("hex").slice(0, 32)}`;
}

export interface BatchLimits {
  /** Source URIs per load job (BigQuery allows 10,000). */
  readonly maxFiles: number;
  /** Bytes per load job: keeps a job (and the halves of a failed one) quick. */
  readonly maxBytes: number;
  /** New manifests per table per sweep: with the sweep interval, bounds jobs per table per day. */
  readonly maxManifestsPerTable: number;
}

export interface PlanInput {
  readonly source: string;
  readonly stream: string;
  readonly files: readonly LakeFile[];
}

/**
 * Cuts each table's pending files (in key order) into batches under the limits. The id hashes the
 * table, the files and `salt` (the sweep's lease number), so a file that failed and is replayed
 * later gets a fresh job id instead of its spent one.
 */
export function planManifests(
  tables: readonly PlanInput[],
  limits: BatchLimits,
  salt: string,
  createdAt: Date,
): Manifest[] {
  const manifests: Manifest[] = [];
  for (const { source, stream, files } of tables) {
    // Stryker disable next-line EqualityOperator,ConditionalExpression: keys are unique within a table's pending files, and V8's sort only asks whether the comparator is negative (docs/testing.md)
    const sorted = [...files].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    let batch: LakeFile[] = [];
    let bytes = 0;
    let made = 0;
    const close = () => {
      if (batch.length === 0) return;
      manifests.push(newManifest({ source, stream, files: batch, salt, createdAt }));
      made++;
      batch = [];
      bytes = 0;
    };
    for (const file of sorted) {
      const full = batch.length >= limits.maxFiles || bytes + file.size > limits.maxBytes;
      // Stryker disable next-line EqualityOperator,ConditionalExpression: closing an empty batch adds nothing, and `made` is still 0 < maxManifestsPerTable (≥ 1)
      if (batch.length > 0 && full) {
        close();
        if (made >= limits.maxManifestsPerTable) break;
      }
      batch.push(file);
      bytes += file.size;
    }
    close();
  }
  return manifests;
}

function newManifest(input: {
  source: string;
  stream: string;
  files: LakeFile[];
  salt: string;
  createdAt: Date;
}): Manifest {
  const id = hashId([
    input.source,
    input.stream,
    input.salt,
    ...input.files.map((f) => `${f.key}#${f.generation}`),
  ]);
  return {
    version: 1,
    id,
    source: input.source,
    stream: input.stream,
    files: input.files.map(({ key, generation, size, dt }) => ({ key, generation, size, dt })),
    createdAt: input.createdAt.toISOString(),
    depth: 0,
    attempt: 0,
  };
}

/**
 * The two halves of a batch whose job failed on its data. Their ids derive from the parent's,
 * so a sweep that dies while splitting derives the same halves again.
 */
export function splitManifest(parent: Manifest, createdAt: Date): [Manifest, Manifest] {
  if (parent.files.length < 2) throw new Error(`manifest ${parent.id} holds one file: isolate it`);
  const middle = Math.ceil(parent.files.length / 2);
  const half = (index: number, files: LakeFile[]): Manifest => ({
    version: 1,
    id: hashId([parent.id, String(index)]),
    source: parent.source,
    stream: parent.stream,
    files,
    createdAt: createdAt.toISOString(),
    depth: parent.depth + 1,
    parent: parent.id,
    attempt: 0,
  });
  return [half(0, parent.files.slice(0, middle)), half(1, parent.files.slice(middle))];
}

/** `key#generation`: how the ledger names one version of one object. */
export function fileId(file: Pick<LakeFile, "key" | "generation">): string {
  return `${file.key}#${file.generation}`;
}
