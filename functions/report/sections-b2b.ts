import { barChart, funnelChart, lineChart } from "./charts.js";
import { col, loadSection } from "./report-data.js";
import { formatNumber, monthLabel, type SectionSpec, whenLoaded } from "./section.js";

const ATTRIBUTION = "reports.rpt_attribution_by_channel";
const ROI = "reports.rpt_channel_roi";
const REGIONS = "reports.rpt_region_growth";
const WEBINARS = "reports.rpt_webinar_funnel";
const SLA = "reports.rpt_webinar_sla";
const TARGETS = "reports.rpt_kpi_targets";
const MODELS = ["first_touch", "last_touch", "linear", "time_decay", "position_based"];

export const attribution: SectionSpec = {
  id: "attribution",
  title: "What each channel earns (multi-touch attribution)",
  question:
    "How much closed-won revenue does each channel earn under each attribution model, and what is its return on cost?",
  tables: [ATTRIBUTION, ROI],
  async build(source) {
    const data = await loadSection(
      source,
      ATTRIBUTION,
      `SELECT channel, model, SUM(attributed_revenue) AS revenue
       FROM ${ATTRIBUTION} GROUP BY channel, model ORDER BY channel, model`,
      { channel: col.text, model: col.text, revenue: col.num },
    );
    const roi = await loadSection(
      source,
      ROI,
      `SELECT channel, SUM(cost) AS cost, SUM(attributed_revenue) AS revenue,
         ROUND(100 * (SUM(attributed_revenue) - SUM(cost)) / NULLIF(SUM(cost), 0), 1) AS roi_pct
       FROM ${ROI} WHERE model = 'position_based' GROUP BY channel ORDER BY channel`,
      { channel: col.text, cost: col.num, revenue: col.num, roi_pct: col.num },
    );
    return whenLoaded(data, (rows) => {
      const channels = [...new Set(rows.map((r) => r.channel ?? "?"))];
      const revenue = (channel: string, model: string) =>
        rows.find((r) => r.channel === channel && r.model === model)?.revenue ?? 0;
      return {
        charts: [
          {
            id: "attribution-models",
            option: barChart({
              categories: channels,
              valueName: "revenue",
              series: MODELS.map((model) => ({
                name: model,
                data: channels.map((channel) => revenue(channel, model)),
              })),
            }),
          },
        ],
        table: {
          columns: ["Channel", "Cost", "Revenue (position-based)", "ROI %"],
          rows:
            roi.status === "ok"
              ? roi.rows.map((r) => [r.channel, r.cost, r.revenue, r.roi_pct])
              : [[roi.reason, null, null, null]],
        },
      };
    });
  },
};

export const regions: SectionSpec = {
  id: "regions",
  title: "Growth potential per region",
  question:
    "Where is the most room to grow: GDPR-valid leads, open pipeline and conversion per region and business unit?",
  tables: [REGIONS],
  async build(source) {
    const data = await loadSection(
      source,
      REGIONS,
      `SELECT region || ' / ' || business_unit AS area, gdpr_valid_leads, open_pipeline,
         lead_to_opportunity_pct, opportunity_to_customer_pct, growth_potential
       FROM ${REGIONS} ORDER BY growth_potential DESC NULLS LAST, area`,
      {
        area: col.text,
        gdpr_valid_leads: col.num,
        open_pipeline: col.num,
        lead_to_opportunity_pct: col.num,
        opportunity_to_customer_pct: col.num,
        growth_potential: col.num,
      },
    );
    return whenLoaded(data, (rows) => ({
      charts: [
        {
          id: "region-potential",
          option: barChart({
            categories: rows.map((r) => r.area ?? "?"),
            valueName: "potential",
            series: [{ name: "Growth potential", data: rows.map((r) => r.growth_potential) }],
          }),
        },
      ],
      table: {
        columns: ["Region / unit", "GDPR-valid leads", "Open pipeline", "Lead→opp %", "Opp→won %"],
        rows: rows.map((r) => [
          r.area,
          r.gdpr_valid_leads,
          formatNumber(r.open_pipeline),
          r.lead_to_opportunity_pct,
          r.opportunity_to_customer_pct,
        ]),
      },
    }));
  },
};

export const webinars: SectionSpec = {
  id: "webinars",
  title: "Webinar leads to sales",
  question:
    "How many webinar registrants attended and became hot leads, and did sales contact them within the SLA?",
  tables: [WEBINARS, SLA],
  async build(source) {
    const data = await loadSection(
      source,
      WEBINARS,
      `SELECT SUM(registrants) AS registrants, SUM(attendees) AS attendees,
         SUM(hot_leads) AS hot_leads, SUM(sla_met) AS contacted_within_sla
       FROM ${WEBINARS} HAVING SUM(registrants) + SUM(attendees) > 0`,
      {
        registrants: col.num,
        attendees: col.num,
        hot_leads: col.num,
        contacted_within_sla: col.num,
      },
    );
    const sla = await loadSection(
      source,
      SLA,
      `SELECT owner_name, SUM(hot_leads) AS hot_leads, SUM(sla_met) AS within_sla,
         SUM(sla_breached) AS breached, SUM(sla_open) AS open_not_due
       FROM ${SLA} GROUP BY owner_name ORDER BY breached DESC, owner_name`,
      {
        owner_name: col.text,
        hot_leads: col.num,
        within_sla: col.num,
        breached: col.num,
        open_not_due: col.num,
      },
    );
    return whenLoaded(data, (rows) => {
      const total = rows[0];
      // Owners with a decided or pending SLA (unrouted leads have none).
      const slaRows = (sla.status === "ok" ? sla.rows : []).filter(
        (r) => (r.within_sla ?? 0) + (r.breached ?? 0) + (r.open_not_due ?? 0) > 0,
      );
      return {
        charts: [
          {
            id: "webinar-funnel",
            option: funnelChart({
              name: "Webinar funnel",
              steps: [
                { name: "Registered", value: total?.registrants ?? 0 },
                { name: "Attended", value: total?.attendees ?? 0 },
                { name: "Hot leads", value: total?.hot_leads ?? 0 },
                { name: "Contacted within SLA", value: total?.contacted_within_sla ?? 0 },
              ],
            }),
          },
          // Only when some lead was routed: an empty bar chart says nothing.
          ...(slaRows.length === 0
            ? []
            : [
                {
                  id: "webinar-sla",
                  option: barChart({
                    categories: slaRows.map((r) => r.owner_name ?? "(unassigned)"),
                    valueName: "leads",
                    series: [
                      { name: "Within SLA", data: slaRows.map((r) => r.within_sla), stack: "sla" },
                      { name: "Breached", data: slaRows.map((r) => r.breached), stack: "sla" },
                      {
                        name: "Open, not due yet",
                        data: slaRows.map((r) => r.open_not_due),
                        stack: "sla",
                      },
                    ],
                  }),
                },
              ]),
        ],
      };
    });
  },
};

export const targets: SectionSpec = {
  id: "targets",
  title: "Targets",
  question: "Are we on track for the KPI targets set in config, month by month?",
  tables: [TARGETS],
  async build(source) {
    const data = await loadSection(
      source,
      TARGETS,
      `SELECT target_id, CAST(month AS VARCHAR) AS month, actual, expected_to_date, progress_pct
       FROM ${TARGETS} ORDER BY target_id, month`,
      {
        target_id: col.text,
        month: col.text,
        actual: col.num,
        expected_to_date: col.num,
        progress_pct: col.num,
      },
    );
    return whenLoaded(data, (rows) => {
      const ids = [...new Set(rows.map((r) => r.target_id ?? "?"))];
      const months = [...new Set(rows.map((r) => r.month ?? ""))].sort();
      const value = (id: string, month: string, key: "actual" | "expected_to_date") =>
        rows.find((r) => r.target_id === id && r.month === month)?.[key] ?? null;
      return {
        charts: ids.map((id) => ({
          id: `target-${id}`,
          option: lineChart({
            categories: months.map(monthLabel),
            yNames: [id],
            series: [
              { name: `${id}: actual`, data: months.map((m) => value(id, m, "actual")) },
              {
                name: `${id}: target path`,
                data: months.map((m) => value(id, m, "expected_to_date")),
              },
            ],
          }),
        })),
      };
    });
  },
};
