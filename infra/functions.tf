# The event-driven targets on Cloud Functions 2nd gen (functions-framework, functions/index.ts),
# declared once in local.functions. All are built from one zip: the output of
# `unistack stage functions` (dist files traced from the entry points, a package.json of only what
# they import, a lockfile `npm ci --omit=dev` accepts), uploaded by the deploy pipeline as
# functions/<sha256>.zip to the source bucket infra/bootstrap owns. The webhook endpoint is the
# Cloud Run service in ingest.tf.

locals {
  # Every function, once. The key addresses its resources: google_cloudfunctions2_function.fn["load_raw"],
  # its runtime identity local.sa["load_raw"], its invokers (iam.tf). `name` is the function's and its
  # Cloud Run service's name, which the alert filters rely on.
  #
  # Triggers:
  # - load-raw: Eventarc, the lake's object-finalized events (retries on), as trigger_load_raw;
  #   plus the sweep: Cloud Scheduler → topic load-raw-sweep → push subscription (pubsub.tf).
  # - plan-activation, activate-meta: their own push subscription on `topic`, with retries and a
  #   dead-letter topic (pubsub.tf), as push_<key>.
  #
  # Sizing: load-raw mostly waits on BigQuery load jobs; 540 s is the event-function maximum.
  # plan-activation runs one instance, one request: two concurrent plans would diff against the same
  # snapshot and double-send changes. activate-meta sends one batch per instance on few instances,
  # to stay under Meta's rate limits. activate-google-ads and activate-sendgrid likewise, one batch
  # per instance; they are deployed only when UNISTACK_SYNCS (var.syncs) has a sync to them.
  functions = merge({
    load_raw = {
      name        = "load-raw"
      entry_point = "loadRaw"
      description = "Sweeps the lake: raw/ objects not in the load ledger are loaded into raw.<source>_<stream> in manifests, one deterministic load job each. Started by object-finalized events and a scheduled sweep."
      topic       = "load-raw-sweep"
      memory      = "512Mi"
      timeout     = 540
      # Concurrent sweeps skip at once on the loader's lease: a few instances are enough.
      max_instances = 3
      concurrency   = 8
      env           = {}
    }
    plan_activation = {
      name          = "plan-activation"
      entry_point   = "planActivation"
      description   = "On a successful Dataform run: diffs each segment against its last synced snapshot, writes activation/ batches and ops rows, publishes one pointer message per batch."
      topic         = "dataform-run-finished"
      memory        = "1Gi"
      timeout       = 540
      max_instances = 1
      concurrency   = 1
      # The syncs it plans (core/activation/sync-config.ts): UNISTACK_SYNCS, or the one Meta sync.
      env = merge({ META_AUDIENCE_ID = var.meta_audience_id }, local.syncs_env)
    }
    activate_meta = {
      name          = "activate-meta"
      entry_point   = "activateMeta"
      description   = "Sends one planned batch to the configured Meta custom audience (hashed, ≤ 10,000 rows per request), records accepted and rejected rows in ops."
      topic         = "activate-meta"
      memory        = "512Mi"
      timeout       = 540
      max_instances = var.activate_meta_max_instances
      concurrency   = 1
      env = merge({
        META_AUDIENCE_ID        = var.meta_audience_id
        META_API_VERSION        = var.meta_api_version
        ACTIVATE_MAX_DELIVERIES = tostring(var.activate_max_deliveries)
      }, local.syncs_env)
    }
    # Privacy requests (docs/privacy.md "In the cloud"): erasures and access requests published on
    # privacy-requests, and every 15 minutes the sweep that handles Shopify's privacy webhooks and
    # continues erasures waiting on destinations (scheduler.tf). One at a time: an erasure holds
    # the loader's lease while it rewrites the lake.
    privacy_requests = {
      name          = "privacy-requests"
      entry_point   = "privacyRequests"
      description   = "Erases a person everywhere (lake rewrites, BigQuery DML, destination removals through plan-activation) or exports what is held about them; handles Shopify's privacy webhooks on a schedule. Reports and documents under privacy/."
      topic         = "privacy-requests"
      memory        = "1Gi"
      timeout       = 540
      max_instances = 1
      concurrency   = 1
      # Removals are planned for the syncs plan-activation plans.
      env = merge({ META_AUDIENCE_ID = var.meta_audience_id }, local.syncs_env)
    }
    }, contains(local.sync_destinations, "google_ads") ? {
    activate_google_ads = {
      name          = "activate-google-ads"
      entry_point   = "activateGoogleAds"
      description   = "Sends one planned batch to the configured Google Ads Customer Match list through the Data Manager API (its own identity, no key), records accepted and rejected rows in ops."
      topic         = "activate-google-ads"
      memory        = "512Mi"
      timeout       = 540
      max_instances = var.activate_max_instances
      concurrency   = 1
      env = merge({
        ACTIVATE_MAX_DELIVERIES = tostring(var.activate_max_deliveries)
      }, local.syncs_env)
    }
    } : {}, contains(local.sync_destinations, "sendgrid") ? {
    activate_sendgrid = {
      name          = "activate-sendgrid"
      entry_point   = "activateSendgrid"
      description   = "Sends one planned batch to the configured SendGrid Marketing list (and its suppressions), records accepted and rejected rows in ops."
      topic         = "activate-sendgrid"
      memory        = "512Mi"
      timeout       = 540
      max_instances = var.activate_max_instances
      concurrency   = 1
      env = merge({
        ACTIVATE_MAX_DELIVERIES = tostring(var.activate_max_deliveries)
      }, local.syncs_env)
    }
    } : {}, length(local.realtime_destinations) > 0 ? {
    # The realtime path (docs/destinations.md, "Real-time path"): ingest publishes a pointer on
    # `purchases` for each landed Shopify orders/create|paid; this removes the purchaser from every
    # sync with realtime.onPurchase = "remove" within seconds. Small messages, one order each:
    # several per instance; instances capped like the activate functions (vendor rate limits).
    realtime_purchase = {
      name          = "realtime-purchase"
      entry_point   = "realtimePurchase"
      description   = "Takes a purchaser out of every retargeting audience with a realtime remove rule (Meta, Google Ads) at once, and records the suppression the batch planner honours."
      topic         = "purchases"
      memory        = "512Mi"
      timeout       = 60
      max_instances = var.activate_max_instances
      concurrency   = 4
      env = merge({
        META_API_VERSION = var.meta_api_version
      }, local.syncs_env)
    }
    } : {}, contains(local.sync_destinations, "hubspot") ? {
    activate_hubspot = {
      name        = "activate-hubspot"
      entry_point = "activateHubspot"
      description = "Sends one planned batch to HubSpot (contacts upserted by email, or routed leads as tasks created exactly once through the task-intent ledger), records accepted and rejected rows in ops."
      topic       = "activate-hubspot"
      memory      = "512Mi"
      timeout     = 540
      # One instance: HubSpot limits a private app per rolling 10 s, and the client paces itself
      # on the assumption that it is the only caller.
      max_instances = 1
      concurrency   = 1
      env = merge({
        ACTIVATE_MAX_DELIVERIES = tostring(var.activate_max_deliveries)
      }, local.syncs_env)
    }
    } : {}, length(var.pulls) > 0 ? {
    # Scheduled pulls (scheduler.tf): one message per (source, stream), every connection of the
    # source pulled in turn. Its own budget (UNISTACK_PULL_BUDGET_SECONDS) stops starting pages
    # before the timeout; the next run goes on from the journal in pull/.
    pull = {
      name          = "pull"
      entry_point   = "pull"
      description   = "Pulls one stream of a vendor API (Shopify backfill, Google Ads, Meta Ads, HubSpot) for each connection: pages journaled under pull/, records landed in raw/ and quarantine/, runs recorded in ops_pull."
      topic         = "pull"
      memory        = "1Gi"
      timeout       = 540
      max_instances = var.pull_max_instances
      concurrency   = 1
      env = merge({
        UNISTACK_PULL_BUDGET_SECONDS = "420"
      }, local.connections_env)
    }
  } : {})

  # UNISTACK_CONNECTIONS (docs/sources.md): the accounts of each source, read by pull and ingest.
  connections_env = var.connections == null ? {} : { UNISTACK_CONNECTIONS = var.connections }

  # UNISTACK_SYNCS (docs/destinations.md, "Configuration") and the destinations it names: each
  # destination beyond Meta gets its activate function only when a sync goes to it.
  syncs_env         = var.syncs == null ? {} : { UNISTACK_SYNCS = var.syncs }
  sync_destinations = var.syncs == null ? [] : distinct([for sync in try(jsondecode(var.syncs).syncs, jsondecode(var.syncs)) : sync.destination])
  # Destinations of the syncs a purchase removes the purchaser from at once (realtime.onPurchase = "remove").
  realtime_destinations = var.syncs == null ? [] : distinct([for sync in try(jsondecode(var.syncs).syncs, jsondecode(var.syncs)) : sync.destination if try(sync.realtime.onPurchase, "") == "remove"])
}

resource "google_cloudfunctions2_function" "fn" {
  for_each = local.functions

  name        = each.value.name
  location    = var.region
  description = each.value.description
  labels      = local.deployed_labels

  build_config {
    runtime     = "nodejs22"
    entry_point = each.value.entry_point
    # The staged package.json has no build script; dist/ is already compiled.
    environment_variables = { GOOGLE_NODE_RUN_SCRIPTS = "" }
    service_account       = "projects/${var.project_id}/serviceAccounts/${local.sa.function_build}"
    docker_repository     = "projects/${var.project_id}/locations/${var.region}/repositories/${local.images_repository}"

    source {
      storage_source {
        bucket = local.source_bucket_name
        object = var.function_source_object
      }
    }
  }

  service_config {
    service_account_email            = local.sa[each.key]
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    available_memory                 = each.value.memory
    available_cpu                    = "1"
    timeout_seconds                  = each.value.timeout
    min_instance_count               = 0
    max_instance_count               = each.value.max_instances
    max_instance_request_concurrency = each.value.concurrency
    all_traffic_on_latest_revision   = true
    environment_variables            = merge(local.common_env, each.value.env)
    # Google APIs only (network.tf), when restrict_egress is on.
    direct_vpc_egress = contains(local.egress_restricted, each.key) ? "VPC_EGRESS_ALL_TRAFFIC" : null

    dynamic "direct_vpc_network_interface" {
      for_each = contains(local.egress_restricted, each.key) ? [1] : []
      content {
        network    = google_compute_network.egress[0].id
        subnetwork = google_compute_subnetwork.egress[0].id
      }
    }

    # The secrets that name this function among their readers, by reference (secrets.tf).
    dynamic "secret_environment_variables" {
      for_each = { for id, secret in local.bound_secrets : id => secret if contains(secret.readers, each.key) }
      content {
        key        = secret_environment_variables.value.env
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.key].secret_id
        version    = local.bound_secrets[secret_environment_variables.key].version
      }
    }
  }

  dynamic "event_trigger" {
    for_each = each.key == "load_raw" ? [google_storage_bucket.lake.name] : []
    content {
      trigger_region        = var.region
      event_type            = "google.cloud.storage.object.v1.finalized"
      retry_policy          = "RETRY_POLICY_RETRY"
      service_account_email = local.sa.trigger_load_raw

      event_filters {
        attribute = "bucket"
        value     = event_trigger.value
      }
    }
  }

  depends_on = [
    # A revision binding a secret starts only if its identity can read it.
    google_secret_manager_secret_iam_member.reader,
    # What Eventarc checks when it creates the storage trigger.
    google_project_iam_member.grant,
  ]
}
