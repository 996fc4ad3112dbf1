import { compileProject } from "../../dataform/compile.js";
import { fieldReference } from "../../looker/field-reference.js";
import { LOOKER_DATA_SOURCES, lookerLinkingUrl } from "../../looker/linking-url.js";

export interface LookerLinkFlags {
  readonly project?: string;
  readonly dataset: string;
  readonly billingProject?: string;
  readonly template?: string;
  readonly name?: string;
  readonly fields: boolean;
  readonly projectDir: string;
}

/**
 * `unistack looker-link`: prints the Looker Studio Linking API URL that copies the template report
 * onto the user's own project and reports dataset (docs/dashboards.md), or with `--fields` the
 * field reference of the tables it reads.
 */
export async function lookerLinkCommand(flags: LookerLinkFlags): Promise<number> {
  if (flags.fields) {
    const graph = await compileProject({ projectDir: flags.projectDir, target: "bigquery" });
    console.log(fieldReference(graph));
    return 0;
  }
  if (!flags.project) {
    console.error("looker-link: --project <gcp project id> is required (or --fields)");
    return 2;
  }
  let url: string;
  try {
    url = lookerLinkingUrl({
      project: flags.project,
      dataset: flags.dataset,
      ...(flags.billingProject ? { billingProject: flags.billingProject } : {}),
      ...(flags.template ? { templateReportId: flags.template } : {}),
      ...(flags.name ? { reportName: flags.name } : {}),
    });
  } catch (error) {
    const issues = (error as { issues?: { path: unknown[]; message: string }[] }).issues;
    const why = issues
      ? issues
          .map(
            (i) =>
              `--${String(i.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`,
          )
          .join("; ")
      : String(error);
    console.error(`looker-link: ${why}`);
    return 2;
  }
  console.log(url);
  console.error(
    [
      "",
      `Data sources (${flags.project}.${flags.dataset}): ${LOOKER_DATA_SOURCES.map((d) => `${d.alias} = ${d.table}`).join(", ")}`,
      flags.template
        ? "Open the URL while signed in to Google: Looker Studio copies the template onto these tables; 'Edit and share' saves the copy to your account."
        : "No --template given: the URL opens a new report with every data source attached; build the pages from docs/dashboards.md, or pass the template report's id.",
    ].join("\n"),
  );
  return 0;
}
