import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileProject } from "../../functions/dataform/compile.js";
import type { CompiledGraph } from "../../functions/dataform/compiled-graph.js";
import { REPO_ROOT } from "../support/external-tools.js";

/**
 * Column-level protection end to end on our side: the scheduled compilation passes each policy tag
 * as `pii_tag_<kind>` (infra/dataform-run.workflow.yaml, values from infra/pii.tf), and the models
 * declare their contact-detail columns with `pii.column` (includes/pii.js), so the compiled graph
 * asks BigQuery to tag exactly those columns. Locally, without the variables, nothing is tagged.
 */

const TAG = "projects/p/locations/eu/taxonomies/1/policyTags/2";
const KINDS = ["email", "phone", "address"] as const;

const taggedColumns = (graph: CompiledGraph) =>
  graph.actions.flatMap((action) =>
    action.columns
      .filter((column) => (column.policyTags ?? []).length > 0)
      .map((column) => `${action.name}.${column.name}`),
  );

describe("policy tags on contact details", () => {
  it("tags every contact-detail column (email, phone, postcode) of the staging and marts tables when the schedule passes the tags", async () => {
    const graph = await compileProject({
      projectDir: REPO_ROOT,
      target: "bigquery",
      vars: Object.fromEntries(KINDS.map((kind) => [`pii_tag_${kind}`, TAG])),
    });
    for (const action of graph.actions) {
      for (const column of action.columns) {
        if (column.policyTags) expect(column.policyTags).toEqual([TAG]);
      }
    }
    expect(taggedColumns(graph).sort()).toEqual([
      "marts.dim_contacts.email",
      "marts.dim_contacts.phone",
      "marts.dim_contacts.zip",
      "marts.seg_hot_webinar_leads.email",
      "marts.seg_lookalike_seed.email",
      "marts.seg_onboarding.email",
      "marts.seg_recent_purchasers.email",
      "marts.seg_recent_purchasers.phone",
      "marts.seg_recent_purchasers.zip",
      "marts.seg_retargeting.email",
      "marts.seg_retargeting.phone",
      "marts.seg_retargeting.zip",
      "marts.webinar_leads.email",
      "staging.int_identity__node_contacts.node_value",
    ]);
  });

  it("tags nothing in a local compilation (no taxonomy)", async () => {
    const graph = await compileProject({ projectDir: REPO_ROOT, target: "bigquery" });
    expect(taggedColumns(graph)).toEqual([]);
  });

  it("passes one variable per tag kind from the schedule to the compilation", () => {
    const workflow = readFileSync(join(REPO_ROOT, "infra/dataform-run.workflow.yaml"), "utf8");
    const pii = readFileSync(join(REPO_ROOT, "infra/pii.tf"), "utf8");
    for (const kind of KINDS) {
      expect(workflow).toContain(
        `pii_tag_${kind}: \${sys.get_env("DATAFORM_PII_TAG_${kind.toUpperCase()}")}`,
      );
      expect(pii).toMatch(new RegExp(`^\\s+${kind}\\s+= \\{`, "m"));
    }
  });
});
