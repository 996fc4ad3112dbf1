# A source with configured connections (var.connections) is served at /webhooks/<source>/<id> for
# each of them, and its bare URL answers 404; every other source at /webhooks/<source>.
locals {
  webhook_sources   = ["shopify", "sendgrid", "hubspot", "zoom"]
  connection_keys   = var.connections == null ? [] : [for c in jsondecode(var.connections) : "${c.source}/${c.id}"]
  connected_sources = distinct([for key in local.connection_keys : split("/", key)[0]])
}

output "webhook_urls" {
  description = "Paste these into the vendors' webhook settings (docs/operations.md), by source or <source>/<connection>."
  value = merge(
    { for source in local.webhook_sources : source => "${google_cloud_run_v2_service.ingest.uri}/webhooks/${source}" if !contains(local.connected_sources, source) },
    { for key in local.connection_keys : key => "${google_cloud_run_v2_service.ingest.uri}/webhooks/${key}" if contains(local.webhook_sources, split("/", key)[0]) },
  )
}

output "lake_bucket" {
  description = "UNISTACK_LAKE_BUCKET: raw/, quarantine/, activation/, loads/."
  value       = google_storage_bucket.lake.name
}

output "datasets" {
  value = merge(
    { for key, dataset in google_bigquery_dataset.dataset : key => dataset.dataset_id },
    { for key, dataset in google_bigquery_dataset.reports : key => dataset.dataset_id },
  )
}

output "secrets" {
  description = "Secret ids to add versions to with `gcloud secrets versions add`, by the variable that binds them."
  value       = { for key, secret in local.secrets : secret.env => google_secret_manager_secret.secret[key].secret_id }
}

output "dead_letter_subscriptions" {
  description = "Pull subscriptions that keep dead letters, by source topic."
  value       = { for key, fn in local.functions : fn.topic => google_pubsub_subscription.dead_letter_hold[key].name }
}

output "dataform_repository" {
  value = google_dataform_repository.unistack.id
}

output "deployed_commit" {
  description = "The commit every service, function and workflow is labelled with."
  value       = var.source_commit
}
