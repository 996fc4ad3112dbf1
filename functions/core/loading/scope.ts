import type { ObjectStore } from "../../platform/ports.js";
import { parseRawObjectKey } from "../raw-table.js";
import type { LakeFile } from "./manifest.js";

/**
 * What a sweep looks at. Listing the whole lake would cost more on every sweep as history grows,
 * so a regular sweep lists only the recent `dt=` partitions of the known streams (a constant number
 * of list calls; their pages grow with daily volume, not with history). Files outside that window
 * — a late backfill, a stream no sweep knows yet — reach the sweep through the inbox: the
 * object-finalized event drops a marker there. A deep sweep (`all`) lists everything, for
 * recovery when events were lost.
 */

export interface RawStream {
  readonly source: string;
  readonly stream: string;
}

export type SweepScope =
  | { readonly kind: "recent"; readonly lookbackDays: number }
  | { readonly kind: "all" };

export interface RawCandidate extends LakeFile {
  readonly source: string;
  readonly stream: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The `dt=` dates a recent sweep lists: `lookbackDays` back from today through tomorrow (UTC). */
export function sweepWindow(
  now: Date,
  lookbackDays: number,
): { from: string; to: string; days: string[] } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days: string[] = [];
  for (let t = today - lookbackDays * DAY_MS; t <= today + DAY_MS; t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return { from: days[0] as string, to: days.at(-1) as string, days };
}

/** Whether a recent sweep would list this raw object by itself (else it needs an inbox marker). */
export function inRecentWindow(
  key: string,
  streams: readonly RawStream[],
  now: Date,
  lookbackDays: number,
): boolean {
  const raw = parseRawObjectKey(key);
  if (!raw) return false;
  const { from, to } = sweepWindow(now, lookbackDays);
  const known = streams.some((s) => s.source === raw.source && s.stream === raw.stream);
  return known && raw.dt >= from && raw.dt <= to;
}

export async function listCandidates(
  store: ObjectStore,
  scope: SweepScope,
  streams: readonly RawStream[],
  now: Date,
): Promise<RawCandidate[]> {
  const prefixes =
    scope.kind === "all"
      ? ["raw/"]
      : streams.flatMap((s) =>
          sweepWindow(now, scope.lookbackDays).days.map(
            (dt) => `raw/${s.source}/${s.stream}/dt=${dt}/`,
          ),
        );
  const found: RawCandidate[] = [];
  for (const prefix of prefixes) {
    for (const object of await store.list(prefix)) {
      const raw = parseRawObjectKey(object.key);
      if (!raw) continue;
      found.push({
        key: object.key,
        generation: object.generation,
        size: object.size,
        dt: raw.dt,
        source: raw.source,
        stream: raw.stream,
      });
    }
  }
  return found;
}

export const INBOX_PREFIX = "loads/inbox/";

/** `loads/inbox/<generation>/<raw key>`: listing the inbox names every version, no reads needed. */
function markerKey(key: string, generation: string): string {
  return `${INBOX_PREFIX}${generation}/${key}`;
}

/** Asks the next sweeps to look at one object version outside their window. */
export async function addToInbox(
  store: ObjectStore,
  key: string,
  generation: string,
): Promise<void> {
  await store.put(markerKey(key, generation), "", { ifAbsent: true, contentType: "text/plain" });
}

export interface InboxEntry {
  readonly marker: string;
  /** The object as it is now, or `undefined` when it is gone or was rewritten since. */
  readonly candidate: RawCandidate | undefined;
}

/** Reads up to `limit` inbox markers and the current state of the objects they name. */
export async function readInbox(store: ObjectStore, limit: number): Promise<InboxEntry[]> {
  const entries: InboxEntry[] = [];
  for (const object of (await store.list(INBOX_PREFIX)).slice(0, limit)) {
    const rest = object.key.slice(INBOX_PREFIX.length);
    const slash = rest.indexOf("/");
    const generation = rest.slice(0, slash);
    const key = rest.slice(slash + 1);
    const raw = slash > 0 ? parseRawObjectKey(key) : undefined;
    // A version that is gone or was rewritten is not loaded: the new one has its own marker.
    const current = raw ? await store.stat(key) : undefined;
    entries.push({
      marker: object.key,
      candidate:
        raw && current?.generation === generation
          ? {
              key,
              generation,
              size: current.size,
              dt: raw.dt,
              source: raw.source,
              stream: raw.stream,
            }
          : undefined,
    });
  }
  return entries;
}
