import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TableDeclaration } from "../../../functions/core/privacy/declarations.js";
import { runErasure } from "../../../functions/core/privacy/erasure.js";
import { parseErasureRequest } from "../../../functions/core/privacy/erasure-request.js";
import { createLake, type Lake } from "../handlers/harness.js";
import { erasureDeps, observe, PEOPLE_TABLE, seedDeployment } from "./erasure-harness.js";

/** The identity graph's node table, declared as the real one is (node keys, contact ids). */
const NODES: TableDeclaration = {
  dataset: "staging",
  table: "nodes",
  personal: true,
  erase: "now",
  resolves: true,
  identifiers: [
    { column: "node_key", kind: "node_key" },
    { column: "contact_id", kind: "contact_id" },
  ],
};

let lake: Lake;
beforeEach(async () => {
  lake = await createLake();
});
afterEach(() => lake.cleanup());

describe("identity node keys in an erasure", () => {
  it("erases a contact named only by a phone, written E.164 with the plus in the identity graph", async () => {
    const warehouse = await seedDeployment(lake);
    await warehouse.run("CREATE SCHEMA IF NOT EXISTS staging");
    // ct_4 is known by a phone and its SendGrid email; ct_5 by another phone.
    await warehouse.run(
      "CREATE TABLE staging.nodes AS SELECT * FROM (VALUES ('phone:+4915112345678', 'ct_4'), ('email:person4@example.com', 'ct_4'), ('phone:+4915199999999', 'ct_5')) v(node_key, contact_id)",
    );
    const { state } = await runErasure(
      erasureDeps(lake, lake.store, warehouse, { tables: [NODES, PEOPLE_TABLE] }),
      parseErasureRequest({
        kind: "erase",
        erasureId: "er_unit_phone_only",
        origin: "test",
        phones: ["0049 151 12345678"],
      }),
    );
    expect(state.status).toBe("completed");
    const nodes = await warehouse.query("SELECT node_key FROM staging.nodes ORDER BY 1");
    expect(nodes.map((r) => r.node_key)).toEqual(["phone:+4915199999999"]);
    // Resolved through the phone to ct_4 and its email: gone from the people table and raw.
    const after = await observe(lake, warehouse);
    expect(after.people).toEqual(["ct_1", "ct_2", "ct_3", "ct_5"]);
    expect(after.raw.map((r) => r.split(" @ ")[0])).not.toContain("evt-4");
  });
});
