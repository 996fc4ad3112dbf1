# Topics that feed functions, each with a dead-letter topic and a pull subscription that keeps the
# dead letters.
#
# The Pub/Sub-triggered functions are fed by push subscriptions declared here, not by a
# function event_trigger: an event_trigger makes Eventarc create and own the subscription, which
# cannot be given a dead-letter policy from Terraform (the Eventarc API exposes it as output-only).
# Pushing from our own subscription gives each message a bounded number of attempts, a dead-letter
# topic, a 7-day retention and a backoff we choose. Pub/Sub push semantics: 102/200/201/202/204
# acks; anything else is redelivered with backoff until max_delivery_attempts, then dead-lettered.

locals {
  push_retention    = "${var.message_retention_days * 86400}s"
  dead_letter_hold  = "${var.dead_letter_retention_days * 86400}s"
  plan_push_uri     = google_cloudfunctions2_function.plan_activation.service_config[0].uri
  activate_push_uri = google_cloudfunctions2_function.activate_meta.service_config[0].uri
}

# --- dataform-run-finished → plan-activation ---------------------------------------------------

resource "google_pubsub_topic" "dataform_run_finished" {
  name   = "dataform-run-finished"
  labels = local.labels

  depends_on = [google_project_service.apis]
}

resource "google_pubsub_topic" "dataform_run_finished_dead_letter" {
  name   = "dataform-run-finished-dead-letter"
  labels = local.labels

  depends_on = [google_project_service.apis]
}

resource "google_pubsub_subscription" "plan_activation_push" {
  name   = "plan-activation-push"
  topic  = google_pubsub_topic.dataform_run_finished.id
  labels = local.labels

  # The push request stays open while the function runs: give it the function's full timeout.
  ack_deadline_seconds       = 600
  message_retention_duration = local.push_retention

  expiration_policy {
    ttl = ""
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dataform_run_finished_dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  push_config {
    # The functions-framework reads the topic from a /projects/<p>/topics/<t> path and turns the
    # push body into a messagePublished CloudEvent.
    push_endpoint = "${local.plan_push_uri}/projects/${var.project_id}/topics/${google_pubsub_topic.dataform_run_finished.name}"

    oidc_token {
      service_account_email = google_service_account.push_plan_activation.email
      audience              = local.plan_push_uri
    }
  }

  depends_on = [
    google_cloud_run_service_iam_member.plan_activation_invoker,
    google_service_account_iam_member.pubsub_signs_for_push_plan_activation,
  ]
}

resource "google_pubsub_subscription" "dataform_run_finished_dead_letter_hold" {
  name   = "dataform-run-finished-dead-letter-hold"
  topic  = google_pubsub_topic.dataform_run_finished_dead_letter.id
  labels = local.labels

  ack_deadline_seconds       = 60
  message_retention_duration = local.dead_letter_hold
  retain_acked_messages      = false

  expiration_policy {
    ttl = ""
  }
}

# --- activate-meta → activate-meta function ----------------------------------------------------

resource "google_pubsub_topic" "activate_meta" {
  name   = "activate-meta"
  labels = local.labels

  depends_on = [google_project_service.apis]
}

resource "google_pubsub_topic" "activate_meta_dead_letter" {
  name   = "activate-meta-dead-letter"
  labels = local.labels

  depends_on = [google_project_service.apis]
}

resource "google_pubsub_subscription" "activate_meta_push" {
  name   = "activate-meta-push"
  topic  = google_pubsub_topic.activate_meta.id
  labels = local.labels

  ack_deadline_seconds       = 600
  message_retention_duration = local.push_retention

  expiration_policy {
    ttl = ""
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.activate_meta_dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  push_config {
    push_endpoint = "${local.activate_push_uri}/projects/${var.project_id}/topics/${google_pubsub_topic.activate_meta.name}"

    oidc_token {
      service_account_email = google_service_account.push_activate_meta.email
      audience              = local.activate_push_uri
    }
  }

  depends_on = [
    google_cloud_run_service_iam_member.activate_meta_invoker,
    google_service_account_iam_member.pubsub_signs_for_push_activate_meta,
  ]
}

resource "google_pubsub_subscription" "activate_meta_dead_letter_hold" {
  name   = "activate-meta-dead-letter-hold"
  topic  = google_pubsub_topic.activate_meta_dead_letter.id
  labels = local.labels

  ack_deadline_seconds       = 60
  message_retention_duration = local.dead_letter_hold
  retain_acked_messages      = false

  expiration_policy {
    ttl = ""
  }
}

# --- What dead-lettering requires of the Pub/Sub service agent -----------------------------------
# Publisher on each dead-letter topic, subscriber on each source subscription (to ack the message it
# forwarded). Granted on those resources only.

resource "google_pubsub_topic_iam_member" "pubsub_publishes_dataform_run_finished_dead_letters" {
  topic  = google_pubsub_topic.dataform_run_finished_dead_letter.id
  role   = "roles/pubsub.publisher"
  member = google_project_service_identity.pubsub.member
}

resource "google_pubsub_subscription_iam_member" "pubsub_acks_plan_activation_push" {
  subscription = google_pubsub_subscription.plan_activation_push.id
  role         = "roles/pubsub.subscriber"
  member       = google_project_service_identity.pubsub.member
}

resource "google_pubsub_topic_iam_member" "pubsub_publishes_activate_meta_dead_letters" {
  topic  = google_pubsub_topic.activate_meta_dead_letter.id
  role   = "roles/pubsub.publisher"
  member = google_project_service_identity.pubsub.member
}

resource "google_pubsub_subscription_iam_member" "pubsub_acks_activate_meta_push" {
  subscription = google_pubsub_subscription.activate_meta_push.id
  role         = "roles/pubsub.subscriber"
  member       = google_project_service_identity.pubsub.member
}
