import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { RenderedSection } from "./section.js";

const require = createRequire(import.meta.url);

/** ECharts' own minified browser build, inlined so the page needs no server and no network. */
export async function echartsSource(): Promise<string> {
  return readFile(require.resolve("echarts/dist/echarts.min.js"), "utf8");
}

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON inside <script>: `<` escaped so no value can close the element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, "\\u003c");

/** A DOM id from any text (chart ids may come from config, e.g. target ids). */
export const domId = (value: string): string =>
  `chart-${value.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;

function cell(value: string | number | null): string {
  if (value === null) return "–";
  return escapeHtml(typeof value === "number" ? value.toLocaleString("en") : value);
}

function renderSection(section: RenderedSection): string {
  const parts = [
    `<section id="${escapeHtml(section.id)}" class="${section.missing ? "missing" : "ok"}">`,
    `<h2>${escapeHtml(section.title)}</h2>`,
    `<p class="question">${escapeHtml(section.question)}</p>`,
    `<p class="tables">Reads ${section.tables.map((t) => `<code>${escapeHtml(t)}</code>`).join(", ")}</p>`,
  ];
  if (section.missing) {
    parts.push(`<p class="empty">No data: ${escapeHtml(section.missing)}.</p>`);
  }
  if (section.tiles) {
    parts.push(
      `<div class="tiles">${section.tiles
        .map(
          (t) =>
            `<div class="tile"><span>${escapeHtml(t.label)}</span><strong>${escapeHtml(t.value)}</strong></div>`,
        )
        .join("")}</div>`,
    );
  }
  for (const chart of section.charts ?? []) {
    parts.push(
      `<div class="chart" id="${domId(chart.id)}" data-chart="${escapeHtml(chart.id)}"></div>`,
    );
  }
  if (section.table) {
    const head = section.table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
    const body = section.table.rows
      .map((row) => `<tr>${row.map((v) => `<td>${cell(v)}</td>`).join("")}</tr>`)
      .join("");
    parts.push(`<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`);
  }
  parts.push("</section>");
  return parts.join("\n");
}

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{background:#1d2330;color:#fff;padding:16px 24px}header p{margin:4px 0 0;color:#c9ced8;font-size:14px}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px;padding:16px}
section{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
section.missing{opacity:.75}h2{font-size:18px;margin:4px 0}
.question{margin:4px 0;color:#3c4658}.tables{font-size:12px;color:#6b7385;margin:4px 0 8px}
.empty{color:#9a4a00}.chart{width:100%;height:320px}
.tiles{display:flex;flex-wrap:wrap;gap:8px}.tile{flex:1 1 150px;background:#eef1f6;border-radius:6px;padding:8px}
.tile span{display:block;font-size:12px;color:#556}.tile strong{font-size:18px}
table{border-collapse:collapse;width:100%;font-size:13px;margin-top:8px}
th,td{border-bottom:1px solid #e3e6ec;padding:4px 6px;text-align:right}th:first-child,td:first-child{text-align:left}`;

/**
 * The whole page. Charts are drawn by the inlined ECharts from options embedded as JSON; the
 * page records each chart's data points in `window.unistackReport` when it has drawn them, which
 * the browser test reads (and a person can ignore).
 */
export function renderHtml(input: {
  readonly sections: readonly RenderedSection[];
  readonly generatedAt: Date;
  readonly warehouse: string;
  readonly echarts: string;
}): string {
  const charts = input.sections.flatMap((s) =>
    (s.charts ?? []).map((c) => ({ dom: domId(c.id), id: c.id, option: c.option })),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Unistack report</title><style>${STYLE}</style></head>
<body><header><h1>Unistack: marketing answers</h1>
<p>From ${escapeHtml(input.warehouse)} · generated ${escapeHtml(input.generatedAt.toISOString())} · definitions: docs/dashboards.md</p></header>
<main>
${input.sections.map(renderSection).join("\n")}
</main>
<script>${input.echarts}</script>
<script id="chart-options" type="application/json">${scriptJson(charts)}</script>
<script>
(function () {
  var charts = JSON.parse(document.getElementById("chart-options").textContent);
  var drawn = [];
  charts.forEach(function (c) {
    var chart = echarts.init(document.getElementById(c.dom), null, { renderer: "canvas" });
    chart.setOption(c.option);
    var points = (chart.getOption().series || []).reduce(function (n, s) {
      return n + (s.data || []).filter(function (d) { return d !== null && d !== undefined; }).length;
    }, 0);
    drawn.push({ id: c.id, dom: c.dom, points: points });
    window.addEventListener("resize", function () { chart.resize(); });
  });
  window.unistackReport = { charts: drawn, ready: true };
})();
</script>
</body></html>
`;
}
