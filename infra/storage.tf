# The lake: raw/ (accepted payloads, the replay source), quarantine/ (records that failed their
# contract, with reasons) and activation/ (batches planned for a destination, passed by pointer
# because Eventarc/Pub/Sub events are capped at 512 KB).

resource "google_storage_bucket" "lake" {
  name     = local.lake_bucket_name
  location = var.region
  labels   = { data-class = "pii" }

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

  # raw/ lives as long as the raw tables loaded from it (raw_retention_days drives both).
  lifecycle_rule {
    condition {
      age            = var.raw_retention_days
      matches_prefix = ["raw/"]
    }
    action {
      type = "Delete"
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

  # Access-request documents name one person entirely: kept only until handed over.
  lifecycle_rule {
    condition {
      age            = var.lake_exports_delete_after_days
      matches_prefix = ["privacy/exports/"]
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

}

# Where the lake's objects are, as IAM conditions name them (iam.tf scopes lake grants to prefixes).
locals {
  lake_objects = "projects/_/buckets/${local.lake_bucket_name}/objects"
}

# The lake's whole IAM policy, authoritatively: the grants of local.function_access (iam.tf), each
# scoped to its prefixes by a condition, and the break-glass group. This replaces the convenience
# bindings a new bucket gets (projectOwner/projectEditor → legacyBucketOwner, projectViewer →
# legacyBucketReader), through which a project Editor could grant itself read on every raw payload.
data "google_iam_policy" "lake" {
  binding {
    role    = "roles/storage.admin"
    members = ["group:${var.groups.break_glass}"]
  }

  dynamic "binding" {
    for_each = local.lake_grants
    content {
      role    = binding.value.role
      members = [local.member[binding.value.account]]

      condition {
        title       = "${join("-and-", [for prefix in binding.value.prefixes : replace(trimsuffix(prefix, "/"), "/", "-")])}-only"
        description = "Only objects under ${join(" and ", binding.value.prefixes)}."
        # A prefix (ends in "/") covers its objects and, for roles that list, listing under it; any
        # other entry is one object by its exact name, never listed.
        expression = join(" || ", concat(
          [for prefix in binding.value.prefixes : endswith(prefix, "/") ? "resource.name.startsWith(\"${local.lake_objects}/${prefix}\")" : "resource.name == \"${local.lake_objects}/${prefix}\""],
          [for prefix in binding.value.prefixes : "(resource.type == \"storage.googleapis.com/Bucket\" && api.getAttribute(\"storage.googleapis.com/objectListPrefix\", \"\").startsWith(\"${prefix}\"))" if endswith(prefix, "/") && contains(["roles/storage.objectViewer", "roles/storage.objectUser"], binding.value.role)],
        ))
      }
    }
  }
}

resource "google_storage_bucket_iam_policy" "lake" {
  bucket      = google_storage_bucket.lake.name
  policy_data = data.google_iam_policy.lake.policy_data
}
