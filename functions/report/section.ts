import type { ChartOption } from "./charts.js";
import type { ReportSource, SectionData } from "./report-data.js";

/** A small table shown under or instead of a chart. */
export interface SectionTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number | null)[])[];
}

/** One page section, ready to render: what it answers and what the data says. */
export interface RenderedSection {
  readonly id: string;
  readonly title: string;
  /** The question it answers, in a marketer's words. */
  readonly question: string;
  /** Tables it reads (named on the page, so a reader can query them). */
  readonly tables: readonly string[];
  /** Why it shows nothing (table not built, no rows); undefined when it has data. */
  readonly missing?: string;
  readonly tiles?: readonly { readonly label: string; readonly value: string }[];
  readonly charts?: readonly { readonly id: string; readonly option: ChartOption }[];
  readonly table?: SectionTable;
}

export interface SectionSpec {
  readonly id: string;
  readonly title: string;
  readonly question: string;
  readonly tables: readonly string[];
  build(
    source: ReportSource,
  ): Promise<Omit<RenderedSection, "id" | "title" | "question" | "tables">>;
}

/** The section's content from its first data set, or the reason it has none. */
export function whenLoaded<T>(
  data: SectionData<T>,
  render: (rows: readonly T[]) => Omit<RenderedSection, "id" | "title" | "question" | "tables">,
): Omit<RenderedSection, "id" | "title" | "question" | "tables"> {
  return data.status === "ok" ? render(data.rows) : { missing: data.reason };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** 'YYYY-MM-DD…' → 'Sep 2026'. */
export function monthLabel(value: string | null): string {
  if (!value) return "?";
  const [year, month] = value.slice(0, 7).split("-");
  return `${MONTHS[Number(month) - 1] ?? month} ${year}`;
}

export function formatNumber(value: number | null, digits = 0): string {
  if (value === null) return "–";
  return value.toLocaleString("en", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function formatPct(value: number | null): string {
  return value === null ? "–" : `${formatNumber(value, 2)} %`;
}
