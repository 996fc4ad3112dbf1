import { z } from "zod";
import type { ObjectStore } from "../../platform/ports.js";
import type { PullWindow } from "./source.js";

/**
 * The durable position of a pull, in the object store, written create-if-absent only (GCS allows
 * about one rewrite a second per object name, and a create that finds the name taken is how two
 * runs find out about each other). Under `pull/<source>/<connection>/<stream>/`:
 * - `windows/<seq>.json`: a window `[from, to)` opened by a run;
 * - `windows/<seq>.done.json`: the window was pulled to its end (`to` is the new high-water);
 * - `journal/<seq>/<page>.ndjson`: each landed page: a header (its cursor and the next one) and
 *   the exact raw and quarantine lines written from it.
 * Raw objects are written from the journal entry, never from a second fetch, so a run killed
 * between the two writes is finished by the next one with the same bytes under the same key,
 * even when the vendor's page has changed since.
 */

export interface StreamRef {
  readonly source: string;
  readonly connection: string;
  readonly stream: string;
}

export const PULL_PREFIX = "pull/";

export function streamPrefix(ref: StreamRef): string {
  return `${PULL_PREFIX}${ref.source}/${ref.connection}/${ref.stream}/`;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

export const windowKey = (ref: StreamRef, seq: number) =>
  `${streamPrefix(ref)}windows/${pad(seq, 10)}.json`;
export const windowDoneKey = (ref: StreamRef, seq: number) =>
  `${streamPrefix(ref)}windows/${pad(seq, 10)}.done.json`;
export const journalPrefix = (ref: StreamRef, seq: number) =>
  `${streamPrefix(ref)}journal/${pad(seq, 10)}/`;
export const journalKey = (ref: StreamRef, seq: number, page: number) =>
  `${journalPrefix(ref, seq)}${pad(page, 8)}.ndjson`;
export const stoppedKey = (ref: StreamRef) => `${streamPrefix(ref)}stopped.json`;

export const WindowBodySchema = z.object({
  seq: z.number().int().positive(),
  from: z.string(),
  to: z.string(),
  openedAt: z.string(),
});

export const WindowDoneSchema = z.object({
  seq: z.number().int().positive(),
  pages: z.number().int().nonnegative(),
  records: z.number().int().nonnegative(),
  quarantined: z.number().int().nonnegative(),
  finishedAt: z.string(),
});
export type WindowDone = z.infer<typeof WindowDoneSchema>;

export const PageHeaderSchema = z.object({
  page: z.number().int().positive(),
  cursor: z.string().nullable(),
  next: z.string().nullable(),
  raw: z.number().int().nonnegative(),
  quarantine: z.number().int().nonnegative(),
  rawKey: z.string().nullable(),
  quarantineKey: z.string().nullable(),
  fetchedAt: z.string(),
});
export type PageHeader = z.infer<typeof PageHeaderSchema>;

export interface StreamPosition {
  /** The newest window, with whether it was pulled to its end. */
  readonly latest:
    | { readonly window: PullWindow; readonly done: WindowDone | undefined }
    | undefined;
  /** Every window sequence number found (for pruning). */
  readonly seqs: readonly number[];
}

const decoder = new TextDecoder();

async function readJson<T>(store: ObjectStore, key: string, schema: z.ZodType<T>): Promise<T> {
  const bytes = await store.get(key);
  if (!bytes) throw new Error(`pull state ${key} disappeared while it was read`);
  const parsed = schema.safeParse(JSON.parse(decoder.decode(bytes)));
  if (!parsed.success) {
    throw new Error(
      `pull state ${key} is not readable (${parsed.error.issues[0]?.message}); move it aside to start the window again`,
    );
  }
  return parsed.data;
}

/** Where a stream's pulls stand: its newest window and whether it is done. */
export async function readPosition(store: ObjectStore, ref: StreamRef): Promise<StreamPosition> {
  const prefix = `${streamPrefix(ref)}windows/`;
  const seqs = new Set<number>();
  const done = new Set<number>();
  for (const object of await store.list(prefix)) {
    const m = /(\d{10})(\.done)?\.json$/.exec(object.key);
    if (!m?.[1]) continue;
    const seq = Number(m[1]);
    seqs.add(seq);
    if (m[2]) done.add(seq);
  }
  const sorted = [...seqs].sort((a, b) => a - b);
  const last = sorted.at(-1);
  if (last === undefined) return { latest: undefined, seqs: sorted };
  const body = await readJson(store, windowKey(ref, last), WindowBodySchema);
  const finished = done.has(last)
    ? await readJson(store, windowDoneKey(ref, last), WindowDoneSchema)
    : undefined;
  return {
    latest: { window: { seq: body.seq, from: body.from, to: body.to }, done: finished },
    seqs: sorted,
  };
}

/** Creates window `seq`; `false` when another run created it first. */
export async function openWindow(
  store: ObjectStore,
  ref: StreamRef,
  window: PullWindow,
  openedAt: Date,
): Promise<boolean> {
  const body = { ...window, openedAt: openedAt.toISOString() };
  const put = await store.put(windowKey(ref, window.seq), JSON.stringify(body), {
    ifAbsent: true,
    contentType: "application/json",
  });
  return put.created;
}

export interface JournalEntry {
  readonly header: PageHeader;
  readonly rawLines: readonly string[];
  readonly quarantineLines: readonly string[];
}

export function encodeEntry(entry: JournalEntry): string {
  return `${[JSON.stringify(entry.header), ...entry.rawLines, ...entry.quarantineLines].join("\n")}\n`;
}

export function decodeEntry(bytes: Uint8Array, key: string): JournalEntry {
  const lines = decoder.decode(bytes).split("\n");
  if (lines.at(-1) === "") lines.pop();
  const parsed = PageHeaderSchema.safeParse(JSON.parse(lines[0] ?? "null"));
  const count = parsed.success ? 1 + parsed.data.raw + parsed.data.quarantine : -1;
  if (!parsed.success || lines.length !== count) {
    throw new Error(`pull journal entry ${key} is damaged; move it aside to fetch that page again`);
  }
  const header = parsed.data;
  return {
    header,
    rawLines: lines.slice(1, 1 + header.raw),
    quarantineLines: lines.slice(1 + header.raw),
  };
}

/** The last journaled page of a window, or `undefined` before the first. */
export async function lastEntry(
  store: ObjectStore,
  ref: StreamRef,
  seq: number,
): Promise<JournalEntry | undefined> {
  const keys = (await store.list(journalPrefix(ref, seq))).map((o) => o.key).sort();
  const key = keys.at(-1);
  if (!key) return undefined;
  const bytes = await store.get(key);
  if (!bytes) throw new Error(`pull journal entry ${key} disappeared while it was read`);
  return decodeEntry(bytes, key);
}
