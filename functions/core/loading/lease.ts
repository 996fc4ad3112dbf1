import { z } from "zod";
import type { ObjectStore } from "../../platform/ports.js";
import { parseJsonBytes } from "./json-bytes.js";

/**
 * One sweep at a time, through numbered lease objects in the lake. The lease with the highest
 * number is the current one; taking over means creating the next number create-if-absent, which
 * exactly one contender can do. A lease expires (a killed sweep does not block for ever) and is
 * marked released when its sweep ends. A holder checks before every new batch that no later lease
 * exists and that its own has a margin left, so a sweep that stalled past its lease stops planning.
 */

export const LEASE_PREFIX = "loads/lease/";

export const LeaseBodySchema = z.object({
  holder: z.string(),
  host: z.string().optional(),
  pid: z.number().int().optional(),
  trigger: z.string().optional(),
  acquiredAt: z.string(),
  expiresAt: z.string(),
  released: z.boolean().optional(),
});
export type LeaseBody = z.infer<typeof LeaseBodySchema>;

export interface Lease {
  readonly seq: number;
  readonly body: LeaseBody;
}

export type LeaseAttempt =
  | { readonly ok: true; readonly lease: Lease }
  /** `busy`: another sweep holds the lease; `recent`: a sweep started less than the interval ago. */
  | { readonly ok: false; readonly reason: "busy" | "recent"; readonly since: string };

export interface LeaseOptions {
  readonly store: ObjectStore;
  readonly now: () => Date;
  readonly ttlMs: number;
  readonly holder: Pick<LeaseBody, "holder" | "host" | "pid" | "trigger">;
  /** Debounce: refuse when the last sweep started less than this ago (0: never refuse). */
  readonly minIntervalMs?: number;
  /** Whether a holder is known to be dead (locally: its process is gone), so its lease is free. */
  readonly holderGone?: (body: LeaseBody) => boolean;
}

/** How many earlier lease objects are kept (the rest are removed by the next taker). */
const KEEP = 5;

function leaseKey(seq: number): string {
  return `${LEASE_PREFIX}${String(seq).padStart(12, "0")}.json`;
}

async function readLease(store: ObjectStore, seq: number): Promise<LeaseBody | undefined> {
  const bytes = await store.get(leaseKey(seq));
  if (!bytes) return undefined;
  // A lease object that cannot be read holds nothing: the next number is free to take.
  const parsed = LeaseBodySchema.safeParse(parseJsonBytes(bytes));
  return parsed.success ? parsed.data : undefined;
}

export async function acquireLease(options: LeaseOptions): Promise<LeaseAttempt> {
  const { store } = options;
  const now = options.now();
  const seqs = (await store.list(LEASE_PREFIX))
    .map((o) => Number(/(\d+)\.json$/.exec(o.key)?.[1]))
    .filter((n) => Number.isSafeInteger(n))
    .sort((a, b) => a - b);
  const latest = seqs.at(-1) ?? 0;
  const current = latest > 0 ? await readLease(store, latest) : undefined;
  if (current) {
    const live =
      !current.released &&
      now.getTime() < Date.parse(current.expiresAt) &&
      !options.holderGone?.(current);
    if (live) return { ok: false, reason: "busy", since: current.acquiredAt };
    const age = now.getTime() - Date.parse(current.acquiredAt);
    if (options.minIntervalMs && age < options.minIntervalMs) {
      return { ok: false, reason: "recent", since: current.acquiredAt };
    }
  }
  const body: LeaseBody = {
    ...options.holder,
    acquiredAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + options.ttlMs).toISOString(),
  };
  const seq = latest + 1;
  const put = await store.put(leaseKey(seq), JSON.stringify(body), {
    ifAbsent: true,
    contentType: "application/json",
  });
  if (!put.created) return { ok: false, reason: "busy", since: body.acquiredAt };
  for (const old of seqs.filter((n) => n <= seq - KEEP)) await store.delete(leaseKey(old));
  return { ok: true, lease: { seq, body } };
}

/**
 * Whether the holder may still start new work: no later lease exists and `marginMs` of its own
 * is left. Renews the lease when less than half of `ttlMs` is left. Answers the (renewed) lease
 * or `undefined` when it is lost.
 */
export async function holdLease(
  options: Pick<LeaseOptions, "store" | "now" | "ttlMs">,
  lease: Lease,
  marginMs: number,
): Promise<Lease | undefined> {
  const now = options.now().getTime();
  const expires = Date.parse(lease.body.expiresAt);
  if (now >= expires - marginMs) return undefined;
  if (await options.store.stat(leaseKey(lease.seq + 1))) return undefined;
  if (expires - now >= options.ttlMs / 2) return lease;
  const body = { ...lease.body, expiresAt: new Date(now + options.ttlMs).toISOString() };
  await options.store.put(leaseKey(lease.seq), JSON.stringify(body), {
    contentType: "application/json",
  });
  return { seq: lease.seq, body };
}

/** Marks the lease released, so the next sweep need not wait for it to expire. */
export async function releaseLease(store: ObjectStore, lease: Lease): Promise<void> {
  if (await store.stat(leaseKey(lease.seq + 1))) return;
  await store.put(leaseKey(lease.seq), JSON.stringify({ ...lease.body, released: true }), {
    contentType: "application/json",
  });
}
