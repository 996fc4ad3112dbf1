# Row-level access per business unit on the shared reports (rpt_* in the `reports` dataset): the
# same tables and definitions for every subsidiary, each unit's groups seeing only the rows whose
# business_unit is theirs. Organisation-wide readers and Dataform get the TRUE filter (Dataform
# refreshes the tables in place with DELETE + INSERT, which needs full access; includes/reporting.js).
#
# Once a table has a row access policy, a reader no policy names sees no rows at all, so the
# organisation-wide grant is not optional. The policies need the tables to exist: Dataform creates
# them on its first run, so `reports_row_access` stays false until then (docs/operations.md,
# "Business units"), and the unit groups are added as readers of `reports` only with it.

variable "reports_row_access" {
  description = "Put row access policies per business unit on the rpt_ tables of the reports dataset (needs the tables: set it after Dataform's first run). The units' groups then also read the shared reports dataset, each seeing its own rows."
  type        = bool
  default     = false
  nullable    = false
}

locals {
  # The rpt_ tables Dataform builds in `reports` (definitions/reporting/); test/infra checks this
  # list against the compiled Dataform graph.
  report_tables = [
    "rpt_attribution_by_channel",
    "rpt_channel_roi",
    "rpt_email_campaign_kpis",
    "rpt_email_kpis_monthly",
    "rpt_kpi_targets",
    "rpt_region_growth",
    "rpt_webinar_funnel",
    "rpt_webinar_sla",
  ]

  unit_report_readers = {
    for unit, g in var.business_units : unit => [for email in compact([g.analysts, g.business_users]) : "group:${email}"]
  }

  all_rows_readers = concat(
    [for email in compact([
      lookup(local.groups, "data_engineers", null),
      lookup(local.groups, "analysts", null),
      lookup(local.groups, "business_users", null),
      var.groups.break_glass,
    ]) : "group:${email}"],
    [local.member.dataform],
  )

  report_row_policies = var.reports_row_access ? merge(
    { for table in local.report_tables : "${table}/all_units" => {
      table     = table
      policy_id = "all_units"
      filter    = "TRUE"
      grantees  = local.all_rows_readers
    } },
    { for pair in setproduct(local.report_tables, keys(var.business_units)) : "${pair[0]}/unit_${pair[1]}" => {
      table     = pair[0]
      policy_id = "unit_${pair[1]}"
      filter    = "business_unit = \"${pair[1]}\""
      grantees  = local.unit_report_readers[pair[1]]
    } if length(local.unit_report_readers[pair[1]]) > 0 },
  ) : {}
}

resource "google_bigquery_row_access_policy" "reports" {
  for_each = local.report_row_policies

  project          = var.project_id
  dataset_id       = google_bigquery_dataset.reports["reports"].dataset_id
  table_id         = each.value.table
  policy_id        = each.value.policy_id
  filter_predicate = each.value.filter
  grantees         = each.value.grantees
}
