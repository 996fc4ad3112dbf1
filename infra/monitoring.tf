# Alerts. Every signal below is one Google Cloud already emits (Cloud Run request metrics, function
# logs, Pub/Sub subscription metrics, BigQuery audit logs, Dataform completion logs): none depends on
# a log line our code has to remember to write.

resource "google_monitoring_notification_channel" "email" {
  count = var.alert_email == null ? 0 : 1

  display_name = "Unistack alerts (${var.alert_email})"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }

}

locals {
  notification_channels = concat(var.alert_notification_channels, google_monitoring_notification_channel.email[*].id)

  quoted_function_names = concat(["\"${google_cloud_run_v2_service.ingest.name}\""], [for fn in local.functions : "\"${fn.name}\""])
  # Monitoring filters take one_of(…); Logging filters take (a OR b).
  functions_monitoring_set = "one_of(${join(", ", local.quoted_function_names)})"
  functions_logging_set    = "(${join(" OR ", local.quoted_function_names)})"

  runbook = "Runbook: docs/operations.md in the Unistack repository."
}

# --- Functions ------------------------------------------------------------------------------------

# A 5xx from an event function is a failed delivery that will be retried; from a webhook it makes the
# vendor retry. Either way something is failing repeatedly.
resource "google_monitoring_alert_policy" "function_5xx" {
  display_name          = "Unistack: function 5xx responses"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = local.notification_channels

  conditions {
    display_name = "5xx responses per function > ${var.function_5xx_threshold} in 5 min"

    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND metric.type = \"run.googleapis.com/request_count\" AND metric.label.response_code_class = \"5xx\" AND resource.label.service_name = ${local.functions_monitoring_set}"
      comparison      = "COMPARISON_GT"
      threshold_value = var.function_5xx_threshold
      duration        = "0s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.service_name"]
      }

      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A Unistack function keeps answering 5xx. Read its ERROR logs (Logs Explorer, resource.labels.service_name). Event functions are retried: load-raw by Eventarc for up to 24 h (and the next sweep), plan-activation and activate-meta until their dead-letter topic. ${local.runbook}"
  }
}

# Any ERROR-or-worse line from a function, at most one notification per 30 minutes.
resource "google_monitoring_alert_policy" "function_error_logs" {
  display_name          = "Unistack: function error logs"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = local.notification_channels

  conditions {
    display_name = "ERROR log entry from a Unistack function"

    condition_matched_log {
      filter = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=${local.functions_logging_set} AND severity>=ERROR"
      label_extractors = {
        service = "EXTRACT(resource.labels.service_name)"
      }
    }
  }

  alert_strategy {
    notification_rate_limit {
      period = "1800s"
    }
    auto_close = "86400s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A Unistack function logged an error. Logs carry record ids, never personal data; follow the record id. ${local.runbook}"
  }
}

# --- Delivery -------------------------------------------------------------------------------------

# Two thresholds on Pub/Sub subscription metrics, per subscription: dead letters waiting on a hold
# subscription, and an old backlog on a push subscription.
locals {
  subscription_alerts = {
    dead_letters = {
      display_name  = "Unistack: dead-lettered messages"
      severity      = "ERROR"
      condition     = "Undelivered messages on a dead-letter hold subscription > 0"
      metric        = "pubsub.googleapis.com/subscription/num_undelivered_messages"
      subscriptions = values(google_pubsub_subscription.dead_letter_hold)[*].name
      threshold     = 0
      duration      = "0s"
      documentation = "A message exhausted its ${var.max_delivery_attempts} push attempts and was dead-lettered. It is kept ${var.dead_letter_retention_days} days on the hold subscription. Fix the cause, then replay it (docs/operations.md, Retries and dead letters)."
    }
    push_backlog = {
      display_name  = "Unistack: push backlog is getting old"
      severity      = "WARNING"
      condition     = "Oldest unacked message on a push subscription > ${var.push_backlog_age_threshold_seconds} s"
      metric        = "pubsub.googleapis.com/subscription/oldest_unacked_message_age"
      subscriptions = values(google_pubsub_subscription.push)[*].name
      threshold     = var.push_backlog_age_threshold_seconds
      duration      = "300s"
      documentation = "Messages wait on a push subscription: its function keeps failing or is throttled (max instances, destination rate limits)."
    }
  }
}

resource "google_monitoring_alert_policy" "subscription" {
  for_each = local.subscription_alerts

  display_name          = each.value.display_name
  combiner              = "OR"
  severity              = each.value.severity
  notification_channels = local.notification_channels

  conditions {
    display_name = each.value.condition

    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND metric.type = \"${each.value.metric}\" AND resource.label.subscription_id = one_of(${join(", ", [for name in each.value.subscriptions : "\"${name}\""])})"
      comparison      = "COMPARISON_GT"
      threshold_value = each.value.threshold
      duration        = each.value.duration

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_MAX"
        cross_series_reducer = "REDUCE_MAX"
        group_by_fields      = ["resource.label.subscription_id"]
      }

      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "${each.value.documentation} ${local.runbook}"
  }
}

# --- Freshness ------------------------------------------------------------------------------------

# One time series per raw table, counting successful load jobs into it, from BigQuery's own Data
# Access audit logs (written for every job and on by default).
resource "google_logging_metric" "raw_loads" {
  name        = "unistack/raw_loads"
  description = "Successful BigQuery load jobs into the raw dataset, per table."
  filter = join(" AND ", [
    "resource.type=\"bigquery_project\"",
    "logName=\"projects/${var.project_id}/logs/cloudaudit.googleapis.com%2Fdata_access\"",
    "protoPayload.metadata.jobChange.after=\"DONE\"",
    "protoPayload.metadata.jobChange.job.jobConfig.type=\"IMPORT\"",
    "protoPayload.metadata.jobChange.job.jobConfig.loadConfig.destinationTable=~\"^projects/${var.project_id}/datasets/${google_bigquery_dataset.dataset["raw"].dataset_id}/tables/\"",
    "NOT protoPayload.metadata.jobChange.job.jobStatus.errorResult:*",
  ])

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Unistack raw loads"

    labels {
      key         = "table"
      value_type  = "STRING"
      description = "Raw table loaded, <source>_<stream>."
    }
  }

  label_extractors = {
    table = "REGEXP_EXTRACT(protoPayload.metadata.jobChange.job.jobConfig.loadConfig.destinationTable, \"tables/([^/]+)$\")"
  }
}

resource "google_monitoring_alert_policy" "raw_freshness" {
  display_name          = "Unistack: raw table stopped receiving data"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = local.notification_channels

  conditions {
    display_name = "No successful load into a raw table for ${var.raw_freshness_threshold_minutes} min"

    condition_absent {
      filter   = "resource.type = \"bigquery_project\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.raw_loads.name}\""
      duration = "${var.raw_freshness_threshold_minutes * 60}s"

      aggregations {
        alignment_period     = "600s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.table"]
      }

      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A raw table (label table) has had no successful load for ${var.raw_freshness_threshold_minutes} minutes. Check the vendor's webhook delivery page, the ingest-* and load-raw error logs, and quarantine/. A quiet source (no orders at night) can trip this: tune raw_freshness_threshold_minutes. Per-source freshness targets are also asserted in Dataform. ${local.runbook}"
  }
}

# Dataform assertions (including per-source freshness assertions) fail the workflow invocation.
resource "google_monitoring_alert_policy" "dataform_failed" {
  display_name          = "Unistack: Dataform run failed"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = local.notification_channels

  conditions {
    display_name = "Dataform workflow invocation ended FAILED"

    condition_matched_log {
      filter = "${local.dataform_completion_filter} AND jsonPayload.terminalState=\"FAILED\""
      label_extractors = {
        workflow_invocation = "EXTRACT(jsonPayload.workflowInvocationId)"
      }
    }
  }

  alert_strategy {
    notification_rate_limit {
      period = "3600s"
    }
    auto_close = "86400s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A Dataform run of the Unistack repository failed (a model or an assertion, freshness assertions included). Activation is not planned for a failed run. Open the workflow invocation in Dataform for the failing action. ${local.runbook}"
  }
}
