# The load sweep's clock: every load_sweep_interval_minutes Cloud Scheduler publishes one message to
# load-raw-sweep, whose push subscription (pubsub.tf) starts load-raw. load-raw then loads whatever
# raw/ objects the load ledger does not have yet, so objects whose finalized event was lost, or
# that failed and were retried out, are loaded within one interval.

resource "google_cloud_scheduler_job" "load_sweep" {
  name        = "unistack-load-raw-sweep"
  region      = var.region
  description = "Asks load-raw to sweep the lake for raw/ objects not yet loaded (commit ${var.source_commit})."
  schedule    = "*/${var.load_sweep_interval_minutes} * * * *"
  time_zone   = "Etc/UTC"

  pubsub_target {
    topic_name = google_pubsub_topic.feed["load_raw"].id
    data       = base64encode(jsonencode({ sweep = "scheduled" }))
  }
}
