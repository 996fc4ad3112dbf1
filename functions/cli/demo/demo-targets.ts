/**
 * The demo's KPI targets (workflow var `kpi_targets`), anchored on the demo's own time line: the
 * synthetic history ends at the anchor, so fixed dates from workflow_settings.yaml would fall
 * outside it as the calendar moves on. The horizon starts the month before the anchor's month and
 * the baseline is the 3 months before that.
 */
export function demoKpiTargets(anchor: Date): string {
  const start = new Date(Date.UTC(anchor.getUTCFullYear(), anchor.getUTCMonth() - 1, 1));
  const month = start.toISOString().slice(0, 10);
  return JSON.stringify([
    {
      id: "email_clicks_plus_25",
      kpi: "email_unique_clicks",
      business_unit: "all",
      start: month,
      months: 12,
      baseline_months: 3,
      change_pct: 25,
      description: "+25 % email unique clicks within 12 months",
    },
    {
      id: "email_ctr_plus_10",
      kpi: "email_ctr_pct",
      business_unit: "all",
      start: month,
      months: 12,
      baseline_months: 3,
      change_pct: 10,
      description: "+10 % email CTR within 12 months",
    },
  ]);
}

/**
 * The demo's sales territories (workflow var `webinar_territories`): the plain demo has no HubSpot
 * owners, so without them every hot webinar lead would stay unrouted and the SLA report empty.
 * Made-up owner ids; nobody logs a sales contact in the demo, so every routed lead's SLA is
 * breached once its 24 hours have passed (the breach report then lists them per owner).
 */
export const DEMO_WEBINAR_TERRITORIES = JSON.stringify({
  DACH: ["9000001", "9000002"],
  France: ["9000003"],
  Benelux: ["9000003"],
  "UK & Ireland": ["9000004"],
  "North America": ["9000005"],
});
