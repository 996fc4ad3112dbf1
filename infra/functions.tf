# The 2nd-gen functions of the walking skeleton, declared once in local.functions. All are built
# from one source zip: the repo's package.json + package-lock.json + dist/ (main =
# dist/functions/index.js), compiled beforehand by `npm run build` and staged by
# infra/stage-function-source.sh. Entry points are registered in functions/index.ts with
# @google-cloud/functions-framework.

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
  # Every function, once. The key addresses its resources:
  # google_cloudfunctions2_function.fn["load_raw"], google_service_account.fn["load_raw"],
  # google_cloud_run_service_iam_member.invoker["load_raw"], … `name` is the function's and its
  # Cloud Run service's name, which the alert filters rely on.
  #
  # trigger says who calls it:
  # - webhook: vendors, over public HTTP (ingress ALLOW_ALL, allUsers may invoke). The function
  #   verifies the vendor's signature over the raw body itself.
  # - storage: Eventarc, with the lake's object-finalized events, retries on, as the function's own
  #   trigger identity (google_service_account.trigger).
  # - pubsub: its own push subscription on `topic`, with retries and a dead-letter topic
  #   (pubsub.tf), as the function's own trigger identity.
  #
  # Sizing: ingest-* serve short requests, many at once (concurrency 16 on one vCPU), sized alike
  # (local.webhook_function). load-raw mostly
  # waits on BigQuery load jobs; 540 s is the event-function maximum. plan-activation runs one
  # instance, one request: two concurrent plans would diff against the same snapshot and double-send
  # changes. activate-meta sends one batch per instance on few instances, to stay under Meta's rate
  # limits.
  #
  # env is added to local.common_env. Secrets are bound from local.secrets (each names its one
  # reader, secrets.tf); what each function's identity may touch is local.function_access (iam.tf).
  functions = {
    ingest_shopify = merge(local.webhook_function, {
      name        = "ingest-shopify"
      entry_point = "ingestShopify"
      description = "Shopify webhooks: verifies the HMAC over the raw body, lands raw/ and quarantine/ batches, 2xx only after the write."
    })
    ingest_sendgrid = merge(local.webhook_function, {
      name        = "ingest-sendgrid"
      entry_point = "ingestSendgrid"
      description = "SendGrid signed event webhook: verifies the ECDSA signature, lands raw/ and quarantine/ batches, 2xx only after the write."
    })
    load_raw = {
      name          = "load-raw"
      entry_point   = "loadRaw"
      description   = "Loads each finalized raw/ object into raw.<source>_<stream> with a deterministic job id (exactly once per file). Other prefixes are acknowledged and ignored."
      trigger       = "storage"
      memory        = "512Mi"
      timeout       = 540
      min_instances = 0
      max_instances = 10
      concurrency   = 8
      env           = {}
    }
    plan_activation = {
      name          = "plan-activation"
      entry_point   = "planActivation"
      description   = "On a successful Dataform run: diffs each segment against its last synced snapshot, writes activation/ batches and ops rows, publishes one pointer message per batch."
      trigger       = "pubsub"
      topic         = "dataform-run-finished"
      memory        = "1Gi"
      timeout       = 540
      min_instances = 0
      max_instances = 1
      concurrency   = 1
      # The sync it plans names the audience (core/activation/sync-config.ts).
      env = { META_AUDIENCE_ID = var.meta_audience_id }
    }
    activate_meta = {
      name          = "activate-meta"
      entry_point   = "activateMeta"
      description   = "Sends one planned batch to a Meta custom audience (hashed, ≤ 10,000 rows per request), records accepted and rejected rows in ops."
      trigger       = "pubsub"
      topic         = "activate-meta"
      memory        = "512Mi"
      timeout       = 540
      min_instances = 0
      max_instances = var.activate_meta_max_instances
      concurrency   = 1
      env = {
        META_AUDIENCE_ID = var.meta_audience_id
        META_API_VERSION = var.meta_api_version
      }
    }
  }

  webhook_function = {
    trigger       = "webhook"
    memory        = "512Mi"
    timeout       = 60
    min_instances = var.ingest_min_instances
    max_instances = var.ingest_max_instances
    concurrency   = 16
    env           = {}
  }

  # The same functions by who calls them.
  triggered_functions = { for key, fn in local.functions : key => fn if fn.trigger != "webhook" }
  pushed_functions    = { for key, fn in local.functions : key => fn if fn.trigger == "pubsub" }
}

resource "google_cloudfunctions2_function" "fn" {
  for_each = local.functions

  name        = each.value.name
  location    = var.region
  description = each.value.description
  labels      = local.labels

  build_config {
    runtime     = "nodejs22"
    entry_point = each.value.entry_point
    # The Node.js buildpack runs `npm run build` when package.json has a build script; dist/ is
    # already compiled and the build would need devDependencies, so no scripts run.
    environment_variables = { GOOGLE_NODE_RUN_SCRIPTS = "" }
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
    service_account_email            = google_service_account.fn[each.key].email
    ingress_settings                 = each.value.trigger == "webhook" ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"
    available_memory                 = each.value.memory
    available_cpu                    = "1"
    timeout_seconds                  = each.value.timeout
    min_instance_count               = each.value.min_instances
    max_instance_count               = each.value.max_instances
    max_instance_request_concurrency = each.value.concurrency
    all_traffic_on_latest_revision   = true
    environment_variables            = merge(local.common_env, each.value.env)

    # The secrets that name this function as their reader, by reference, as `latest`.
    dynamic "secret_environment_variables" {
      for_each = { for id, secret in local.secrets : id => secret if secret.reader == each.key && secret.bound }
      content {
        key        = secret_environment_variables.value.env
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.key].secret_id
        version    = "latest"
      }
    }
  }

  dynamic "event_trigger" {
    for_each = each.value.trigger == "storage" ? [google_storage_bucket.lake.name] : []
    content {
      trigger_region        = var.region
      event_type            = "google.cloud.storage.object.v1.finalized"
      retry_policy          = "RETRY_POLICY_RETRY"
      service_account_email = google_service_account.trigger[each.key].email

      event_filters {
        attribute = "bucket"
        value     = event_trigger.value
      }
    }
  }

  depends_on = [
    google_project_service.apis,
    # A revision binding a secret starts only if its identity can read it.
    google_secret_manager_secret_iam_member.reader,
    # What Eventarc checks when it creates the storage trigger.
    google_project_iam_member.gcs_agent_publishes_events,
    google_project_iam_member.trigger_receives_events,
    google_service_account_iam_member.pubsub_agent_signs_for_trigger,
  ]
}
