import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compileProject } from "../../../functions/dataform/compile.js";
import type { CompiledGraph } from "../../../functions/dataform/compiled-graph.js";
import {
  FIELDS_BEGIN,
  FIELDS_END,
  fieldReference,
} from "../../../functions/looker/field-reference.js";
import {
  LINKING_API_BASE,
  LOOKER_DATA_SOURCES,
  lookerLinkingUrl,
} from "../../../functions/looker/linking-url.js";

const repoRoot = resolve(import.meta.dirname, "../../..");

describe("the Looker Studio Linking API URL", () => {
  it("copies the template onto the user's project and dataset, one BigQuery table per data source", () => {
    const url = new URL(
      lookerLinkingUrl({
        project: "acme-marketing",
        dataset: "reports",
        billingProject: "acme-bi",
        templateReportId: "1a2b3c4d-aaaa-bbbb-cccc-1234567890ab",
        reportName: "Acme answers",
      }),
    );
    expect(`${url.origin}${url.pathname}`).toBe(LINKING_API_BASE);
    const params = Object.fromEntries(url.searchParams);
    expect(params["c.reportId"]).toBe("1a2b3c4d-aaaa-bbbb-cccc-1234567890ab");
    expect(params["r.reportName"]).toBe("Acme answers");
    expect(url.search).toContain("r.reportName=Acme%20answers");
    for (const { alias, table } of LOOKER_DATA_SOURCES) {
      expect(params).toMatchObject({
        [`ds.${alias}.connector`]: "bigQuery",
        [`ds.${alias}.type`]: "TABLE",
        [`ds.${alias}.projectId`]: "acme-marketing",
        [`ds.${alias}.datasetId`]: "reports",
        [`ds.${alias}.tableId`]: table,
        [`ds.${alias}.billingProjectId`]: "acme-bi",
      });
    }
  });

  it("starts a new report with the data sources attached when no template is given", () => {
    const url = new URL(lookerLinkingUrl({ project: "acme-marketing", dataset: "reports_emea" }));
    expect(url.searchParams.has("c.reportId")).toBe(false);
    expect(url.searchParams.get("ds.ds0.datasetId")).toBe("reports_emea");
    expect(url.searchParams.has("ds.ds0.billingProjectId")).toBe(false);
  });

  it("refuses a project or dataset id that BigQuery would not accept, naming it", () => {
    expect(() => lookerLinkingUrl({ project: "Acme Marketing", dataset: "reports" })).toThrow(
      /not a Google Cloud project id/,
    );
    expect(() => lookerLinkingUrl({ project: "acme-marketing", dataset: "re-ports" })).toThrow(
      /not a BigQuery dataset id/,
    );
    expect(() =>
      lookerLinkingUrl({ project: "acme-marketing", dataset: "reports&ds.ds0.projectId=evil" }),
    ).toThrow(/not a BigQuery dataset id/);
  });
});

describe("the template's data sources and field reference", () => {
  let graph: CompiledGraph;
  beforeAll(async () => {
    graph = await compileProject({ projectDir: repoRoot, target: "bigquery" });
  });

  it("name exactly the rpt_ tables of the reports dataset, each once", () => {
    const reports = graph.actions
      .filter((a) => a.type !== "assertion" && a.target.schema === "reports")
      .map((a) => a.target.name)
      .sort();
    expect(LOOKER_DATA_SOURCES.map((d) => d.table).sort()).toEqual(reports);
    expect(new Set(LOOKER_DATA_SOURCES.map((d) => d.alias)).size).toBe(LOOKER_DATA_SOURCES.length);
    for (const name of reports) expect(name).toMatch(/^rpt_/);
  });

  it("are the tables Terraform puts the business units' row access policies on", () => {
    const tf = readFileSync(resolve(repoRoot, "infra/reports-row-access.tf"), "utf8");
    const list = /report_tables = \[([^\]]*)\]/.exec(tf)?.[1] ?? "";
    const inTerraform = [...list.matchAll(/"([a-z0-9_]+)"/g)].map((m) => m[1]).sort();
    expect(inTerraform).toEqual(LOOKER_DATA_SOURCES.map((d) => d.table).sort());
  });

  it("documents every field of every rpt_ table in docs/dashboards.md, as the models describe it", () => {
    const docs = readFileSync(resolve(repoRoot, "docs/dashboards.md"), "utf8");
    const start = docs.indexOf(FIELDS_BEGIN);
    const end = docs.indexOf(FIELDS_END);
    expect(start, "docs/dashboards.md has no generated field block").toBeGreaterThanOrEqual(0);
    expect(
      docs.slice(start, end + FIELDS_END.length),
      "regenerate: npx unistack looker-link --fields",
    ).toBe(fieldReference(graph));
    for (const action of graph.actions.filter(
      (a) => a.target.schema === "reports" && a.type !== "assertion",
    )) {
      for (const column of action.columns)
        expect(column.description, `${action.name}.${column.name}`).toBeTruthy();
    }
  });
});
