# What feeds each function (every entry of local.functions names its `topic`): its topic, a
# dead-letter topic, a pull subscription that keeps the dead letters, and the push subscription
# that delivers to the function. Addresses are keyed by function:
# google_pubsub_topic.feed["activate_meta"] is the activate-meta topic,
# google_pubsub_subscription.push["activate_meta"] is activate-meta-push. load-raw's feed is the
# scheduled sweep (scheduler.tf); its object-finalized events come through Eventarc (functions.tf).
#
# The functions are fed by push subscriptions declared here, not by a function event_trigger: an
# event_trigger makes Eventarc create and own the subscription, which cannot be given a dead-letter
# policy from Terraform (the Eventarc API exposes it as output-only). Pushing from our own
# subscription gives each message a bounded number of attempts, a dead-letter topic, a 7-day
# retention and a backoff we choose. Pub/Sub push semantics: 102/200/201/202/204 acks; anything else
# is redelivered with backoff until max_delivery_attempts, then dead-lettered.

resource "google_pubsub_topic" "feed" {
  for_each = local.functions

  name = each.value.topic

}

resource "google_pubsub_topic" "dead_letter" {
  for_each = local.functions

  name = "${each.value.topic}-dead-letter"

}

resource "google_pubsub_subscription" "push" {
  for_each = local.functions

  name  = "${each.value.name}-push"
  topic = google_pubsub_topic.feed[each.key].id

  # The push request stays open while the function runs: give it at least the function's timeout.
  ack_deadline_seconds       = 600
  message_retention_duration = "${var.message_retention_days * 86400}s"

  expiration_policy {
    ttl = ""
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.key].id
    max_delivery_attempts = var.max_delivery_attempts
  }

  push_config {
    # The functions-framework reads the topic from a /projects/<p>/topics/<t> path and turns the
    # push body into a messagePublished CloudEvent.
    push_endpoint = "${google_cloudfunctions2_function.fn[each.key].service_config[0].uri}/projects/${var.project_id}/topics/${google_pubsub_topic.feed[each.key].name}"

    oidc_token {
      service_account_email = local.sa["push_${each.key}"]
      audience              = google_cloudfunctions2_function.fn[each.key].service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_service_iam_member.invoker]
}

resource "google_pubsub_subscription" "dead_letter_hold" {
  for_each = local.functions

  name  = "${each.value.topic}-dead-letter-hold"
  topic = google_pubsub_topic.dead_letter[each.key].id

  ack_deadline_seconds       = 60
  message_retention_duration = "${var.dead_letter_retention_days * 86400}s"
  retain_acked_messages      = false

  expiration_policy {
    ttl = ""
  }
}

# --- What dead-lettering requires of the Pub/Sub service agent -----------------------------------
# Publisher on each dead-letter topic, subscriber on each push subscription (to ack the message it
# forwarded). Granted on those resources only.

resource "google_pubsub_topic_iam_member" "pubsub_agent_publishes_dead_letters" {
  for_each = local.functions

  topic  = google_pubsub_topic.dead_letter[each.key].id
  role   = "roles/pubsub.publisher"
  member = local.agents.pubsub
}

resource "google_pubsub_subscription_iam_member" "pubsub_agent_acks_push" {
  for_each = local.functions

  subscription = google_pubsub_subscription.push[each.key].id
  role         = "roles/pubsub.subscriber"
  member       = local.agents.pubsub
}
