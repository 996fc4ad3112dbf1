# Secret Manager secrets: containers only. Values never pass through Terraform (no
# google_secret_manager_secret_version here, nothing in state); operators add versions with
# `gcloud secrets versions add` (docs/operations.md). Each secret is readable by exactly one
# function's service account, granted on the secret itself.
#
# Replicas stay in var.region so webhook keys and the ad-platform token keep the data residency of
# the rest of the deployment.

locals {
  secret_replication_region = var.region
}

resource "google_secret_manager_secret" "shopify_webhook_secret" {
  secret_id = "shopify-webhook-secret"
  labels    = local.labels

  replication {
    user_managed {
      replicas {
        location = local.secret_replication_region
      }
    }
  }

  depends_on = [google_project_service.apis]
}

# The previous Shopify secret, bound only while a rotation is in progress
# (var.shopify_secret_rotation_in_progress), so webhooks signed with either secret verify.
resource "google_secret_manager_secret" "shopify_webhook_secret_previous" {
  secret_id = "shopify-webhook-secret-previous"
  labels    = local.labels

  replication {
    user_managed {
      replicas {
        location = local.secret_replication_region
      }
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret" "sendgrid_webhook_public_key" {
  secret_id = "sendgrid-webhook-public-key"
  labels    = local.labels

  replication {
    user_managed {
      replicas {
        location = local.secret_replication_region
      }
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret" "meta_access_token" {
  secret_id = "meta-access-token"
  labels    = local.labels

  replication {
    user_managed {
      replicas {
        location = local.secret_replication_region
      }
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_iam_member" "ingest_shopify_reads_webhook_secret" {
  secret_id = google_secret_manager_secret.shopify_webhook_secret.id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.ingest_shopify.member
}

resource "google_secret_manager_secret_iam_member" "ingest_shopify_reads_previous_webhook_secret" {
  secret_id = google_secret_manager_secret.shopify_webhook_secret_previous.id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.ingest_shopify.member
}

resource "google_secret_manager_secret_iam_member" "ingest_sendgrid_reads_public_key" {
  secret_id = google_secret_manager_secret.sendgrid_webhook_public_key.id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.ingest_sendgrid.member
}

resource "google_secret_manager_secret_iam_member" "activate_meta_reads_access_token" {
  secret_id = google_secret_manager_secret.meta_access_token.id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.activate_meta.member
}
