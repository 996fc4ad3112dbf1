# Dataform: the repository that compiles the generated Dataform-only tree from its Git branch, a
# schedule that compiles and runs it, and the signal that a run finished, which starts activation
# planning.
#
#   Cloud Scheduler (dataform_schedule_cron) → Workflows `unistack-dataform-run`
#     → compilationResults (branch var.dataform_git_branch) → workflowInvocations (as unistack-dataform)
#   Dataform completion log entry, SUCCEEDED → log sink → topic dataform-run-finished → plan-activation

resource "google_dataform_repository" "unistack" {
  name         = var.dataform_repository_name
  region       = var.region
  display_name = "Unistack"

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
      error_message = "dataform_git_url needs dataform_git_token_secret_version (a Secret Manager version holding a read token)."
    }
  }
}

# Strict act-as: the Dataform service agent mints the runner's tokens and acts as it. Granted by
# infra/bootstrap on that one account. The agent reads the Git token to fetch the branch.
resource "google_secret_manager_secret_iam_member" "dataform_agent_reads_git_token" {
  count = var.dataform_git_token_secret_version == null ? 0 : 1

  secret_id = regex("^(projects/[^/]+/secrets/[^/]+)/versions/", var.dataform_git_token_secret_version)[0]
  role      = "roles/secretmanager.secretAccessor"
  member    = local.agents.dataform

  depends_on = [google_dataform_repository.unistack]
}

# The schedule account creates compilation results and workflow invocations in this repository only.
resource "google_dataform_repository_iam_member" "schedule_runs_repository" {
  region     = google_dataform_repository.unistack.region
  repository = google_dataform_repository.unistack.name
  role       = "roles/dataform.editor"
  member     = local.member.dataform_schedule
}

resource "google_workflows_workflow" "dataform_run" {
  name            = "unistack-dataform-run"
  region          = var.region
  description     = "Compiles the Dataform branch and invokes the whole graph as unistack-dataform."
  service_account = local.sa.dataform_schedule
  labels          = local.deployed_labels
  source_contents = file("${path.module}/dataform-run.workflow.yaml")
  call_log_level  = "LOG_ERRORS_ONLY"

  deletion_protection = false

  user_env_vars = {
    DATAFORM_REPOSITORY       = "projects/${var.project_id}/locations/${var.region}/repositories/${google_dataform_repository.unistack.name}"
    DATAFORM_BRANCH           = var.dataform_git_branch
    DATAFORM_DEFAULT_SCHEMA   = google_bigquery_dataset.dataset["marts"].dataset_id
    DATAFORM_ASSERTION_SCHEMA = google_bigquery_dataset.dataset["assertions"].dataset_id
    DATAFORM_LOCATION         = var.bq_location
    DATAFORM_RUNNER           = local.sa.dataform
    DATAFORM_PII_TAG_EMAIL    = google_data_catalog_policy_tag.pii["email"].name
    DATAFORM_PII_TAG_PHONE    = google_data_catalog_policy_tag.pii["phone"].name
    DATAFORM_PII_TAG_ADDRESS  = google_data_catalog_policy_tag.pii["address"].name
  }
}

# Without a Git remote there is nothing to compile, so nothing is scheduled.
resource "google_cloud_scheduler_job" "dataform_run" {
  count = var.dataform_git_url == null ? 0 : 1

  name        = "unistack-dataform-run"
  region      = var.region
  description = "Starts ${google_workflows_workflow.dataform_run.name} (commit ${var.source_commit})."
  schedule    = var.dataform_schedule_cron
  time_zone   = var.dataform_time_zone

  retry_config {
    retry_count = 1
  }

  http_target {
    http_method = "POST"
    uri         = "https://workflowexecutions.googleapis.com/v1/${google_workflows_workflow.dataform_run.id}/executions"
    body        = base64encode("{}")

    oauth_token {
      service_account_email = local.sa.dataform_schedule
      scope                 = "https://www.googleapis.com/auth/cloud-platform"
    }
  }
}

# ---------------------------------------------------------------------------------------------------
# Run finished → dataform-run-finished (the topic that feeds plan-activation, pubsub.tf)
# ---------------------------------------------------------------------------------------------------
# Dataform writes one workflow_invocation_completion log entry per invocation
# (cloud.google.com/dataform/docs/cloud-logging). A log sink routes the successful ones of this
# repository to the topic; the Pub/Sub message data is that LogEntry as JSON, which
# functions/handlers/dataform-run-finished.ts reads (test/infra checks the two agree):
#   { "jsonPayload": { "terminalState": "SUCCEEDED", "workflowInvocationId": "…" },
#     "resource": { "type": "dataform.googleapis.com/Repository", "labels": { "repository_id": "…" } },
#     "logName": "projects/<p>/logs/dataform.googleapis.com%2Fworkflow_invocation_completion", … }
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
  destination = "pubsub.googleapis.com/projects/${var.project_id}/topics/${google_pubsub_topic.feed["plan_activation"].name}"
  filter      = "${local.dataform_completion_filter} AND jsonPayload.terminalState=\"SUCCEEDED\""

  unique_writer_identity = true
}

resource "google_pubsub_topic_iam_member" "dataform_sink_publishes_run_finished" {
  topic  = google_pubsub_topic.feed["plan_activation"].id
  role   = "roles/pubsub.publisher"
  member = google_logging_project_sink.dataform_run_finished.writer_identity
}
