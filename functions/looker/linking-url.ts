import { z } from "zod";

/**
 * The Looker Studio Linking API (https://developers.google.com/looker-studio/integrate/linking-api):
 * a URL `https://lookerstudio.google.com/reporting/create?…` that copies a template report (or,
 * without one, starts a new report) and points each of its data sources at the user's own
 * BigQuery tables. Parameters used: `c.reportId` (template), `r.reportName`, and per data source
 * alias `ds.<alias>.connector=bigQuery`, `type=TABLE`, `projectId`, `datasetId`, `tableId`,
 * `billingProjectId`, `datasourceName`, `refreshFields` (re-read the table's fields, so a column
 * added since the template was made is there).
 */
export const LINKING_API_BASE = "https://lookerstudio.google.com/reporting/create";

/**
 * The template's data sources, in alias order. The template report is built with exactly these
 * aliases (docs/dashboards.md, "The template report"); a test checks every table is a `reports`
 * table of the Dataform graph and every `rpt_` table is here.
 */
export const LOOKER_DATA_SOURCES: readonly { readonly alias: string; readonly table: string }[] = [
  { alias: "ds0", table: "rpt_email_kpis_monthly" },
  { alias: "ds1", table: "rpt_email_campaign_kpis" },
  { alias: "ds2", table: "rpt_kpi_targets" },
  { alias: "ds3", table: "rpt_attribution_by_channel" },
  { alias: "ds4", table: "rpt_channel_roi" },
  { alias: "ds5", table: "rpt_region_growth" },
  { alias: "ds6", table: "rpt_webinar_funnel" },
  { alias: "ds7", table: "rpt_webinar_sla" },
];

// Google Cloud project ids: 6–30 characters, lower-case letters, digits and hyphens, starting
// with a letter and not ending with a hyphen (domain-scoped ids `example.com:p` are allowed).
const PROJECT_ID = /^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
// BigQuery dataset ids: letters, digits and underscores, at most 1,024.
const DATASET_ID = /^[A-Za-z0-9_]{1,1024}$/;

export const LinkOptionsSchema = z.object({
  project: z.string().regex(PROJECT_ID, "not a Google Cloud project id (e.g. acme-marketing)"),
  dataset: z.string().regex(DATASET_ID, "not a BigQuery dataset id (letters, digits, _)"),
  billingProject: z.string().regex(PROJECT_ID, "not a Google Cloud project id").optional(),
  templateReportId: z
    .string()
    .regex(/^[A-Za-z0-9-]{8,64}$/, "not a Looker Studio report id (the id in its URL)")
    .optional(),
  reportName: z.string().min(1).max(200).default("Unistack marketing answers"),
});

export type LinkOptions = z.input<typeof LinkOptionsSchema>;

/** The Linking API URL that copies the template onto `project`.`dataset`. */
export function lookerLinkingUrl(input: LinkOptions): string {
  const options = LinkOptionsSchema.parse(input);
  // Encoded with encodeURIComponent (a space is %20, never the form encoding's +).
  const params: [string, string][] = [];
  const set = (name: string, value: string) => params.push([name, value]);
  if (options.templateReportId) set("c.reportId", options.templateReportId);
  set("r.reportName", options.reportName);
  for (const { alias, table } of LOOKER_DATA_SOURCES) {
    const ds = (name: string) => `ds.${alias}.${name}`;
    set(ds("connector"), "bigQuery");
    set(ds("type"), "TABLE");
    set(ds("projectId"), options.project);
    set(ds("datasetId"), options.dataset);
    set(ds("tableId"), table);
    if (options.billingProject) set(ds("billingProjectId"), options.billingProject);
    set(ds("datasourceName"), table);
    set(ds("refreshFields"), "true");
  }
  const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
  return `${LINKING_API_BASE}?${query}`;
}
