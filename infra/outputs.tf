output "webhook_urls" {
  description = "Paste these into the vendors' webhook settings (docs/operations.md)."
  value = {
    shopify  = google_cloudfunctions2_function.ingest_shopify.service_config[0].uri
    sendgrid = google_cloudfunctions2_function.ingest_sendgrid.service_config[0].uri
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
  value = {
    raw        = google_bigquery_dataset.raw.dataset_id
    staging    = google_bigquery_dataset.staging.dataset_id
    marts      = google_bigquery_dataset.marts.dataset_id
    ops        = google_bigquery_dataset.ops.dataset_id
    assertions = google_bigquery_dataset.assertions.dataset_id
  }
}

output "function_service_accounts" {
  description = "Runtime identity of each function."
  value = {
    ingest_shopify  = google_service_account.ingest_shopify.email
    ingest_sendgrid = google_service_account.ingest_sendgrid.email
    load_raw        = google_service_account.load_raw.email
    plan_activation = google_service_account.plan_activation.email
    activate_meta   = google_service_account.activate_meta.email
  }
}

output "secrets" {
  description = "Secret ids to add versions to with `gcloud secrets versions add`."
  value = {
    SHOPIFY_WEBHOOK_SECRET          = google_secret_manager_secret.shopify_webhook_secret.secret_id
    SHOPIFY_WEBHOOK_SECRET_PREVIOUS = google_secret_manager_secret.shopify_webhook_secret_previous.secret_id
    SENDGRID_WEBHOOK_PUBLIC_KEY     = google_secret_manager_secret.sendgrid_webhook_public_key.secret_id
    META_ACCESS_TOKEN               = google_secret_manager_secret.meta_access_token.secret_id
  }
}

output "dead_letter_subscriptions" {
  description = "Pull subscriptions that keep dead letters, by source topic."
  value = {
    (google_pubsub_topic.dataform_run_finished.name) = google_pubsub_subscription.dataform_run_finished_dead_letter_hold.name
    (google_pubsub_topic.activate_meta.name)         = google_pubsub_subscription.activate_meta_dead_letter_hold.name
  }
}

output "dataform_repository" {
  value = google_dataform_repository.unistack.id
}
