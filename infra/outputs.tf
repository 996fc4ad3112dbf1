output "webhook_urls" {
  description = "Paste these into the vendors' webhook settings (docs/operations.md)."
  value = {
    for key, fn in local.functions : trimprefix(key, "ingest_") => google_cloudfunctions2_function.fn[key].service_config[0].uri
    if fn.trigger == "webhook"
  }
}

output "lake_bucket" {
  description = "UNISTACK_LAKE_BUCKET: raw/, quarantine/, activation/."
  value       = google_storage_bucket.lake.name
}

output "function_source_bucket" {
  value = google_storage_bucket.function_source.name
}

output "datasets" {
  value = { for key, dataset in google_bigquery_dataset.dataset : key => dataset.dataset_id }
}

output "function_service_accounts" {
  description = "Runtime identity of each function."
  value       = { for key, account in google_service_account.fn : key => account.email }
}

output "secrets" {
  description = "Secret ids to add versions to with `gcloud secrets versions add`, by the variable that binds them."
  value       = { for key, secret in local.secrets : secret.env => google_secret_manager_secret.secret[key].secret_id }
}

output "dead_letter_subscriptions" {
  description = "Pull subscriptions that keep dead letters, by source topic."
  value       = { for key, fn in local.pushed_functions : fn.topic => google_pubsub_subscription.dead_letter_hold[key].name }
}

output "dataform_repository" {
  value = google_dataform_repository.unistack.id
}
