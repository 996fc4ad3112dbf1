# Project-wide pieces: shared names, enabled APIs and the Google-managed service agents that the
# rest of the configuration grants narrow roles to.

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  labels = merge({ app = "unistack", managed-by = "terraform" }, var.labels)

  lake_bucket_name    = coalesce(var.lake_bucket_name, "${var.project_id}-unistack-lake")
  source_bucket_name  = "${var.project_id}-unistack-fn-source"
  function_source_dir = coalesce(var.function_source_dir, "${path.module}/.build/function-source")

  # What every deployed function reads at cold start (functions/platform/gcp/gcp-platform.ts).
  common_env = {
    GOOGLE_CLOUD_PROJECT = var.project_id
    UNISTACK_LAKE_BUCKET = local.lake_bucket_name
    UNISTACK_BQ_LOCATION = var.bq_location
    LOG_LEVEL            = var.log_level
    # Not read by the code: a new value forces a new revision, so secrets are re-read.
    UNISTACK_SECRET_ROLLOUT = var.secret_rollout
  }
}

resource "google_project_service" "apis" {
  for_each = toset([
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "dataform.googleapis.com",
    "eventarc.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ])

  project = var.project_id
  service = each.value
  # Turning an API off on destroy would break anything else in the project that uses it.
  disable_on_destroy = false
}

# Service agents are created lazily by Google; generating them here makes the IAM grants to them
# succeed on a fresh project. agent["pubsub"] forwards dead letters and mints push tokens;
# agent["dataform"] runs workflows as the Dataform account.
resource "google_project_service_identity" "agent" {
  for_each = toset(["pubsub", "dataform"])
  provider = google-beta

  project = var.project_id
  service = "${each.key}.googleapis.com"

  depends_on = [google_project_service.apis]
}

data "google_storage_project_service_account" "gcs" {
  project = var.project_id

  depends_on = [google_project_service.apis]
}
