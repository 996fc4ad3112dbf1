import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, open, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { stripVTControlCharacters } from "node:util";
import type { UploadRecord } from "../../functions/destinations/meta/sandbox-audiences.js";
import { createDuckDbWarehouse } from "../../functions/platform/local/duckdb-warehouse.js";

/** Runs the real `unistack demo` and reads back, from its files, what a user would compare. */

const repoRoot = resolve(import.meta.dirname, "../..");
export const AUDIENCE_ID = "23850000000000001";

export interface DemoRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly err: string;
}

export interface DemoSpec {
  readonly dir: string;
  readonly contacts: number;
  readonly seed: number;
  /** `UNISTACK_CRASH_AT` for this process. */
  readonly crashAt?: string;
  /** A timed kill: SIGKILL the process `ms` after its output shows `line` (a stage starting). */
  readonly killAfter?: { readonly line: string; readonly ms: number };
}

let logs = 0;

export async function runDemoProcess(spec: DemoSpec): Promise<DemoRun> {
  const args = ["bin/unistack.js", "demo", "--contacts", String(spec.contacts), "--seed"];
  // Output goes to files, not pipes: what a killed process wrote is then all there.
  const base = `${spec.dir}.${++logs}`;
  const [outFile, errFile] = await Promise.all([
    open(`${base}.out`, "w"),
    open(`${base}.err`, "w"),
  ]);
  const child: ChildProcess = spawn(
    process.execPath,
    [...args, String(spec.seed), "--dir", spec.dir],
    {
      cwd: repoRoot,
      env: { ...process.env, FORCE_COLOR: "0", UNISTACK_CRASH_AT: spec.crashAt ?? "" },
      stdio: ["ignore", outFile.fd, errFile.fd],
    },
  );
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolveRun) =>
    child.on("exit", (c, s) => resolveRun([c, s])),
  );
  let running = true;
  void exited.then(() => {
    running = false;
  });
  let timer: NodeJS.Timeout | undefined;
  if (spec.killAfter) {
    const { line, ms } = spec.killAfter;
    while (
      running &&
      !stripVTControlCharacters(await readFile(`${base}.out`, "utf8")).includes(line)
    ) {
      await new Promise((r) => setTimeout(r, 25));
    }
    if (running) timer = setTimeout(() => child.kill("SIGKILL"), ms);
  }
  const [code, signal] = await exited;
  if (timer) clearTimeout(timer);
  await Promise.all([outFile.close(), errFile.close()]);
  const [out, err] = await Promise.all([
    readFile(`${base}.out`, "utf8"),
    readFile(`${base}.err`, "utf8"),
  ]);
  return { code, signal, out: stripVTControlCharacters(out), err: stripVTControlCharacters(err) };
}

/** Seeds a state folder with a scenario (so every folder shares one time anchor), no run done. */
export async function seedState(
  dir: string,
  input: { seed: number; contacts: number; anchor: string },
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const state = { version: 1, ...input, runs: 0, metaAudienceId: AUDIENCE_ID };
  await writeFile(join(dir, "demo-state.json"), `${JSON.stringify(state, null, 2)}\n`);
}

export interface Outcome {
  /** Raw rows as `<table> <record id> <payload digest>`, sorted (duplicates kept). */
  readonly rawRows: string[];
  /** Raw object versions recorded more than once in the load ledger. */
  readonly ledgerDuplicates: number;
  /** email → consent flags of every resolved contact. */
  readonly contacts: Map<string, string>;
  /** email → last order time (ms), for the segment's moving time boundary. */
  readonly lastOrderAt: Map<string, number>;
  readonly segment: string[];
  readonly audience: string[];
  readonly uploads: readonly UploadRecord[];
  /** Hashes in ops.sync_members (what we believe Meta holds), and duplicate rows there. */
  readonly syncMembers: string[];
  readonly syncMemberDuplicates: number;
  /** Runs whose latest ops.sync_runs status is still "planned". */
  readonly openRuns: number;
  readonly finishedRuns: number;
}

export async function readOutcome(dir: string): Promise<Outcome> {
  const warehouse = await createDuckDbWarehouse({ path: join(dir, "warehouse.duckdb") });
  try {
    const rawRows: string[] = [];
    for (const table of ["shopify_orders", "sendgrid_events"]) {
      const rows = await warehouse.query<{ id: string; payload: string }>(
        `SELECT _record_id AS id, CAST(payload AS VARCHAR) AS payload FROM raw.${table}`,
      );
      for (const r of rows) rawRows.push(`${table} ${r.id} ${digest(r.payload)}`);
    }
    const [ledger] = await warehouse.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM (SELECT object, generation FROM ops_load.raw_loads GROUP BY 1, 2 HAVING COUNT(*) > 1) AS d",
    );
    const contacts = await warehouse.query<Record<string, unknown>>(
      "SELECT email, consent_email_marketing, consent_ad_user_data, consent_ad_personalization, last_order_at FROM marts.dim_contacts",
    );
    const segment = await warehouse.query<{ email: string }>(
      "SELECT email FROM marts.seg_recent_purchasers",
    );
    const members = await warehouse.query<{ h: string; n: number }>(
      "SELECT identifier_hash AS h, COUNT(*) AS n FROM ops.sync_members GROUP BY 1",
    );
    const [open] = await warehouse.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ops.sync_runs AS r WHERE r.recorded_at = (SELECT MAX(f.recorded_at) FROM ops.sync_runs AS f WHERE f.run_id = r.run_id) AND r.status = 'planned'`,
    );
    const sandbox = JSON.parse(await readFile(join(dir, "sandbox", "meta-audiences.json"), "utf8"));
    const state = JSON.parse(await readFile(join(dir, "demo-state.json"), "utf8"));
    return {
      rawRows: rawRows.sort(),
      ledgerDuplicates: Number(ledger?.n ?? 0),
      contacts: new Map(
        contacts.map((c) => [
          String(c.email),
          `${c.consent_email_marketing}/${c.consent_ad_user_data}/${c.consent_ad_personalization}`,
        ]),
      ),
      lastOrderAt: new Map(
        contacts
          .filter((c) => c.last_order_at instanceof Date)
          .map((c) => [String(c.email), (c.last_order_at as Date).getTime()]),
      ),
      segment: segment.map((s) => s.email).sort(),
      // Sandbox state file v2: the held rows of hashed keys; this sync sends EMAIL only.
      audience: ((sandbox.audiences[AUDIENCE_ID]?.rows ?? []) as Array<{ EMAIL?: string }>)
        .flatMap((row) => (row.EMAIL ? [row.EMAIL] : []))
        .sort(),
      uploads: sandbox.uploads ?? [],
      syncMembers: members.map((m) => m.h).sort(),
      syncMemberDuplicates: members.filter((m) => Number(m.n) > 1).length,
      openRuns: Number(open?.n ?? 0),
      finishedRuns: state.runs,
    };
  } finally {
    await warehouse.close();
  }
}

export function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Sums of audience changes per op: equal to the reference's means no change happened twice. */
export function netChanges(uploads: readonly UploadRecord[]): { add: number; remove: number } {
  const sum = (op: string) => uploads.filter((u) => u.op === op).reduce((n, u) => n + u.changed, 0);
  return { add: sum("add"), remove: sum("remove") };
}

/** Uploads that reuse a (session, sequence) with other rows: a different batch under a used id. */
export function conflictingResends(uploads: readonly UploadRecord[]): string[] {
  const seen = new Map<string, string>();
  const conflicts: string[] = [];
  for (const u of uploads) {
    if (u.sessionId === null) continue;
    const id = `${u.op}/${u.sessionId}/${u.batchSeq}`;
    const before = seen.get(id);
    if (before !== undefined && before !== u.digest) conflicts.push(id);
    seen.set(id, u.digest);
  }
  return conflicts;
}

/** How many uploads repeat an earlier (op, session, sequence): batches sent again after a crash. */
export function resends(uploads: readonly UploadRecord[]): number {
  const ids = uploads
    .filter((u) => u.sessionId !== null)
    .map((u) => `${u.op}/${u.sessionId}/${u.batchSeq}`);
  return ids.length - new Set(ids).size;
}
