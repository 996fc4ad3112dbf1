# Secret Manager secrets: containers only. Values never pass through Terraform (no
# google_secret_manager_secret_version here, nothing in state); operators add versions with
# `gcloud secrets versions add` (docs/operations.md).
#
# Each secret names its one reader: the function that binds it (as `env`, version `latest`,
# functions.tf) and the only identity granted secretAccessor on it (below). Replicas stay in
# var.region so webhook keys and the ad-platform token keep the data residency of the rest of the
# deployment.

locals {
  secrets = {
    shopify_webhook_secret = {
      id     = "shopify-webhook-secret"
      env    = "SHOPIFY_WEBHOOK_SECRET"
      reader = "ingest_shopify"
      bound  = true
    }
    # The previous Shopify secret, bound only while a rotation is in progress, so webhooks signed
    # with either secret verify. Its reader keeps the grant between rotations.
    shopify_webhook_secret_previous = {
      id     = "shopify-webhook-secret-previous"
      env    = "SHOPIFY_WEBHOOK_SECRET_PREVIOUS"
      reader = "ingest_shopify"
      bound  = var.shopify_secret_rotation_in_progress
    }
    sendgrid_webhook_public_key = {
      id     = "sendgrid-webhook-public-key"
      env    = "SENDGRID_WEBHOOK_PUBLIC_KEY"
      reader = "ingest_sendgrid"
      bound  = true
    }
    meta_access_token = {
      id     = "meta-access-token"
      env    = "META_ACCESS_TOKEN"
      reader = "activate_meta"
      bound  = true
    }
  }
}

resource "google_secret_manager_secret" "secret" {
  for_each = local.secrets

  secret_id = each.value.id
  labels    = local.labels

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_iam_member" "reader" {
  for_each = local.secrets

  secret_id = google_secret_manager_secret.secret[each.key].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.fn[each.value.reader].member
}
