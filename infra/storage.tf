# The lake: raw/ (accepted payloads, the replay source), quarantine/ (records that failed their
# contract, with reasons) and activation/ (batches planned for a destination, passed by pointer
# because Eventarc/Pub/Sub events are capped at 512 KB).

resource "google_storage_bucket" "lake" {
  name     = local.lake_bucket_name
  location = var.region
  labels   = merge(local.labels, { data-class = "pii" })

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # A bucket full of personal data is never destroyed by a stray `terraform destroy`.
  force_destroy = false

  # Objects are written once (create-if-absent); versions would only keep erased data around.
  versioning {
    enabled = false
  }

  soft_delete_policy {
    retention_duration_seconds = var.lake_soft_delete_retention_days * 86400
  }

  lifecycle_rule {
    condition {
      age            = var.lake_raw_nearline_after_days
      matches_prefix = ["raw/"]
    }
    action {
      type          = "SetStorageClass"
      storage_class = "NEARLINE"
    }
  }

  dynamic "lifecycle_rule" {
    for_each = var.lake_raw_delete_after_days == null ? [] : [var.lake_raw_delete_after_days]
    content {
      condition {
        age            = lifecycle_rule.value
        matches_prefix = ["raw/"]
      }
      action {
        type = "Delete"
      }
    }
  }

  lifecycle_rule {
    condition {
      age            = var.lake_quarantine_delete_after_days
      matches_prefix = ["quarantine/"]
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age            = var.lake_activation_delete_after_days
      matches_prefix = ["activation/"]
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}

# Zipped function source, one object per content hash (functions.tf). Old zips are useless once a
# newer one is deployed.
resource "google_storage_bucket" "function_source" {
  name     = local.source_bucket_name
  location = var.region
  labels   = local.labels

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true

  lifecycle_rule {
    condition {
      age = 30
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}

# Where the lake's objects are, as IAM conditions name them (iam.tf scopes lake grants to prefixes).
locals {
  lake_objects = "projects/_/buckets/${local.lake_bucket_name}/objects"
}
