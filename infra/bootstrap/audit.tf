# Audit: Data Access logs where Google leaves them off by default (Cloud Storage object reads and
# writes, Secret Manager accesses; BigQuery's are always on), and every audit log copied into a
# regional bucket whose retention is locked, so neither a compromised deployer nor an admin can
# shorten or delete the record of who read what.

resource "google_project_iam_audit_config" "data_access" {
  for_each = toset(["storage.googleapis.com", "secretmanager.googleapis.com"])

  project = var.project_id
  service = each.value

  audit_log_config {
    log_type = "ADMIN_READ"
  }
  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

resource "google_logging_project_bucket_config" "audit" {
  project        = var.project_id
  location       = var.region
  bucket_id      = "unistack-audit"
  description    = "Every Cloud Audit Log of the project, kept ${var.audit_log_retention_days} days, retention locked."
  retention_days = var.audit_log_retention_days
  locked         = var.lock_audit_log_bucket

  depends_on = [google_project_service.apis]
}

resource "google_logging_project_sink" "audit" {
  name        = "unistack-audit"
  description = "Cloud Audit Logs (admin activity, data access, system event, policy denied) → the locked audit bucket."
  # Written out (not the bucket's id, known only after apply) so the plan shows where logs go.
  destination = "logging.googleapis.com/projects/${var.project_id}/locations/${var.region}/buckets/${google_logging_project_bucket_config.audit.bucket_id}"
  filter      = "logName:\"/logs/cloudaudit.googleapis.com%2F\""

  unique_writer_identity = true
}
