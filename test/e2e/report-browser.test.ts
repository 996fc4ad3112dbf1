import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoResult, runDemo } from "../../functions/cli/demo/run-demo.js";
import { REPO_ROOT, requireTool } from "../support/external-tools.js";

/**
 * The local report as a person sees it: the demo writes it, headless Chromium (Debian's
 * `chromium`, installed by .ci/install-tools) opens the file with no server and no network,
 * every chart must have drawn data points on its canvas, and a screenshot is kept.
 */
const SCREENSHOT = resolve(REPO_ROOT, "test-output", "report.png");
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
/** Charts the demo's synthetic data must fill (the answers built on the demo's sources). */
const DEMO_CHARTS = [
  "target-email_clicks_plus_25",
  "target-email_ctr_plus_10",
  "ctr-trend",
  "campaign-ctr",
  "audience-sizes",
  "affinity-lift",
  "freshness-rows",
  "webinar-funnel",
  "webinar-sla",
];

/**
 * Runs in the page: each chart the page says it drew, with the pixels of its canvas that are not
 * transparent (ECharts draws on a transparent canvas: axes, bars and lines are what is painted).
 */
const READ_CHARTS = `window.unistackReport.charts.map(function (chart) {
  var canvas = document.getElementById(chart.dom).querySelector("canvas");
  var pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  var painted = 0;
  for (var i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  return { id: chart.id, dom: chart.dom, points: chart.points, painted: painted };
})`;

const browserTool = requireTool("chromium", "the local report's browser test");

interface DrawnChart {
  readonly id: string;
  readonly dom: string;
  readonly points: number;
  /** Canvas pixels that are not the background. */
  readonly painted: number;
}

describe.skipIf(!browserTool.ok)("the local report in headless Chromium", () => {
  let dir: string;
  let demo: DemoResult;
  let browser: Browser;
  let charts: DrawnChart[];
  let pageText: string;
  const requests: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "unistack-report-"));
    demo = await runDemo(
      { dir, contacts: 300, seed: 5, fresh: true, concurrency: 8, projectDir: REPO_ROOT },
      { interactive: false },
    );
    browser = await chromium.launch({
      executablePath: browserTool.ok ? browserTool.path : "",
      args: FLAGS,
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on("request", (request) => {
      if (!request.url().startsWith("file:")) requests.push(request.url());
    });
    await page.goto(pathToFileURL(demo.report.path).href);
    await page.waitForFunction("window.unistackReport && window.unistackReport.ready === true");
    charts = (await page.evaluate(READ_CHARTS)) as DrawnChart[];
    pageText = await page.innerText("body");
    await mkdir(resolve(SCREENSHOT, ".."), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.info(`report screenshot: ${SCREENSHOT}`);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("is written by the demo's last stage into the demo folder", async () => {
    expect(demo.report.path).toBe(join(dir, "report", "index.html"));
    const html = await readFile(demo.report.path, "utf8");
    expect(html).toContain("<title>Unistack report</title>");
  });

  it("draws every chart with data points on its canvas", () => {
    expect(charts.map((c) => c.id)).toEqual(expect.arrayContaining(DEMO_CHARTS));
    expect(charts.length).toBe(demo.report.charts);
    for (const chart of charts) {
      expect(chart.points, chart.id).toBeGreaterThan(0);
      expect(chart.painted, chart.id).toBeGreaterThan(2000);
    }
  });

  it("names each section without data and why, instead of drawing an empty chart", () => {
    for (const missing of demo.report.missing) {
      expect(pageText).toContain(`No data: ${missing.reason}.`);
    }
    expect(demo.report.missing.map((m) => m.id)).not.toEqual(
      expect.arrayContaining([
        "kpis",
        "ctr-trend",
        "campaigns",
        "audiences",
        "bought-together",
        "freshness",
        "webinars",
      ]),
    );
  });

  it("shows the email KPIs of the last month with CTR defined over impressions", () => {
    expect(pageText).toMatch(/CTR \(clicks \/ impressions\)\s*\d+\.\d\d %/);
    expect(pageText).toMatch(/Sends\s*[\d,]+/);
  });

  it("needs no server and no network: the page requests nothing but its own file", () => {
    expect(requests).toEqual([]);
  });

  it("keeps a screenshot of the whole page", () => {
    expect(existsSync(SCREENSHOT)).toBe(true);
  });
});
