# The webhook endpoint: one Cloud Run service for every source (POST /webhooks/<source>,
# GET /healthz), the project's own node:http server: the staged source's Procfile
# (`web: node dist/functions/serve-ingest.js`, not `npm start`, whose npm would exit at once on
# SIGTERM and cut the drain). It reads the raw stream itself, size-limited before buffering, and checks
# each vendor's signature over the exact bytes. The image is built from the staged source by Google's
# buildpacks in the deploy pipeline and deployed by digest (var.ingest_image), never by tag.

resource "google_cloud_run_v2_service" "ingest" {
  name        = "ingest"
  location    = var.region
  description = "Vendor webhooks: verifies each signature over the raw body, lands raw/ and quarantine/ batches, 2xx only after the write."
  labels      = local.deployed_labels
  ingress     = "INGRESS_TRAFFIC_ALL"
  # A webhook URL vendors were given must not vanish with a stray destroy.
  deletion_protection = true

  template {
    labels          = local.deployed_labels
    service_account = local.sa.ingest
    # The server ends every request at 30 s itself and drains on SIGTERM within
    # UNISTACK_SHUTDOWN_GRACE_MS (8 s, under Cloud Run's 10 s grace).
    timeout                          = "30s"
    max_instance_request_concurrency = 32

    scaling {
      min_instance_count = var.ingest_min_instances
      max_instance_count = var.ingest_max_instances
    }

    # Google APIs only (network.tf), when restrict_egress is on.
    dynamic "vpc_access" {
      for_each = contains(local.egress_restricted, "ingest") ? [1] : []
      content {
        egress = "ALL_TRAFFIC"
        network_interfaces {
          network    = google_compute_network.egress[0].id
          subnetwork = google_compute_subnetwork.egress[0].id
        }
      }
    }

    containers {
      image = var.ingest_image

      resources {
        limits = {
          cpu    = "1"
          memory = "512Mi"
        }
        cpu_idle = true
      }

      ports {
        container_port = 8080
      }

      dynamic "env" {
        for_each = merge(local.common_env, local.connections_env, contains(keys(local.functions), "realtime_purchase") ? { UNISTACK_PURCHASES_TOPIC = "purchases" } : {})
        content {
          name  = env.key
          value = env.value
        }
      }

      # The secrets that name ingest among their readers, by version number (secrets.tf).
      dynamic "env" {
        for_each = { for id, secret in local.bound_secrets : id => secret if contains(secret.readers, "ingest") }
        content {
          name = env.value.env
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.secret[env.key].secret_id
              version = env.value.version
            }
          }
        }
      }

      startup_probe {
        http_get {
          path = "/healthz"
        }
      }
    }
  }

  depends_on = [google_secret_manager_secret_iam_member.reader]
}

# Vendors call the webhooks without Google credentials; the service verifies the Shopify HMAC and the
# SendGrid ECDSA signature over the raw body itself and answers 401 otherwise. The only public grant
# in this configuration; the policy test refuses allUsers anywhere else.
resource "google_cloud_run_v2_service_iam_member" "ingest_public" {
  location = google_cloud_run_v2_service.ingest.location
  name     = google_cloud_run_v2_service.ingest.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
