# Datasets of the warehouse, declared once in local.datasets (addresses
# google_bigquery_dataset.dataset["raw"] and so on). Every one of them holds personal data or can
# (hashed identifiers are personal data too; assertion views select the violating rows): `pii`
# labels them data-class = pii. Every dataset, personal data or not, gets the shortest time travel
# BigQuery allows: 48 hours. Deleted or erased rows stay recoverable for those 2 days plus 7 days of
# fail-safe that nobody can shorten (docs/operations.md, erasure).
#
# Access is granted per dataset with google_bigquery_dataset_iam_member (iam.tf, dataform.tf); no
# `access` blocks here, because the two fight over the same ACL.

locals {
  datasets = {
    raw = {
      friendly_name = "Raw landing"
      description   = "Append-only raw tables, one per source stream (raw.<source>_<stream>), loaded by load-raw from the lake. The exact accepted payload plus landing metadata."
      pii           = true
      # Applies to tables created after it is set (docs/operations.md, retention).
      partition_expiration_days = var.raw_partition_expiration_days
    }
    staging = {
      friendly_name             = "Staging"
      description               = "Dataform staging models (stg_<source>__<entity>s): typed, deduplicated views over raw."
      pii                       = true
      partition_expiration_days = null
    }
    marts = {
      friendly_name             = "Marts"
      description               = "Dataform marts: identity, dim_/fct_ tables, segments (seg_*) and reporting (rpt_*) that Looker Studio reads."
      pii                       = true
      partition_expiration_days = null
    }
    ops = {
      friendly_name             = "Operations"
      description               = "Sync runs, synced members and rejected rows written by plan-activation and activate-* functions."
      pii                       = true
      partition_expiration_days = null
    }
    assertions = {
      friendly_name             = "Assertions"
      description               = "Dataform assertion views: each selects the rows that violate a model's rule."
      pii                       = true
      partition_expiration_days = null
    }
  }
}

resource "google_bigquery_dataset" "dataset" {
  for_each = local.datasets

  dataset_id    = each.key
  friendly_name = each.value.friendly_name
  description   = each.value.description
  location      = var.bq_location
  labels        = merge(local.labels, { layer = each.key, data-class = each.value.pii ? "pii" : "internal" })

  max_time_travel_hours           = "48"
  default_partition_expiration_ms = each.value.partition_expiration_days == null ? null : each.value.partition_expiration_days * 86400000
  delete_contents_on_destroy      = false

  depends_on = [google_project_service.apis]
}
