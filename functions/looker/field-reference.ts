import type { CompiledGraph } from "../dataform/compiled-graph.js";
import { LOOKER_DATA_SOURCES } from "./linking-url.js";

export const FIELDS_BEGIN = "<!-- fields:begin (generated: npx unistack looker-link --fields) -->";
export const FIELDS_END = "<!-- fields:end -->";

/**
 * The field-by-field reference of the tables Looker Studio reads (the `reports` dataset), from
 * the descriptions in the SQLX files: docs/dashboards.md carries this block, and a test fails when
 * it differs from the models.
 */
export function fieldReference(graph: CompiledGraph): string {
  const reports = graph.actions
    .filter((a) => a.type !== "assertion" && a.target.schema === "reports")
    .sort((a, b) => a.target.name.localeCompare(b.target.name));
  const alias = new Map(LOOKER_DATA_SOURCES.map((d) => [d.table, d.alias]));
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();
  const sections = reports.map((action) => {
    const name = action.target.name;
    const rows = action.columns.map((c) => `| \`${c.name}\` | ${cell(c.description ?? "")} |`);
    return [
      `### \`${name}\` (data source \`${alias.get(name) ?? "not in the template"}\`)`,
      "",
      cell(action.description ?? ""),
      "",
      "| field | meaning |",
      "|---|---|",
      ...rows,
    ].join("\n");
  });
  return [FIELDS_BEGIN, "", ...sections.flatMap((s) => [s, ""]), FIELDS_END].join("\n");
}
