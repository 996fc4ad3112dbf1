import { resolve } from "node:path";
import { writeFileAtomic } from "../platform/local/atomic-file.js";
import { dataPoints } from "./charts.js";
import { echartsSource, renderHtml } from "./render-html.js";
import type { ReportSource } from "./report-data.js";
import type { RenderedSection, SectionSpec } from "./section.js";
import { audiences, boughtTogether } from "./sections-audiences.js";
import { attribution, regions, targets, webinars } from "./sections-b2b.js";
import { ctrTrend, emailCampaigns, emailKpis } from "./sections-email.js";
import { freshness } from "./sections-quality.js";

/** The report's sections, in page order (docs/dashboards.md describes each). */
export const SECTIONS: readonly SectionSpec[] = [
  emailKpis,
  ctrTrend,
  emailCampaigns,
  attribution,
  regions,
  webinars,
  audiences,
  targets,
  boughtTogether,
  freshness,
];

export interface ReportSummary {
  readonly path: string;
  readonly sections: number;
  readonly charts: number;
  /** Sections without data, with the reason (a table not built yet, no rows). */
  readonly missing: readonly { readonly id: string; readonly reason: string }[];
}

export async function buildSections(source: ReportSource): Promise<RenderedSection[]> {
  const sections: RenderedSection[] = [];
  for (const spec of SECTIONS) {
    const built = await spec.build(source);
    // A chart without a single data point says nothing: it is dropped, not drawn empty.
    const charts = built.charts?.filter((c) => dataPoints(c.option) > 0);
    const empty = built.charts !== undefined && charts?.length === 0 && !built.missing;
    sections.push({
      id: spec.id,
      title: spec.title,
      question: spec.question,
      tables: spec.tables,
      ...built,
      ...(charts ? { charts } : {}),
      ...(empty ? { missing: "its tables have no data points to chart" } : {}),
    });
  }
  return sections;
}

/**
 * Writes the static HTML report of the warehouse to `out` (atomically: a reader sees the old
 * report or the new one). What `unistack report` and the demo's last stage run.
 */
export async function writeReport(input: {
  readonly source: ReportSource;
  readonly out: string;
  readonly warehouseLabel: string;
  readonly now?: Date;
}): Promise<ReportSummary> {
  const sections = await buildSections(input.source);
  const html = renderHtml({
    sections,
    generatedAt: input.now ?? new Date(),
    warehouse: input.warehouseLabel,
    echarts: await echartsSource(),
  });
  const path = resolve(input.out);
  await writeFileAtomic(path, html);
  return {
    path,
    sections: sections.length,
    charts: sections.reduce((n, s) => n + (s.charts?.length ?? 0), 0),
    missing: sections.flatMap((s) => (s.missing ? [{ id: s.id, reason: s.missing }] : [])),
  };
}
