# The five 2nd-gen functions of the walking skeleton. All are built from one source zip: the repo's
# package.json + package-lock.json + dist/ (main = dist/functions/index.js), compiled beforehand by
# `npm run build` and staged by infra/stage-function-source.sh. Entry points are registered in
# functions/index.ts with @google-cloud/functions-framework.
#
# Sizing notes:
# - ingest-*: short requests, many at once; concurrency 16 on one vCPU.
# - load-raw: mostly waits on BigQuery load jobs; 540 s is the event-function maximum.
# - plan-activation: one instance, one request: two concurrent plans would diff against the same
#   snapshot and double-send changes.
# - activate-meta: one batch per instance and few instances, to stay under Meta's rate limits.

data "archive_file" "function_source" {
  type        = "zip"
  source_dir  = local.function_source_dir
  output_path = "${path.module}/.build/function-source.zip"
}

# Named by content hash: a new build gets a new object, which is what makes Cloud Functions rebuild.
resource "google_storage_bucket_object" "function_source" {
  name   = "functions/${data.archive_file.function_source.output_md5}.zip"
  bucket = google_storage_bucket.function_source.name
  source = data.archive_file.function_source.output_path
}

resource "google_artifact_registry_repository" "functions" {
  repository_id = "unistack-functions"
  location      = var.region
  format        = "DOCKER"
  description   = "Images built for the Unistack functions."
  labels        = local.labels

  cleanup_policy_dry_run = false

  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 5
    }
  }

  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      older_than = "2592000s"
    }
  }

  depends_on = [google_project_service.apis]
}

locals {
  function_build = {
    runtime = "nodejs22"
    # The Node.js buildpack runs `npm run build` when package.json has a build script; dist/ is
    # already compiled and the build would need devDependencies, so no scripts run.
    environment = { GOOGLE_NODE_RUN_SCRIPTS = "" }
  }
}

# ---------------------------------------------------------------------------------------------------
# Webhooks (HTTP, public; they verify the vendor's signature themselves)
# ---------------------------------------------------------------------------------------------------

resource "google_cloudfunctions2_function" "ingest_shopify" {
  name        = local.function_names.ingest_shopify
  location    = var.region
  description = "Shopify webhooks: verifies the HMAC over the raw body, lands raw/ and quarantine/ batches, 2xx only after the write."
  labels      = local.labels

  build_config {
    runtime               = local.function_build.runtime
    entry_point           = "ingestShopify"
    environment_variables = local.function_build.environment
    service_account       = google_service_account.function_build.id
    docker_repository     = google_artifact_registry_repository.functions.id

    source {
      storage_source {
        bucket = google_storage_bucket.function_source.name
        object = google_storage_bucket_object.function_source.name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.ingest_shopify.email
    ingress_settings                 = "ALLOW_ALL"
    available_memory                 = "512Mi"
    available_cpu                    = "1"
    timeout_seconds                  = 60
    min_instance_count               = var.ingest_min_instances
    max_instance_count               = var.ingest_max_instances
    max_instance_request_concurrency = 16
    all_traffic_on_latest_revision   = true
    environment_variables            = local.common_env

    secret_environment_variables {
      key        = "SHOPIFY_WEBHOOK_SECRET"
      project_id = var.project_id
      secret     = google_secret_manager_secret.shopify_webhook_secret.secret_id
      version    = "latest"
    }

    dynamic "secret_environment_variables" {
      for_each = var.shopify_secret_rotation_in_progress ? [google_secret_manager_secret.shopify_webhook_secret_previous.secret_id] : []
      content {
        key        = "SHOPIFY_WEBHOOK_SECRET_PREVIOUS"
        project_id = var.project_id
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_project_service.apis,
    google_secret_manager_secret_iam_member.ingest_shopify_reads_webhook_secret,
    google_secret_manager_secret_iam_member.ingest_shopify_reads_previous_webhook_secret,
  ]
}

resource "google_cloudfunctions2_function" "ingest_sendgrid" {
  name        = local.function_names.ingest_sendgrid
  location    = var.region
  description = "SendGrid signed event webhook: verifies the ECDSA signature, lands raw/ and quarantine/ batches, 2xx only after the write."
  labels      = local.labels

  build_config {
    runtime               = local.function_build.runtime
    entry_point           = "ingestSendgrid"
    environment_variables = local.function_build.environment
    service_account       = google_service_account.function_build.id
    docker_repository     = google_artifact_registry_repository.functions.id

    source {
      storage_source {
        bucket = google_storage_bucket.function_source.name
        object = google_storage_bucket_object.function_source.name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.ingest_sendgrid.email
    ingress_settings                 = "ALLOW_ALL"
    available_memory                 = "512Mi"
    available_cpu                    = "1"
    timeout_seconds                  = 60
    min_instance_count               = var.ingest_min_instances
    max_instance_count               = var.ingest_max_instances
    max_instance_request_concurrency = 16
    all_traffic_on_latest_revision   = true
    environment_variables            = local.common_env

    secret_environment_variables {
      key        = "SENDGRID_WEBHOOK_PUBLIC_KEY"
      project_id = var.project_id
      secret     = google_secret_manager_secret.sendgrid_webhook_public_key.secret_id
      version    = "latest"
    }
  }

  depends_on = [
    google_project_service.apis,
    google_secret_manager_secret_iam_member.ingest_sendgrid_reads_public_key,
  ]
}

# ---------------------------------------------------------------------------------------------------
# load-raw: Eventarc storage trigger, retries on
# ---------------------------------------------------------------------------------------------------

resource "google_cloudfunctions2_function" "load_raw" {
  name        = local.function_names.load_raw
  location    = var.region
  description = "Loads each finalized raw/ object into raw.<source>_<stream> with a deterministic job id (exactly once per file). Other prefixes are acknowledged and ignored."
  labels      = local.labels

  build_config {
    runtime               = local.function_build.runtime
    entry_point           = "loadRaw"
    environment_variables = local.function_build.environment
    service_account       = google_service_account.function_build.id
    docker_repository     = google_artifact_registry_repository.functions.id

    source {
      storage_source {
        bucket = google_storage_bucket.function_source.name
        object = google_storage_bucket_object.function_source.name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.load_raw.email
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    available_memory                 = "512Mi"
    available_cpu                    = "1"
    timeout_seconds                  = 540
    min_instance_count               = 0
    max_instance_count               = 10
    max_instance_request_concurrency = 8
    all_traffic_on_latest_revision   = true
    environment_variables            = local.common_env
  }

  event_trigger {
    trigger_region        = var.region
    event_type            = "google.cloud.storage.object.v1.finalized"
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.trigger_load_raw.email

    event_filters {
      attribute = "bucket"
      value     = google_storage_bucket.lake.name
    }
  }

  depends_on = [
    google_project_service.apis,
    google_project_iam_member.gcs_agent_publishes_events,
    google_project_iam_member.trigger_load_raw_receives_events,
    google_service_account_iam_member.pubsub_signs_for_trigger_load_raw,
  ]
}

# ---------------------------------------------------------------------------------------------------
# Pub/Sub-fed functions: pushed to by the subscriptions in pubsub.tf (retries + dead letters there)
# ---------------------------------------------------------------------------------------------------

resource "google_cloudfunctions2_function" "plan_activation" {
  name        = local.function_names.plan_activation
  location    = var.region
  description = "On a successful Dataform run: diffs each segment against its last synced snapshot, writes activation/ batches and ops rows, publishes one pointer message per batch."
  labels      = local.labels

  build_config {
    runtime               = local.function_build.runtime
    entry_point           = "planActivation"
    environment_variables = local.function_build.environment
    service_account       = google_service_account.function_build.id
    docker_repository     = google_artifact_registry_repository.functions.id

    source {
      storage_source {
        bucket = google_storage_bucket.function_source.name
        object = google_storage_bucket_object.function_source.name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.plan_activation.email
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    available_memory                 = "1Gi"
    available_cpu                    = "1"
    timeout_seconds                  = 540
    min_instance_count               = 0
    max_instance_count               = 1
    max_instance_request_concurrency = 1
    all_traffic_on_latest_revision   = true
    # The sync it plans names the audience (core/activation/sync-config.ts).
    environment_variables = merge(local.common_env, {
      META_AUDIENCE_ID = var.meta_audience_id
    })
  }

  depends_on = [google_project_service.apis]
}

resource "google_cloudfunctions2_function" "activate_meta" {
  name        = local.function_names.activate_meta
  location    = var.region
  description = "Sends one planned batch to a Meta custom audience (hashed, ≤ 10,000 rows per request), records accepted and rejected rows in ops."
  labels      = local.labels

  build_config {
    runtime               = local.function_build.runtime
    entry_point           = "activateMeta"
    environment_variables = local.function_build.environment
    service_account       = google_service_account.function_build.id
    docker_repository     = google_artifact_registry_repository.functions.id

    source {
      storage_source {
        bucket = google_storage_bucket.function_source.name
        object = google_storage_bucket_object.function_source.name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.activate_meta.email
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    available_memory                 = "512Mi"
    available_cpu                    = "1"
    timeout_seconds                  = 540
    min_instance_count               = 0
    max_instance_count               = var.activate_meta_max_instances
    max_instance_request_concurrency = 1
    all_traffic_on_latest_revision   = true
    environment_variables = merge(local.common_env, {
      META_AUDIENCE_ID = var.meta_audience_id
      META_API_VERSION = var.meta_api_version
    })

    secret_environment_variables {
      key        = "META_ACCESS_TOKEN"
      project_id = var.project_id
      secret     = google_secret_manager_secret.meta_access_token.secret_id
      version    = "latest"
    }
  }

  depends_on = [
    google_project_service.apis,
    google_secret_manager_secret_iam_member.activate_meta_reads_access_token,
  ]
}
