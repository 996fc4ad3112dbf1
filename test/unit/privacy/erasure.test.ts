import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runErasure } from "../../../functions/core/privacy/erasure.js";
import { parseErasureRequest } from "../../../functions/core/privacy/erasure-request.js";
import { ErasureBusyError } from "../../../functions/core/privacy/erasure-steps.js";
import type { ObjectStore, Warehouse } from "../../../functions/platform/ports.js";
import { createLake, type Lake } from "../handlers/harness.js";
import { erasureDeps, observe, seedDeployment } from "./erasure-harness.js";

let lake: Lake;
beforeEach(async () => {
  lake = await createLake();
});
afterEach(() => lake.cleanup());

const erasePerson2 = (erasureId = "er_unit_person2") =>
  parseErasureRequest({
    kind: "erase",
    erasureId,
    origin: "test",
    emails: ["Person2@Example.com"],
  });

describe("an erasure of one person", () => {
  it("removes their records from lake, raw and tables, loads the rest again and reports counts", async () => {
    const warehouse = await seedDeployment(lake);
    const before = await observe(lake, warehouse);
    const { state, report } = await runErasure(
      erasureDeps(lake, lake.store, warehouse),
      erasePerson2(),
    );
    const after = await observe(lake, warehouse);
    expect(state.status).toBe("completed");
    expect(after.people).toEqual(["ct_1", "ct_3", "ct_4", "ct_5"]);
    expect(after.raw.map((r) => r.split(" @ ")[0])).toEqual(["evt-1", "evt-3", "evt-4", "evt-5"]);
    expect(after.lines.map((l) => l.split(": ")[1])).toEqual(
      before.lines.map((l) => l.split(": ")[1]).filter((id) => !id?.startsWith("evt-2")),
    );
    expect(Object.fromEntries(report.removed.map((r) => [r.location, r.count]))).toMatchObject({
      "lake:raw/sendgrid/events": 2,
      "warehouse:raw.sendgrid_events": 2,
      "warehouse:marts.people": 1,
    });
    expect(JSON.stringify(report)).not.toMatch(/person2@|ct_2/i);
    expect(state.keys).toEqual([]);
    expect(state.contactIds).toEqual([]);
  });

  it("finds the person's other identifiers through a resolving table (contact id → email)", async () => {
    const warehouse = await seedDeployment(lake);
    const request = parseErasureRequest({
      kind: "erase",
      erasureId: "er_unit_bycontact",
      contactIds: ["ct_5"],
    });
    await runErasure(erasureDeps(lake, lake.store, warehouse), request);
    const after = await observe(lake, warehouse);
    expect(after.raw.map((r) => r.split(" @ ")[0])).toEqual([
      "evt-1",
      "evt-2",
      "evt-2b",
      "evt-3",
      "evt-4",
    ]);
    expect(await lake.keys("raw/")).toHaveLength(2);
  });

  it("waits while a load batch is in flight, changing nothing, and says what to do", async () => {
    const warehouse = await seedDeployment(lake);
    await lake.store.put("loads/manifests/sendgrid_events/m0.json", "{}");
    const before = await observe(lake, warehouse);
    await expect(
      runErasure(erasureDeps(lake, lake.store, warehouse), erasePerson2()),
    ).rejects.toThrow(ErasureBusyError);
    await expect(
      runErasure(erasureDeps(lake, lake.store, warehouse), erasePerson2()),
    ).rejects.toThrow(/let the loader finish it/);
    const after = await observe(lake, warehouse);
    expect(after.raw).toEqual(before.raw);
    expect(after.lines).toEqual(before.lines);
  });

  it("stops at a lake prefix nobody declared, naming it (deep erasure)", async () => {
    const warehouse = await seedDeployment(lake);
    await lake.store.put("exports-by-hand/list.csv", "person2@example.com\n");
    const request = parseErasureRequest({
      kind: "erase",
      erasureId: "er_unit_deep",
      emails: ["person2@example.com"],
      deep: true,
    });
    await expect(runErasure(erasureDeps(lake, lake.store, warehouse), request)).rejects.toThrow(
      /"exports-by-hand\/" that no declaration covers/,
    );
  });
});

class Killed extends Error {}

/** The store and warehouse of a process that dies after its `n`-th write (kill -9). */
function dyingAfter(n: number, store: ObjectStore, warehouse: Warehouse) {
  let writes = 0;
  let dead = false;
  const write = async <T>(work: () => Promise<T>): Promise<T> => {
    if (dead) throw new Killed("gone");
    const result = await work();
    if (++writes >= n) {
      dead = true;
      throw new Killed(`killed after write ${n}`);
    }
    return result;
  };
  const read = async <T>(work: () => Promise<T>): Promise<T> => {
    if (dead) throw new Killed("gone");
    return work();
  };
  const dyingStore: ObjectStore = {
    location: store.location,
    uriOf: (k) => store.uriOf(k),
    get: (k) => read(() => store.get(k)),
    stat: (k) => read(() => store.stat(k)),
    list: (p) => read(() => store.list(p)),
    put: (k, b, o) => write(() => store.put(k, b, o)),
    delete: (k) => write(() => store.delete(k)),
  };
  const dyingWarehouse: Warehouse = {
    dialect: warehouse.dialect,
    location: warehouse.location,
    query: (sql, params) =>
      /^\s*(DELETE|INSERT|UPDATE)/i.test(sql)
        ? write(() => warehouse.query(sql, params))
        : read(() => warehouse.query(sql, params)),
    ensureTable: (spec) => read(() => warehouse.ensureTable(spec)),
    load: (r) => write(() => warehouse.load(r)),
    insertRows: (t, rows) => write(() => warehouse.insertRows(t, rows)),
    close: () => warehouse.close(),
  };
  return { store: dyingStore, warehouse: dyingWarehouse, writes: () => writes };
}

describe("an erasure killed at any write and run again", () => {
  it("ends with the same lake, raw rows and tables as one that ran through", async () => {
    const warehouse = await seedDeployment(lake);
    await runErasure(erasureDeps(lake, lake.store, warehouse), erasePerson2("er_unit_reference"));
    const reference = await observe(lake, warehouse);
    const counted = dyingAfter(Number.POSITIVE_INFINITY, lake.store, warehouse);
    await lake.cleanup();

    let total = 0;
    for (let n = 1; ; n++) {
      lake = await createLake();
      const seeded = await seedDeployment(lake);
      const dying = dyingAfter(n, lake.store, seeded);
      const killed = await runErasure(
        erasureDeps(lake, dying.store, dying.warehouse, { holder: `run-${n}-a` }),
        erasePerson2(),
      ).then(
        () => false,
        (error: unknown) => {
          if (!(error instanceof Killed)) throw error;
          return true;
        },
      );
      if (!killed) {
        total = n - 1;
        break;
      }
      const { state } = await runErasure(
        erasureDeps(lake, lake.store, seeded, { holder: `run-${n}-b` }),
        erasePerson2(),
      );
      expect(state.status, `killed after write ${n}`).toBe("completed");
      const observed = await observe(lake, seeded);
      expect(
        observed.raw.map((r) => r.split(" @ ")[0]),
        `killed after write ${n}`,
      ).toEqual(reference.raw.map((r) => r.split(" @ ")[0]));
      expect(observed.people, `killed after write ${n}`).toEqual(reference.people);
      expect(observed.lines, `killed after write ${n}`).toEqual(reference.lines);
      await lake.cleanup();
    }
    expect(counted.writes()).toBe(0);
    expect(total).toBeGreaterThan(10);
  }, 240_000);
});
