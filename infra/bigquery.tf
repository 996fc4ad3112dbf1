# Datasets of the warehouse, declared once in local.datasets (addresses
# google_bigquery_dataset.dataset["raw"] and so on), each with its complete, authoritative access
# list: the `access` blocks ARE the dataset's ACL. Nothing else is on it, in particular not the
# projectOwners/projectWriters/projectReaders entries BigQuery adds by default (through which every
# project Viewer could read raw PII and every Editor rewrite the segments sent to ad platforms) and
# not the deployer that created it. Who is on which list, and why, is docs/security.md.
#
# Every dataset holds personal data or can (hashed identifiers are personal data too; assertion
# views select the violating rows): `pii` labels them data-class = pii. Every dataset gets the
# shortest time travel BigQuery allows, 48 hours: deleted or erased rows stay recoverable for those
# 2 days plus 7 days of fail-safe that nobody can shorten (docs/operations.md, erasure).

locals {
  groups = { for persona, email in var.groups : persona => email if email != null }

  # One reporting dataset for the organisation, one per business unit (personas.tf).
  report_datasets = merge(
    { reports = { unit = null, analysts = [], business_users = [] } },
    { for unit, g in var.business_units : "reports_${unit}" => {
      unit           = unit
      analysts       = compact([g.analysts])
      business_users = compact([g.business_users])
    } },
  )

  datasets = merge({
    raw = {
      friendly_name = "Raw landing"
      description   = "Append-only raw tables, one per source stream (raw.<source>_<stream>), loaded by load-raw from the lake. The exact accepted payload plus landing metadata."
      # Applies to tables created after it is set (docs/operations.md, retention).
      partition_expiration_days = var.raw_retention_days
      # privacy-requests deletes an erased person's rows (docs/privacy.md).
      writers             = [local.sa.load_raw, local.sa.privacy_requests]
      readers             = [local.sa.dataform]
      group_readers       = compact([lookup(local.groups, "data_engineers", null)])
      authorized_datasets = []
    }
    staging = {
      friendly_name             = "Staging"
      description               = "Dataform staging models (stg_<source>__<entity>s): typed, deduplicated views over raw. Email, phone and address columns carry policy tags (pii.tf)."
      partition_expiration_days = null
      writers                   = [local.sa.dataform, local.sa.privacy_requests]
      readers                   = []
      group_readers             = compact([lookup(local.groups, "data_engineers", null)])
      authorized_datasets       = []
    }
    marts = {
      friendly_name             = "Marts"
      description               = "Dataform marts: identity, dim_/fct_ tables and segments (seg_*). Email, phone and address columns carry policy tags; BI reads the reports datasets, not this one."
      partition_expiration_days = null
      writers                   = [local.sa.dataform, local.sa.privacy_requests]
      readers                   = [local.sa.plan_activation]
      group_readers = compact(concat(
        [lookup(local.groups, "data_engineers", null), lookup(local.groups, "analysts", null)],
        flatten([for r in values(local.report_datasets) : r.analysts]),
      ))
      # Views in the reporting datasets may read marts on their readers' behalf (authorized
      # datasets): BI users never need marts themselves.
      authorized_datasets = keys(local.report_datasets)
    }
    assertions = {
      friendly_name             = "Assertions"
      description               = "Dataform assertion views: each selects the rows that violate a model's rule."
      partition_expiration_days = null
      writers                   = [local.sa.dataform]
      readers                   = []
      group_readers             = compact([lookup(local.groups, "data_engineers", null)])
      authorized_datasets       = []
    }
    # The activation ledger: plan-activation plans what the activate-* functions record.
    ops = {
      friendly_name             = "Operations: activation"
      description               = "Sync runs, batches, synced members and rejected rows, written by plan-activation and the activate-* functions only."
      partition_expiration_days = null
      writers                   = concat([local.sa.plan_activation, local.sa.privacy_requests], [for key in keys(local.functions) : local.sa[key] if startswith(key, "activate_") || key == "realtime_purchase"])
      readers                   = []
      group_readers             = compact([lookup(local.groups, "data_engineers", null)])
      authorized_datasets       = []
    }
    ops_load = {
      friendly_name             = "Operations: loading"
      description               = "The raw load ledger (ops_load.raw_loads) and permanent failures (ops_load.raw_load_failures), written by load-raw only. No expiration: the ledger is what prevents reloads."
      partition_expiration_days = null
      # privacy-requests reloads the raw objects it rewrote with the loader's own sweep.
      writers             = [local.sa.load_raw, local.sa.privacy_requests]
      readers             = []
      group_readers       = compact([lookup(local.groups, "data_engineers", null)])
      authorized_datasets = []
    }
    # Erasures' own records: salted suppression keys, hashed ids of erased records (staging leaves
    # them out, so Dataform reads it), reports of counts. Outlives the data by design.
    privacy = {
      friendly_name             = "Privacy"
      description               = "Suppression list (salted keys), erased record hashes and erasure reports, written by privacy-requests only; no identifier in clear (docs/privacy.md)."
      partition_expiration_days = null
      writers                   = [local.sa.privacy_requests]
      readers                   = [local.sa.dataform]
      group_readers             = compact([lookup(local.groups, "data_engineers", null)])
      authorized_datasets       = []
    }
    }, contains(keys(local.functions), "pull") ? {
    ops_pull = {
      friendly_name             = "Operations: pulls"
      description               = "One row per pull run (ops_pull.pull_runs): what it pulled and where it stopped, written by pull only."
      partition_expiration_days = null
      writers                   = [local.sa.pull]
      readers                   = []
      group_readers             = compact([lookup(local.groups, "data_engineers", null)])
      authorized_datasets       = []
    }
    } : {}, { for id, r in local.report_datasets : id => {
      friendly_name             = r.unit == null ? "Reports" : "Reports: ${r.unit}"
      description               = "Authorized views (rpt_*) that Looker Studio and business users read${r.unit == null ? "" : ", filtered to business unit ${r.unit}"}. Built by Dataform over marts; no identity columns."
      partition_expiration_days = null
      writers                   = [local.sa.dataform]
      readers                   = []
      group_readers = compact(concat(
        [lookup(local.groups, "data_engineers", null), lookup(local.groups, "analysts", null)],
        r.unit == null ? [lookup(local.groups, "business_users", null)] : [],
        r.analysts, r.business_users,
        # With row access policies on the shared reports (reports-row-access.tf), every unit's
        # groups read `reports` too and see their own rows there.
        r.unit == null && var.reports_row_access ? flatten([for u in values(local.report_datasets) : concat(u.analysts, u.business_users)]) : [],
      ))
      authorized_datasets = []
  } })
}

locals {
  # Each dataset's ACL as a list of entries: the break-glass group owns it; the rest read or write.
  # Where Dataform writes tagged columns (includes/pii.js) it may also attach the tags.
  policy_tagger   = "projects/${var.project_id}/roles/unistackPolicyTagger"
  tagged_datasets = ["staging", "marts"]

  dataset_access = { for id, d in local.datasets : id => concat(
    [{ role = "OWNER", user = null, group = var.groups.break_glass }],
    contains(local.tagged_datasets, id) ? [{ role = local.policy_tagger, user = local.sa.dataform, group = null }] : [],
    [for email in d.writers : { role = "WRITER", user = email, group = null }],
    [for email in d.readers : { role = "READER", user = email, group = null }],
    [for email in distinct(d.group_readers) : { role = "READER", user = null, group = email }],
  ) }
}

# The reporting datasets come first: marts names them as authorized datasets, which must exist.
resource "google_bigquery_dataset" "reports" {
  for_each = { for id, d in local.datasets : id => d if contains(keys(local.report_datasets), id) }

  dataset_id                 = each.key
  friendly_name              = each.value.friendly_name
  description                = each.value.description
  location                   = var.bq_location
  labels                     = { layer = "reports", data-class = "pii" }
  max_time_travel_hours      = "48"
  delete_contents_on_destroy = false

  dynamic "access" {
    for_each = local.dataset_access[each.key]
    content {
      role           = access.value.role
      user_by_email  = access.value.user
      group_by_email = access.value.group
    }
  }
}

resource "google_bigquery_dataset" "dataset" {
  for_each = { for id, d in local.datasets : id => d if !contains(keys(local.report_datasets), id) }

  dataset_id    = each.key
  friendly_name = each.value.friendly_name
  description   = each.value.description
  location      = var.bq_location
  labels        = { layer = each.key, data-class = "pii" }

  max_time_travel_hours           = "48"
  default_partition_expiration_ms = each.value.partition_expiration_days == null ? null : each.value.partition_expiration_days * 86400000
  delete_contents_on_destroy      = false

  dynamic "access" {
    for_each = local.dataset_access[each.key]
    content {
      role           = access.value.role
      user_by_email  = access.value.user
      group_by_email = access.value.group
    }
  }

  dynamic "access" {
    for_each = toset(each.value.authorized_datasets)
    content {
      dataset {
        dataset {
          project_id = var.project_id
          dataset_id = google_bigquery_dataset.reports[access.value].dataset_id
        }
        target_types = ["VIEWS"]
      }
    }
  }
}

# Datasets Dataform declares as sources outside this configuration (e.g. the GA4 export): their
# access lists are not ours to replace, so this one grant is additive.
resource "google_bigquery_dataset_iam_member" "dataform_reads_extra_sources" {
  for_each = toset(var.dataform_extra_read_datasets)

  dataset_id = each.value
  role       = "roles/bigquery.dataViewer"
  member     = local.member.dataform
}
