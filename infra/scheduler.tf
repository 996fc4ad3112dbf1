# The load sweep's clocks (functions/core/loading, docs/operations.md "Raw loads"). Cloud Scheduler
# publishes to load-raw-sweep, whose push subscription (pubsub.tf) starts load-raw:
# - every load_sweep_interval_minutes, {"sweep":"scheduled"}: load the recent raw/ objects the load
#   ledger lacks, so an object whose finalized event was lost is loaded within one interval;
# - once a day, {"sweep":"deep"}: list the whole lake (its cost grows with history, hence daily). It
#   is redelivered (backoff up to 600 s) while another sweep holds the lease.

locals {
  load_sweeps = {
    scheduled = { schedule = "*/${var.load_sweep_interval_minutes} * * * *", what = "the recent raw/ objects" }
    deep      = { schedule = var.load_deep_sweep_cron, what = "the whole lake" }
  }
}

resource "google_cloud_scheduler_job" "load_sweep" {
  for_each = local.load_sweeps

  name        = "unistack-load-raw-sweep-${each.key}"
  region      = var.region
  description = "Asks load-raw to load ${each.value.what} not yet in the load ledger."
  schedule    = each.value.schedule
  time_zone   = "Etc/UTC"

  pubsub_target {
    topic_name = google_pubsub_topic.feed["load_raw"].id
    data       = base64encode(jsonencode({ sweep = each.key }))
  }
}

# Scheduled pulls (docs/operations.md "Pulls"): one job per (source, stream) of var.pulls, at the
# source's time, publishing {"source", "stream"} on topic pull, whose push subscription (pubsub.tf)
# starts the pull function. Shopify's streams are the backfill behind the webhooks; the ads
# streams re-pull the days their platform still restates.
locals {
  pull_streams = {
    shopify    = ["orders", "customers"]
    google_ads = ["campaign_stats", "ad_group_stats", "ad_stats"]
    meta_ads   = ["campaign_stats", "adset_stats", "ad_stats"]
    hubspot    = ["contacts", "companies", "deals", "owners"]
    zoom       = ["registration_events", "participant_events", "poll_answers", "questions"]
    sendgrid   = ["singlesend_stats"]
  }
  pull_jobs = merge([
    for source, schedule in var.pulls : {
      for stream in local.pull_streams[source] : "${source}/${stream}" => { source = source, stream = stream, schedule = schedule }
    }
  ]...)
}

resource "google_cloud_scheduler_job" "pull" {
  for_each = local.pull_jobs

  name        = "unistack-pull-${replace(each.value.source, "_", "-")}-${replace(each.value.stream, "_", "-")}"
  region      = var.region
  description = "Asks pull to pull ${each.value.source} ${each.value.stream} for every connection of ${each.value.source}."
  schedule    = each.value.schedule
  time_zone   = "Etc/UTC"

  pubsub_target {
    topic_name = google_pubsub_topic.feed["pull"].id
    data       = base64encode(jsonencode({ source = each.value.source, stream = each.value.stream }))
  }
}

# The privacy sweep (docs/privacy.md, "In the cloud"): every 15 minutes, {"kind":"sweep"} on
# privacy-requests. privacy-requests then turns Shopify's privacy webhooks (landed in raw/ by
# ingest) into erasures and access documents, once each, and continues erasures that wait on
# destinations. Shopify allows 30 days; 15 minutes keeps requests from piling up.
resource "google_cloud_scheduler_job" "privacy_sweep" {
  name        = "unistack-privacy-sweep"
  region      = var.region
  description = "Asks privacy-requests to handle new privacy requests from sources and continue waiting erasures."
  schedule    = "*/15 * * * *"
  time_zone   = "Etc/UTC"

  pubsub_target {
    topic_name = google_pubsub_topic.feed["privacy_requests"].id
    data       = base64encode(jsonencode({ kind = "sweep" }))
  }
}
