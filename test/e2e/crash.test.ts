import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pLimit from "p-limit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customAudienceEmailKey } from "../../functions/destinations/meta/normalize.js";
import {
  conflictingResends,
  type DemoRun,
  netChanges,
  type Outcome,
  readOutcome,
  resends,
  runDemoProcess,
  seedState,
} from "./crash-support.js";

/**
 * Crash test (issue 5 §3): the real `unistack demo` process is killed with SIGKILL at named
 * points across every stage (the process kills itself there: UNISTACK_CRASH_AT, see
 * functions/cli/demo/crash-points.ts) and at two fixed times, then run again with the same
 * command. Each folder must end up where an uninterrupted reference run ends: the same raw rows
 * (each accepted record exactly once), contacts, segment, Meta audience and sync log, with no
 * change applied twice at the destination.
 */

const CONTACTS = 80;
const SEED = 5;
const DAY_MS = 86_400_000;
const RECENT_DAYS = 30; // workflow_settings.yaml: recent_purchase_days

interface Scenario {
  readonly name: string;
  /** Which run is killed: 1 (first run of a folder) or 2 (the incremental run, with removes). */
  readonly run: 1 | 2;
  /** Run 2 continues the folder of this run-1 scenario once it has converged (saves a run). */
  readonly continues?: string;
  readonly crashAt?: string;
  /** A timed kill, `ms` after the process printed `line`. */
  readonly killAfter?: { readonly line: string; readonly ms: number };
}

const SCENARIOS: readonly Scenario[] = [
  { name: "during generation", run: 1, crashAt: "generate" },
  { name: "during ingest: a batch landed, its HTTP answer not sent", run: 1, crashAt: "landed:40" },
  {
    name: "during load: a load job committed, its ledger rows not written",
    run: 1,
    crashAt: "loaded:1",
  },
  { name: "in the graph, before its 6th action", run: 1, crashAt: "model:6" },
  { name: "while planning: run recorded, nothing published", run: 1, crashAt: "published:1" },
  {
    name: "during activation: Meta took the batch, ops did not hear of it",
    run: 1,
    crashAt: "sent:1",
  },
  { name: "after activation, before the state is saved", run: 1, crashAt: "before-commit" },
  {
    name: "timed: 400 ms into sending webhooks",
    run: 1,
    killAfter: { line: "❯ Serve the ingest service", ms: 400 },
  },
  {
    name: "timed: 700 ms into the graph",
    run: 1,
    killAfter: { line: "❯ Compile the Dataform project", ms: 700 },
  },
  {
    name: "run 2 while planning: removes recorded, nothing published",
    run: 2,
    continues: "after activation, before the state is saved",
    crashAt: "published:1",
  },
  {
    name: "run 2 during activation: Meta took the first batch, ops did not",
    run: 2,
    continues: "in the graph, before its 6th action",
    crashAt: "sent:1",
  },
];

interface ScenarioResult {
  readonly killed: DemoRun;
  readonly reruns: DemoRun[];
  readonly outcome: Outcome;
}

let root: string;
let started: number;
const reference = new Map<1 | 2, Outcome>();
const results = new Map<string, ScenarioResult>();

const folders = new Map<string, string>();

async function runScenario(
  scenario: Scenario,
  index: number,
  anchor: string,
): Promise<ScenarioResult> {
  // A run-2 scenario goes on in the folder of a run-1 scenario that has converged (its outcome
  // was read first). Not a copy of a folder: a copied lake has new object generations (mtime
  // and inode), which the loader rightly treats as new versions to load.
  const dir = scenario.continues ? folders.get(scenario.continues) : join(root, `s${index}`);
  if (!dir) throw new Error(`"${scenario.name}" continues a scenario that has not run`);
  folders.set(scenario.name, dir);
  if (!scenario.continues) await seedState(dir, { seed: SEED, contacts: CONTACTS, anchor });
  const demo = { dir, contacts: CONTACTS, seed: SEED };
  const killed = await runDemoProcess({
    ...demo,
    ...(scenario.crashAt ? { crashAt: scenario.crashAt } : {}),
    ...(scenario.killAfter ? { killAfter: scenario.killAfter } : {}),
  });
  // The same command again, as a user would; a second try only if the first did not finish.
  const reruns: DemoRun[] = [];
  if (killed.code !== 0) {
    for (let i = 0; i < 2 && reruns.at(-1)?.code !== 0; i++)
      reruns.push(await runDemoProcess(demo));
  }
  return { killed, reruns, outcome: await readOutcome(dir) };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "unistack-crash-"));
  started = Date.now();
  const anchor = new Date(started).toISOString();
  const ref = join(root, "reference");
  await seedState(ref, { seed: SEED, contacts: CONTACTS, anchor });
  const limit = pLimit(2);
  await Promise.all([
    limit(async () => {
      for (const run of [1, 2] as const) {
        const r = await runDemoProcess({ dir: ref, contacts: CONTACTS, seed: SEED });
        if (r.code !== 0) throw new Error(`reference run ${run} failed: ${r.err}`);
        reference.set(run, await readOutcome(ref));
      }
    }),
    ...SCENARIOS.map((scenario, i) => ({ scenario, i }))
      .filter(({ scenario }) => !scenario.continues)
      .map(({ scenario, i }) =>
        limit(async () => results.set(scenario.name, await runScenario(scenario, i, anchor))),
      ),
  ]);
  await Promise.all(
    SCENARIOS.map((scenario, i) => ({ scenario, i }))
      .filter(({ scenario }) => scenario.continues)
      .map(({ scenario, i }) =>
        limit(async () => results.set(scenario.name, await runScenario(scenario, i, anchor))),
      ),
  );
}, 900_000);

afterAll(async () => {
  // What each kill point showed, for the record (stage reached, what the re-run said it did).
  for (const scenario of SCENARIOS) {
    const r = results.get(scenario.name);
    if (!r) continue;
    const stages = [...r.killed.out.matchAll(/✔ ([^:\n]+)/g)].map((m) => m[1]);
    const rerun = r.reruns.at(-1)?.out ?? r.killed.out;
    const notes = [
      ...rerun.matchAll(
        /(Recovered from a killed run[^\n]*|resumed [^\n]*|\d[\d,]* files loaded[^\n]*)/g,
      ),
    ].map((m) => m[1]?.trim());
    console.log(
      `[crash] ${scenario.name}: ${r.killed.signal ?? `exit ${r.killed.code}`} after ${stages.length} stages; re-run ${r.reruns.map((x) => x.code).join(",") || "not needed"}; ${notes.join(" | ")}`,
    );
  }
  await rm(root, { recursive: true, force: true });
});

/**
 * Contacts whose last order lies where the segment's moving boundary (now − 30 days) passed
 * while the runs were going: their membership legitimately depends on when a run ran.
 */
function boundary(...outcomes: Outcome[]): Set<string> {
  const from = started - RECENT_DAYS * DAY_MS - 60_000;
  const to = Date.now() - RECENT_DAYS * DAY_MS + 60_000;
  const emails = new Set<string>();
  for (const o of outcomes) {
    for (const [email, at] of o.lastOrderAt) if (at >= from && at <= to) emails.add(email);
  }
  return emails;
}

describe("a kill -9 at any moment, then the same command again", () => {
  it.each(SCENARIOS)("converges after a kill $name", (scenario) => {
    const result = results.get(scenario.name);
    const ref = reference.get(scenario.run);
    if (!result || !ref) throw new Error("scenario did not run");
    const { killed, reruns, outcome } = result;

    if (scenario.crashAt) expect(killed.signal, killed.err).toBe("SIGKILL");
    if (killed.code !== 0) {
      expect(
        reruns.map((r) => r.code),
        reruns.map((r) => r.err).join("\n"),
      ).toEqual([0]);
    }
    expect(outcome.finishedRuns).toBe(ref.finishedRuns);

    // same raw rows: every accepted record exactly once, nothing lost
    expect(outcome.rawRows.length).toBe(ref.rawRows.length);
    expect(outcome.rawRows).toEqual(ref.rawRows);
    expect(outcome.ledgerDuplicates).toBe(0);
    // same contacts, consent included
    expect([...outcome.contacts].sort()).toEqual([...ref.contacts].sort());
    // same segment and destination state (but for a contact on the moving time boundary)
    const moving = boundary(ref, outcome);
    const movingHashes = new Set([...moving].map((e) => customAudienceEmailKey(e) ?? ""));
    const steady = (emails: string[]) => emails.filter((e) => !moving.has(e));
    const steadyHashes = (hashes: string[]) => hashes.filter((h) => !movingHashes.has(h));
    expect(steady(outcome.segment)).toEqual(steady(ref.segment));
    expect(steadyHashes(outcome.audience)).toEqual(steadyHashes(ref.audience));
    expect(outcome.audience.length).toBeGreaterThan(0);
    // the sync log agrees with the destination and nothing is left open
    expect(outcome.syncMembers).toEqual(outcome.audience);
    expect(outcome.syncMemberDuplicates).toBe(0);
    expect(outcome.openRuns).toBe(0);
    // no duplicate effect: no change applied twice, no other rows under a used upload id
    expect(conflictingResends(outcome.uploads)).toEqual([]);
    if (scenario.crashAt?.startsWith("sent")) {
      // Meta had taken the batch: it was sent again under its own session, and changed nothing
      expect(resends(outcome.uploads)).toBe(1);
    }
    if (moving.size === 0) expect(netChanges(outcome.uploads)).toEqual(netChanges(ref.uploads));
  });

  it("reaches every stage with its kill points, and the timed kills land mid-run", () => {
    const stagesHit = SCENARIOS.filter((s) => s.crashAt).map((s) => s.crashAt?.split(":")[0]);
    expect(new Set(stagesHit)).toEqual(
      new Set(["generate", "landed", "loaded", "model", "published", "sent", "before-commit"]),
    );
    // run 2 has consent withdrawals: its kills cover removes too
    const run1 = netChanges(reference.get(1)?.uploads ?? []);
    const both = netChanges(reference.get(2)?.uploads ?? []);
    expect(both.remove - run1.remove).toBeGreaterThan(0);
    for (const s of SCENARIOS.filter((x) => x.killAfter)) {
      expect(results.get(s.name)?.killed.signal, s.name).toBe("SIGKILL");
    }
  });
});
