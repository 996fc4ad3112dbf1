import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncCommand } from "../../../functions/cli/commands/sync.js";
import { syncsCommand } from "../../../functions/cli/commands/syncs.js";
import { writeDemoState } from "../../../functions/cli/demo/demo-state.js";
import { startMetaSandbox } from "../../../functions/destinations/meta/sandbox.js";
import { createDuckDbWarehouse } from "../../../functions/platform/local/duckdb-warehouse.js";
import { captureConsole } from "../../support/capture-console.js";
import { emailKey, SEGMENT } from "../activation/harness.js";

/**
 * `unistack sync [--dry-run]` and `unistack syncs` on a local deployment folder: a DuckDB
 * warehouse with a segment, the demo state, and the Meta sandbox's state file (as `unistack
 * demo` leaves them), driven through the commands as a user runs them.
 */

const repoRoot = resolve(import.meta.dirname, "../../..");
const AUDIENCE = "23850000000000001";

async function run(fn: () => Promise<number>) {
  const io = captureConsole();
  try {
    const code = await fn();
    return { code, out: io.out.join("\n"), err: io.err.join("\n") };
  } finally {
    io.restore();
  }
}

const people = (emails: readonly string[]) =>
  emails.map((email, i) => ({
    contact_id: `c${String(i + 1).padStart(3, "0")}_${email.split("@")[0]}`,
    email,
    consent_email_marketing: true,
    consent_ad_user_data: !email.startsWith("noconsent"),
    consent_ad_personalization: true,
    last_order_at: new Date("2026-11-20T12:00:00Z"),
    orders_count: 1,
    phone: null,
    first_name: null,
    last_name: null,
    country_code: null,
    zip: null,
  }));

async function setSegment(dir: string, emails: readonly string[]) {
  const warehouse = await createDuckDbWarehouse({ path: join(dir, "warehouse.duckdb") });
  try {
    await warehouse.ensureTable(SEGMENT);
    await warehouse.query("DELETE FROM marts.seg_recent_purchasers");
    await warehouse.insertRows(SEGMENT, people(emails));
  } finally {
    await warehouse.close();
  }
}

async function sandboxState(dir: string): Promise<{ members: string[]; uploads: number }> {
  const sandbox = await startMetaSandbox({
    statePath: join(dir, "sandbox", "meta-audiences.json"),
    audiences: [AUDIENCE],
  });
  try {
    return { members: sandbox.members(AUDIENCE), uploads: sandbox.uploads().length };
  } finally {
    await sandbox.close();
  }
}

const audience = async (dir: string) => (await sandboxState(dir)).members;

describe("unistack sync --dry-run, unistack sync and unistack syncs", () => {
  let dir: string;
  const flags = () => ({ dir, project: repoRoot, dryRun: true, json: false });
  const env = {};
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "unistack-sync-cli-"));
    await writeDemoState(dir, {
      version: 1,
      seed: 42,
      contacts: 10,
      anchor: "2026-11-30T00:00:00.000Z",
      runs: 1,
      metaAudienceId: AUDIENCE,
    });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("a dry run prints counts and a masked sample, twice the same, and sends and records nothing", async () => {
    await setSegment(dir, ["ann@example.com", "bob@example.org", "noconsent@example.com"]);
    const first = await run(() => syncCommand(flags(), env));
    const second = await run(() => syncCommand(flags(), env));

    expect(first.code).toBe(0);
    expect(second.out).toBe(first.out);
    expect(first.out).toContain(
      "meta_recent_purchasers → meta 23850000000000001 (from marts.seg_recent_purchasers)",
    );
    expect(first.out).toContain("segment rows 3, eligible contacts 2, unchanged 0");
    expect(first.out).toContain("would add 2, update 0, remove 0");
    expect(first.out).toContain("1 without consent");
    expect(first.out).toContain(`add    ${emailKey("ann@example.com").slice(0, 12)}  c001_ann`);
    expect(first.out).toContain("dry run: nothing was sent, published or recorded");
    expect(first.out).not.toMatch(/example\.(com|org)/);
    expect(first.out).not.toContain(emailKey("ann@example.com"));
    // Nothing reached the sandbox: no upload in its journal, no member.
    expect(await sandboxState(dir)).toEqual({ members: [], uploads: 0 });
    const history = await run(() => syncsCommand({ dir, json: true }));
    expect(JSON.parse(history.out).runs).toEqual([]);
  });

  it("a real sync then does exactly what the dry run said", async () => {
    const dry = await run(() => syncCommand({ ...flags(), json: true }, env));
    const planned = JSON.parse(dry.out).syncs[0];
    const real = await run(() => syncCommand({ ...flags(), dryRun: false, json: true }, env));

    expect(real.code).toBe(0);
    const done = JSON.parse(real.out).syncs[0];
    expect({ adds: done.adds, updates: done.updates, removes: done.removes }).toEqual({
      adds: planned.adds,
      updates: planned.updates,
      removes: planned.removes,
    });
    expect(done.runs).toMatchObject([{ status: "succeeded", acceptedAdds: 2, acceptedRemoves: 0 }]);
    expect(await audience(dir)).toEqual(
      [emailKey("ann@example.com"), emailKey("bob@example.org")].sort(),
    );

    // The segment changes: bob leaves, cy joins. Dry run, then the real run, agree.
    await setSegment(dir, ["ann@example.com", "cy@example.net", "noconsent@example.com"]);
    const dry2 = await run(() => syncCommand(flags(), env));
    expect(dry2.out).toContain("would add 1, update 0, remove 1");
    expect(dry2.out).toContain(`remove ${emailKey("bob@example.org").slice(0, 12)}  c002_bob`);
    const real2 = await run(() => syncCommand({ ...flags(), dryRun: false }, env));
    expect(real2.code).toBe(0);
    expect(real2.out).toContain("1 adds, 1 removes in 2 batches");
    expect(await audience(dir)).toEqual(
      [emailKey("ann@example.com"), emailKey("cy@example.net")].sort(),
    );
  });

  it("syncs prints the history of both runs from ops, as text and as JSON", async () => {
    const text = await run(() => syncsCommand({ dir, json: false }));
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/meta_recent_purchasers\s+succeeded\s+\+2 -0/);
    expect(text.out).toMatch(/meta_recent_purchasers\s+succeeded\s+\+1 -1/);
    const json = JSON.parse((await run(() => syncsCommand({ dir, json: true }))).out);
    expect(json.runs).toHaveLength(2);
    expect(json.runs[0]).toMatchObject({
      syncId: "meta_recent_purchasers",
      destination: "meta",
      status: "succeeded",
      plannedAdds: 1,
      plannedRemoves: 1,
      acceptedAdds: 1,
      acceptedRemoves: 1,
      rejected: {},
    });
    expect(json.runs[1]).toMatchObject({ plannedAdds: 2, acceptedAdds: 2 });
    expect(JSON.stringify(json)).not.toMatch(/example\.(com|org|net)/);
  });

  it("refuses an unknown --sync and a sync the local deployment has no sandbox for", async () => {
    const unknown = await run(() => syncCommand({ ...flags(), sync: "nope" }, env));
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain(
      'no sync "nope" is configured here (configured: meta_recent_purchasers)',
    );
    const other = {
      UNISTACK_SYNCS: JSON.stringify([
        {
          id: "meta_other",
          segment: { dataset: "marts", table: "seg_recent_purchasers" },
          destination: "meta",
          audienceId: "999",
          requiredConsent: ["ad_user_data"],
        },
      ]),
    };
    const refused = await run(() => syncCommand({ ...flags(), dryRun: false }, other));
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("sync meta_other goes to meta 999, which has no sandbox");
    // …but its dry run works: it only reads the warehouse.
    const dry = await run(() => syncCommand(flags(), other));
    expect(dry.code).toBe(0);
    expect(dry.out).toContain("meta_other → meta 999");
    expect(await readFile(join(dir, "demo-state.json"), "utf8")).toContain('"runs": 1');
  });
});
