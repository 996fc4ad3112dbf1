/**
 * ECharts options for the report's charts, as plain JSON (no formatter functions): the page
 * embeds them and calls `setOption` as they are, so what a chart shows is decided and tested
 * here. Animation is off: a chart is drawn completely when `setOption` returns, which is what a
 * screenshot and the browser test see.
 */

export type ChartOption = Record<string, unknown>;

export interface Series {
  readonly name: string;
  readonly data: readonly (number | null)[];
  /** Draw as bars instead of the chart's default. */
  readonly bar?: boolean;
  /** 1 = the right-hand y axis. */
  readonly axis?: 0 | 1;
  readonly stack?: string;
}

const BASE = {
  animation: false,
  tooltip: { trigger: "axis" },
  legend: { top: 0 },
  grid: { left: 56, right: 56, top: 36, bottom: 40, containLabel: true },
} as const;

function yAxes(names: readonly [string, string?]): ChartOption[] {
  return names
    .filter((name): name is string => name !== undefined)
    .map((name, i) => ({ type: "value", name, position: i === 0 ? "left" : "right" }));
}

/** Lines (or bars) over ordered categories, e.g. months. */
export function lineChart(input: {
  readonly categories: readonly string[];
  readonly series: readonly Series[];
  readonly yNames: readonly [string, string?];
}): ChartOption {
  return {
    ...BASE,
    xAxis: { type: "category", data: input.categories },
    yAxis: yAxes(input.yNames),
    series: input.series.map((s) => ({
      name: s.name,
      type: s.bar ? "bar" : "line",
      yAxisIndex: s.axis ?? 0,
      data: s.data,
      ...(s.stack ? { stack: s.stack } : {}),
      ...(s.bar ? {} : { symbolSize: 6 }),
    })),
  };
}

/** Bars per category; horizontal when the labels are long (campaigns, products). */
export function barChart(input: {
  readonly categories: readonly string[];
  readonly series: readonly Series[];
  readonly valueName: string;
  readonly horizontal?: boolean;
}): ChartOption {
  const category = { type: "category", data: input.categories };
  const value = { type: "value", name: input.valueName };
  return {
    ...BASE,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: input.horizontal ? value : category,
    yAxis: input.horizontal ? { ...category, inverse: true } : value,
    series: input.series.map((s) => ({
      name: s.name,
      type: "bar",
      data: s.data,
      ...(s.stack ? { stack: s.stack } : {}),
    })),
  };
}

/** A funnel (registrations → attendance → hot leads → contacted in time). */
export function funnelChart(input: {
  readonly name: string;
  readonly steps: readonly { readonly name: string; readonly value: number }[];
}): ChartOption {
  return {
    animation: false,
    tooltip: { trigger: "item" },
    legend: { top: 0 },
    series: [
      {
        name: input.name,
        type: "funnel",
        top: 36,
        sort: "none",
        label: { show: true, position: "inside" },
        data: input.steps,
      },
    ],
  };
}

/** Data points a chart option carries, over all its series: what "rendered with data" means. */
export function dataPoints(option: ChartOption): number {
  const series = Array.isArray(option.series) ? option.series : [];
  return series.reduce((sum: number, s: unknown) => {
    const data = (s as { data?: unknown[] }).data ?? [];
    return sum + data.filter((d) => d !== null && d !== undefined).length;
  }, 0);
}
