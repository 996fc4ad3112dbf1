# People, as groups (var.groups, var.business_units). What each persona reads is on the datasets'
# authoritative access lists (bigquery.tf); here are the few project- and repository-level roles
# their work needs. Nobody gets a basic role (Viewer, Editor, Owner) from this configuration, and
# basic roles granted outside it read no dataset (the ACLs no longer name projectReaders &co.).
#
# | persona          | reads                                          | PII columns        | also            |
# | data engineers   | every dataset                                  | masked (pii.tf)    | Dataform editor |
# | analysts         | marts, reports (+ their units' reports)        | masked             |                 |
# | business users   | reports (their unit's, per business unit)      | not in reports     |                 |
# | break-glass      | owner of every dataset and of the lake         | clear (fine-grained reader) |        |
#
# Everyone who queries needs bigquery.jobUser (a query is a project-level job); it reads nothing.

locals {
  query_groups = distinct(compact(concat(
    [lookup(local.groups, "data_engineers", null), lookup(local.groups, "analysts", null), lookup(local.groups, "business_users", null), var.groups.break_glass],
    flatten([for r in values(local.report_datasets) : concat(r.analysts, r.business_users)]),
  )))

  persona_project_grants = { for email in local.query_groups : "group:${email}/jobUser" => { role = "roles/bigquery.jobUser", member = "group:${email}" } }
}

# Data engineers develop the models in Dataform workspaces of this repository. Runs they start
# use their own credentials, so they see what their groups see (masked PII).
resource "google_dataform_repository_iam_member" "data_engineers_develop" {
  count = lookup(local.groups, "data_engineers", null) == null ? 0 : 1

  region     = google_dataform_repository.unistack.region
  repository = google_dataform_repository.unistack.name
  role       = "roles/dataform.editor"
  member     = "group:${local.groups.data_engineers}"
}
