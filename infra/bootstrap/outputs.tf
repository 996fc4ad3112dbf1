output "service_accounts" {
  description = "Every identity of the deployment, by key (infra/project.tf uses the same keys)."
  value       = { for key, account in google_service_account.account : key => account.email }
}

output "state_bucket" {
  value = google_storage_bucket.pipeline["tfstate"].name
}

output "triggers" {
  value = { for key, trigger in google_cloudbuild_trigger.trigger : key => trigger.name }
}
