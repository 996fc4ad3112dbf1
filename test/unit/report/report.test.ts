import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createDuckDbWarehouse,
  type DuckDbWarehouse,
} from "../../../functions/platform/local/duckdb-warehouse.js";
import { barChart, dataPoints } from "../../../functions/report/charts.js";
import { renderHtml } from "../../../functions/report/render-html.js";
import { col, loadSection } from "../../../functions/report/report-data.js";
import { buildSections, SECTIONS } from "../../../functions/report/write-report.js";

let warehouse: DuckDbWarehouse;
beforeEach(async () => {
  warehouse = await createDuckDbWarehouse({ path: ":memory:" });
});
afterEach(async () => {
  await warehouse.close();
});

describe("the report's data", () => {
  it("says which table is missing instead of failing the report", async () => {
    const data = await loadSection(
      warehouse,
      "reports.rpt_nothing",
      "SELECT n FROM reports.rpt_nothing",
      {
        n: col.num,
      },
    );
    expect(data).toEqual({
      status: "missing",
      table: "reports.rpt_nothing",
      reason: "reports.rpt_nothing is not in this warehouse",
    });
  });

  it("fails loudly on a column the section does not expect, naming the table", async () => {
    await warehouse.query("CREATE SCHEMA reports");
    await warehouse.query("CREATE TABLE reports.rpt_x AS SELECT 'a lot' AS n");
    await expect(
      loadSection(warehouse, "reports.rpt_x", "SELECT n FROM reports.rpt_x", { n: col.num }),
    ).rejects.toThrow(/row 1 of reports.rpt_x does not have the expected columns: n:/);
  });

  it("shows every section of an empty warehouse as without data, with no chart", async () => {
    const sections = await buildSections(warehouse);
    expect(sections.map((s) => s.id)).toEqual(SECTIONS.map((s) => s.id));
    for (const section of sections) {
      expect(section.missing, section.id).toBeTruthy();
      expect(section.charts ?? [], section.id).toEqual([]);
    }
  });
});

describe("the report page", () => {
  it("cannot be broken out of by a value: names are escaped in HTML and in the embedded JSON", () => {
    const evil = "</script><script>alert(1)</script>";
    const html = renderHtml({
      sections: [
        {
          id: "campaigns",
          title: "Campaigns",
          question: "q",
          tables: ["reports.rpt_email_campaign_kpis"],
          charts: [
            {
              id: "campaign-ctr",
              option: barChart({
                categories: [evil],
                valueName: "CTR %",
                series: [{ name: "CTR %", data: [12.5] }],
              }),
            },
          ],
          table: { columns: ["Campaign"], rows: [[evil]] },
        },
      ],
      generatedAt: new Date("2026-12-01T00:00:00Z"),
      warehouse: "test",
      echarts: "/* echarts */",
    });
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("\\u003c/script>\\u003cscript>alert(1)\\u003c/script>");
    expect(html).toContain("&#60;/script&#62;&#60;script&#62;alert(1)");
    expect(html.match(/<script/g)).toHaveLength(3);
  });

  it("counts a chart's data points over its series, nulls not counted", () => {
    const option = barChart({
      categories: ["a", "b"],
      valueName: "n",
      series: [
        { name: "x", data: [1, null] },
        { name: "y", data: [0, 2] },
      ],
    });
    expect(dataPoints(option)).toBe(3);
  });
});
