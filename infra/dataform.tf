# Dataform: the repository that compiles definitions/ from Git, a release config that compiles the
# branch on a schedule, a workflow config that runs the latest compilation, and the signal that a
# run finished, which starts activation planning.

resource "google_service_account" "dataform" {
  account_id   = "unistack-dataform"
  display_name = "Unistack Dataform runs"
  description  = "Identity Dataform workflow invocations run as: reads raw, builds staging, marts and assertions."
}

# The Dataform service agent acts as the custom account when it runs a workflow (strict act-as
# mode): it needs to mint its tokens and to act as it. Granted on that one account only.
resource "google_service_account_iam_member" "dataform_agent_acts_as_runner" {
  for_each = toset(["roles/iam.serviceAccountTokenCreator", "roles/iam.serviceAccountUser"])

  service_account_id = google_service_account.dataform.name
  role               = each.value
  member             = google_project_service_identity.agent["dataform"].member
}

# Dataform reads its declared sources in raw and builds staging, marts and assertions.
resource "google_bigquery_dataset_iam_member" "dataform" {
  for_each = {
    raw        = "roles/bigquery.dataViewer"
    staging    = "roles/bigquery.dataEditor"
    marts      = "roles/bigquery.dataEditor"
    assertions = "roles/bigquery.dataEditor"
  }

  dataset_id = google_bigquery_dataset.dataset[each.key].dataset_id
  role       = each.value
  member     = google_service_account.dataform.member
}

resource "google_bigquery_dataset_iam_member" "dataform_reads_extra_sources" {
  for_each = toset(var.dataform_extra_read_datasets)

  dataset_id = each.value
  role       = "roles/bigquery.dataViewer"
  member     = google_service_account.dataform.member
}

# The agent reads the Git token to fetch the branch (only when a remote is configured).
resource "google_secret_manager_secret_iam_member" "dataform_agent_reads_git_token" {
  count = var.dataform_git_token_secret_version == null ? 0 : 1

  secret_id = regex("^(projects/[^/]+/secrets/[^/]+)/versions/", var.dataform_git_token_secret_version)[0]
  role      = "roles/secretmanager.secretAccessor"
  member    = google_project_service_identity.agent["dataform"].member
}

resource "google_dataform_repository" "unistack" {
  provider = google-beta

  name            = var.dataform_repository_name
  region          = var.region
  display_name    = "Unistack"
  service_account = google_service_account.dataform.email
  labels          = local.labels

  dynamic "git_remote_settings" {
    for_each = var.dataform_git_url == null ? [] : [var.dataform_git_url]
    content {
      url                                 = git_remote_settings.value
      default_branch                      = var.dataform_git_branch
      authentication_token_secret_version = var.dataform_git_token_secret_version
    }
  }

  lifecycle {
    precondition {
      condition     = var.dataform_git_url == null || var.dataform_git_token_secret_version != null
      error_message = "dataform_git_url needs dataform_git_token_secret_version (a Secret Manager version holding the Git token)."
    }
  }

  depends_on = [
    google_project_service.apis,
    google_service_account_iam_member.dataform_agent_acts_as_runner,
    google_secret_manager_secret_iam_member.dataform_agent_reads_git_token,
  ]
}

# Release and workflow configs compile from Git; without a remote there is nothing to release.
resource "google_dataform_repository_release_config" "scheduled" {
  provider = google-beta
  count    = var.dataform_git_url == null ? 0 : 1

  project    = var.project_id
  region     = google_dataform_repository.unistack.region
  repository = google_dataform_repository.unistack.name

  name          = "scheduled"
  git_commitish = var.dataform_git_branch
  cron_schedule = var.dataform_release_cron
  time_zone     = var.dataform_time_zone

  # Points workflow_settings.yaml (defaultProject: unistack-dev) at this project. Its vars
  # (target = bigquery, raw_dataset = raw) already fit GCP and are not overridden here.
  code_compilation_config {
    default_database = var.project_id
    default_schema   = google_bigquery_dataset.dataset["marts"].dataset_id
    default_location = var.bq_location
    assertion_schema = google_bigquery_dataset.dataset["assertions"].dataset_id
  }
}

resource "google_dataform_repository_workflow_config" "scheduled" {
  provider = google-beta
  count    = var.dataform_git_url == null ? 0 : 1

  project        = var.project_id
  region         = google_dataform_repository.unistack.region
  repository     = google_dataform_repository.unistack.name
  name           = "scheduled"
  release_config = google_dataform_repository_release_config.scheduled[0].id
  cron_schedule  = var.dataform_workflow_cron
  time_zone      = var.dataform_time_zone

  invocation_config {
    service_account                          = google_service_account.dataform.email
    fully_refresh_incremental_tables_enabled = false
  }

  depends_on = [
    google_bigquery_dataset_iam_member.dataform,
    google_bigquery_dataset_iam_member.dataform_reads_extra_sources,
    google_project_iam_member.bigquery_job_users,
  ]
}

# ---------------------------------------------------------------------------------------------------
# Run finished → dataform-run-finished (the topic that feeds plan-activation, pubsub.tf)
# ---------------------------------------------------------------------------------------------------
# Dataform writes one workflow_invocation_completion log entry per invocation
# (cloud.google.com/dataform/docs/cloud-logging). A log sink routes the successful ones of this
# repository to the topic; the Pub/Sub message data is that LogEntry as JSON:
#   { "jsonPayload": { "terminalState": "SUCCEEDED", "workflowInvocationId": "…",
#                      "workflowConfigId": "…", "releaseConfigId": "…" },
#     "resource": { "labels": { "repository_id": "…", "location": "…" } }, "timestamp": "…", … }
# Failed and cancelled runs do not plan activation; they raise the Dataform alert (monitoring.tf).

locals {
  dataform_completion_filter = join(" AND ", [
    "logName=\"projects/${var.project_id}/logs/dataform.googleapis.com%2Fworkflow_invocation_completion\"",
    "resource.type=\"dataform.googleapis.com/Repository\"",
    "resource.labels.repository_id=\"${var.dataform_repository_name}\"",
  ])
}

resource "google_logging_project_sink" "dataform_run_finished" {
  name        = "unistack-dataform-run-finished"
  description = "Successful Dataform workflow invocations of the Unistack repository → dataform-run-finished."
  destination = "pubsub.googleapis.com/${google_pubsub_topic.feed["plan_activation"].id}"
  filter      = "${local.dataform_completion_filter} AND jsonPayload.terminalState=\"SUCCEEDED\""

  unique_writer_identity = true
}

resource "google_pubsub_topic_iam_member" "dataform_sink_publishes_run_finished" {
  topic  = google_pubsub_topic.feed["plan_activation"].id
  role   = "roles/pubsub.publisher"
  member = google_logging_project_sink.dataform_run_finished.writer_identity
}
