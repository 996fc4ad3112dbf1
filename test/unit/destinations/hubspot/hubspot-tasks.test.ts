import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { HubspotClient } from "../../../../functions/destinations/hubspot/client.js";
import {
  latestIntent,
  writeIntent,
} from "../../../../functions/destinations/hubspot/task-intents.js";
import { createFsObjectStore } from "../../../../functions/platform/local/fs-object-store.js";
import { type HubspotHarness, leads, startHubspotHarness } from "./harness.js";

/**
 * Routed webinar leads → HubSpot tasks, exactly once: what the sandbox holds after normal runs,
 * redeliveries, a 429 storm and a crash between HubSpot's create and our record.
 */

/** Every task key the sandbox holds, with how many tasks carry it. */
function taskCounts(h: HubspotHarness): Map<string, number> {
  const counts = new Map<string, number>();
  for (const task of h.sandbox.tasks()) {
    const key = task.properties.unistack_task_key ?? "";
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe("HubSpot tasks for routed webinar leads", () => {
  let h: HubspotHarness;
  afterEach(async () => {
    await h.close();
  });

  it("creates one task per routed lead with its owner, due time and contact, and none again on the next run", async () => {
    h = await startHubspotHarness();
    await h.setLeads([
      { contact: "c1", email: "Ann@Example.com", owner: "501" },
      { contact: "c2", email: "bob@example.com", owner: "502", webinar: "wb-2" },
      { contact: "c3", email: "cy@example.com", owner: null },
    ]);

    const plan = await h.run();

    expect(plan).toMatchObject({ plannedAdds: 2 });
    const tasks = h.sandbox.tasks();
    expect(tasks).toHaveLength(2);
    const contacts = new Map(h.sandbox.contacts().map((c) => [c.properties.email, c.id]));
    expect([...contacts.keys()].sort()).toEqual(["ann@example.com", "bob@example.com"]);
    const ann = tasks.find((t) => t.contactIds[0] === contacts.get("ann@example.com"));
    expect(ann?.properties).toMatchObject({
      hs_task_subject: "Follow up: Spring launch",
      hubspot_owner_id: "501",
      hs_timestamp: "2026-12-01T18:00:00.000Z",
      hs_task_status: "NOT_STARTED",
      hs_task_priority: "HIGH",
      hs_task_type: "TODO",
    });
    expect(ann?.properties.hs_task_body).toBe("lead_score: 80\nsla_hours: 24");
    // The unrouted lead is no task and is reported, not sent.
    expect(plan.skipped.invalidEmail).toBe(1);

    const again = await h.run();
    expect(again.status).toBe("no_changes");
    expect(h.sandbox.tasks()).toHaveLength(2);
    const members = await h.rows<{ n: bigint }>(
      "SELECT COUNT(*) AS n FROM ops.sync_members WHERE destination_id IS NOT NULL",
    );
    expect(Number(members[0]?.n)).toBe(2);
  });

  it("a batch delivered three times (two deliveries die after HubSpot answered) creates each task once", async () => {
    let crashes = 2;
    h = await startHubspotHarness({
      wrap: (client): HubspotClient => ({
        ...client,
        async createTasks(keyProperty, tasks, limits) {
          const ids = await client.createTasks(keyProperty, tasks, limits);
          // The process dies after HubSpot created these, before anything is recorded.
          if (crashes-- > 0) throw new Error("simulated crash after create");
          return ids;
        },
      }),
    });
    await h.setLeads(leads(120));

    await h.run();
    const event = h.delivered[0];
    if (!event) throw new Error("no delivery");
    // Pub/Sub delivers the message once more after it was settled: nothing happens.
    await h.deliver(event);

    expect(h.delivered).toHaveLength(3);
    expect(h.sandbox.tasks()).toHaveLength(120);
    expect([...taskCounts(h).values()].every((n) => n === 1)).toBe(true);
    const members = await h.rows<{ n: bigint }>(
      "SELECT COUNT(DISTINCT destination_id) AS n FROM ops.sync_members",
    );
    expect(Number(members[0]?.n)).toBe(120);
    // Creates went in calls of at most 100 inputs.
    const creates = h.sandbox.calls.filter((c) => c.path.endsWith("/tasks/batch/create"));
    expect(creates.every((c) => (c.inputs ?? 0) <= 100)).toBe(true);
  });

  it("of two deliveries racing to create one task, exactly one writes its intent", async () => {
    h = await startHubspotHarness();
    const root = await mkdtemp(join(tmpdir(), "unistack-intents-"));
    const store = createFsObjectStore({ root });
    const intent = {
      syncId: "hubspot_webinar_tasks",
      key: "a".repeat(64),
      attempt: 1,
      runId: "20261201T090000Z-abc123",
      at: new Date("2026-12-01T09:00:00Z"),
    };
    const won = await Promise.all([writeIntent(store, intent), writeIntent(store, intent)]);
    expect(won.sort()).toEqual([false, true]);
    expect(await latestIntent(store, intent.syncId, intent.key)).toEqual({
      attempt: 1,
      intendedAt: intent.at,
    });
    await rm(root, { recursive: true, force: true });
  });

  it("a 429 storm is waited out (Retry-After exactly) and ends with every task once", async () => {
    h = await startHubspotHarness();
    await h.setLeads(leads(30));
    h.sandbox.failNext({ kind: "rate_limit", retryAfterSeconds: 2 }, 4);
    const before = h.time();

    await h.run();

    expect(h.sandbox.tasks()).toHaveLength(30);
    expect([...taskCounts(h).values()].every((n) => n === 1)).toBe(true);
    expect(h.sandbox.calls.filter((c) => c.status === 429)).toHaveLength(4);
    // Four waits of exactly 2 s: no backoff of our own on top.
    expect(h.time() - before).toBe(8_000);
    const batches = await h.rows<{ status: string }>("SELECT status FROM ops.sync_batches");
    expect(batches.map((b) => b.status)).toEqual(["succeeded"]);
  });

  it("a crash after HubSpot created part of a batch converges to one task per lead", async () => {
    let crashes = 1;
    h = await startHubspotHarness({
      searchLagMs: 5_000,
      wrap: (client): HubspotClient => ({
        ...client,
        async createTasks(keyProperty, tasks) {
          const ids = await client.createTasks(keyProperty, tasks);
          // The process dies after HubSpot took the first 100, before anything is recorded.
          if (crashes-- > 0) throw new Error("simulated crash after create");
          return ids;
        },
      }),
    });
    await h.setLeads(leads(250));

    const plan = await h.run();

    expect(plan.plannedAdds).toBe(250);
    expect(h.delivered.length).toBeGreaterThan(1);
    expect(h.sandbox.tasks()).toHaveLength(250);
    expect([...taskCounts(h).values()].every((n) => n === 1)).toBe(true);
    const members = await h.rows<{ n: bigint }>(
      "SELECT COUNT(DISTINCT destination_id) AS n FROM ops.sync_members",
    );
    expect(Number(members[0]?.n)).toBe(250);
    const outcome = await h.rows<{ status: string }>("SELECT status FROM ops.sync_run_outcomes");
    expect(outcome.map((o) => o.status)).toEqual(["succeeded"]);
  });

  it("one lead with an owner HubSpot does not know is rejected; the others get their task", async () => {
    h = await startHubspotHarness();
    await h.setLeads([...leads(3), { contact: "c9", email: "zed@example.com", owner: "999" }]);

    await h.run();

    expect(h.sandbox.tasks()).toHaveLength(3);
    const rejected = await h.rows<{ contact_id: string; reason: string }>(
      "SELECT contact_id, reason FROM ops.sync_rejections",
    );
    expect(rejected).toEqual([{ contact_id: "c9", reason: "hubspot_validation_error" }]);
    // The next run retries the rejected lead only.
    const next = await h.run();
    expect(next.plannedAdds).toBe(1);
    expect(h.sandbox.tasks()).toHaveLength(3);
  });
});
