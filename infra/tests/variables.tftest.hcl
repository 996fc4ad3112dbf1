# `terraform test` of the input validations, with the google provider mocked (mock_provider: the
# real provider's schema and validation, no API). Each run feeds one bad value and expects exactly
# that variable's validation to refuse it. test/infra/terraform.test.ts runs this offline.

mock_provider "google" {
  # The mock's random string is no IAM policy, and the provider's own validation of
  # google_storage_bucket_iam_policy refuses it.
  mock_data "google_iam_policy" {
    defaults = {
      policy_data = "{\"bindings\":[]}"
    }
  }
  # Likewise a random writer identity is no IAM member (OpenTofu mocks it already at plan).
  mock_resource "google_logging_project_sink" {
    defaults = {
      writer_identity = "serviceAccount:service-123456789012@gcp-sa-logging.iam.gserviceaccount.com"
    }
  }
}

variables {
  project_id             = "unistack-tftest"
  project_number         = "123456789012"
  source_commit          = "0123456789abcdef0123456789abcdef01234567"
  function_source_object = "functions/4f2c1b9a3e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b.zip"
  ingest_image           = "europe-west1-docker.pkg.dev/unistack-tftest/unistack/ingest@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
  meta_audience_id       = "120200000000000000"
  groups                 = { break_glass = "unistack-break-glass@example.com" }
  secret_versions = {
    shopify_webhook_secret      = "1"
    sendgrid_webhook_public_key = "1"
    meta_access_token           = "1"
    privacy_salt                = "1"
  }
}

run "accepts_the_defaults" {
  command = plan
}

run "refuses_zero_ingest_instances" {
  command = plan
  variables { ingest_max_instances = 0 }
  expect_failures = [var.ingest_max_instances]
}

run "refuses_zero_activate_meta_instances" {
  command = plan
  variables { activate_meta_max_instances = 0 }
  expect_failures = [var.activate_meta_max_instances]
}

# nullable = false: a null never reaches the configuration, the default does.
run "takes_the_default_for_null_instances" {
  command = plan
  variables { ingest_max_instances = null }

  assert {
    condition     = google_cloud_run_v2_service.ingest.template[0].scaling[0].max_instance_count == 20
    error_message = "a null ingest_max_instances must fall back to the default, 20"
  }
}

run "refuses_an_image_by_tag" {
  command = plan
  variables { ingest_image = "europe-west1-docker.pkg.dev/unistack-tftest/unistack/ingest:latest" }
  expect_failures = [var.ingest_image]
}

run "refuses_a_function_zip_not_named_by_its_hash" {
  command = plan
  variables { function_source_object = "functions/latest.zip" }
  expect_failures = [var.function_source_object]
}

run "refuses_latest_as_a_secret_version" {
  command = plan
  variables { secret_versions = { meta_access_token = "latest" } }
  expect_failures = [var.secret_versions]
}

run "refuses_a_bound_secret_without_a_version" {
  command = plan
  variables {
    secret_versions = {
      shopify_webhook_secret      = "1"
      sendgrid_webhook_public_key = "1"
    }
  }
  expect_failures = [google_secret_manager_secret.secret]
}

run "refuses_raw_objects_kept_shorter_than_nearline" {
  command = plan
  variables { raw_retention_days = 20 }
  expect_failures = [var.raw_retention_days]
}

run "refuses_a_short_commit" {
  command = plan
  variables { source_commit = "0123456" }
  expect_failures = [var.source_commit]
}

run "refuses_syncs_that_are_not_json" {
  command = plan
  variables { syncs = "{syncs: [meta]}" }
  expect_failures = [var.syncs]
}

run "refuses_an_unknown_pulled_source" {
  command = plan
  variables { pulls = { shopfiy = "20 2 * * *" } }
  expect_failures = [var.pulls]
}

run "refuses_a_connection_secret_for_another_reader" {
  command = plan
  variables { connection_secrets = { SHOPIFY_WEBHOOK_SECRET_EU = "load_raw" } }
  expect_failures = [var.connection_secrets]
}

run "refuses_delivery_cap_at_or_above_pubsub_attempts" {
  command = plan
  variables { activate_max_deliveries = 20 }
  expect_failures = [var.activate_max_deliveries]
}
