# Datasets of the warehouse. Every one of them holds personal data or can (hashed identifiers are
# personal data too; assertion views select the violating rows), so every one gets the shortest
# time travel BigQuery allows: 48 hours. Deleted or erased rows stay recoverable for those 2 days
# plus 7 days of fail-safe that nobody can shorten (docs/operations.md, erasure).
#
# Access is granted per dataset with google_bigquery_dataset_iam_member (iam.tf); no `access`
# blocks here, because the two fight over the same ACL.

resource "google_bigquery_dataset" "raw" {
  dataset_id    = "raw"
  friendly_name = "Raw landing"
  description   = "Append-only raw tables, one per source stream (raw.<source>_<stream>), loaded by load-raw from the lake. The exact accepted payload plus landing metadata."
  location      = var.bq_location
  labels        = merge(local.labels, { layer = "raw", data-class = "pii" })

  max_time_travel_hours           = "48"
  default_partition_expiration_ms = var.raw_partition_expiration_days == null ? null : var.raw_partition_expiration_days * 86400000
  delete_contents_on_destroy      = false

  depends_on = [google_project_service.apis]
}

resource "google_bigquery_dataset" "staging" {
  dataset_id    = "staging"
  friendly_name = "Staging"
  description   = "Dataform staging models (stg_<source>__<entity>s): typed, deduplicated views over raw."
  location      = var.bq_location
  labels        = merge(local.labels, { layer = "staging", data-class = "pii" })

  max_time_travel_hours      = "48"
  delete_contents_on_destroy = false

  depends_on = [google_project_service.apis]
}

resource "google_bigquery_dataset" "marts" {
  dataset_id    = "marts"
  friendly_name = "Marts"
  description   = "Dataform marts: identity, dim_/fct_ tables, segments (seg_*) and reporting (rpt_*) that Looker Studio reads."
  location      = var.bq_location
  labels        = merge(local.labels, { layer = "marts", data-class = "pii" })

  max_time_travel_hours      = "48"
  delete_contents_on_destroy = false

  depends_on = [google_project_service.apis]
}

resource "google_bigquery_dataset" "ops" {
  dataset_id    = "ops"
  friendly_name = "Operations"
  description   = "Sync runs, synced members and rejected rows written by plan-activation and activate-* functions."
  location      = var.bq_location
  labels        = merge(local.labels, { layer = "ops", data-class = "pii" })

  max_time_travel_hours      = "48"
  delete_contents_on_destroy = false

  depends_on = [google_project_service.apis]
}

resource "google_bigquery_dataset" "assertions" {
  dataset_id    = "assertions"
  friendly_name = "Assertions"
  description   = "Dataform assertion views: each selects the rows that violate a model's rule."
  location      = var.bq_location
  labels        = merge(local.labels, { layer = "assertions", data-class = "pii" })

  max_time_travel_hours      = "48"
  delete_contents_on_destroy = false

  depends_on = [google_project_service.apis]
}
