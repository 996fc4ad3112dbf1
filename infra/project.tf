# Shared names. The identities this configuration runs things as, the artifact stores and the
# enabled APIs belong to infra/bootstrap, which a platform admin applies; this module (applied by
# the deployer account) only refers to them. The deployer therefore cannot mint identities, turn
# APIs or audit logs off, or change its own pipeline.

locals {
  labels = merge({ app = "unistack", managed-by = "terraform" }, var.labels)

  lake_bucket_name   = coalesce(var.lake_bucket_name, "${var.project_id}-unistack-lake")
  source_bucket_name = "${var.project_id}-unistack-fn-source"
  images_repository  = "unistack"

  # Service accounts created by infra/bootstrap (its local.accounts; test/infra checks that the
  # two lists agree). Key → account id.
  account_ids = {
    ingest                   = "unistack-ingest"
    load_raw                 = "unistack-fn-load-raw"
    plan_activation          = "unistack-fn-plan-activation"
    activate_meta            = "unistack-fn-activate-meta"
    activate_google_ads      = "unistack-fn-act-google-ads"
    activate_sendgrid        = "unistack-fn-act-sendgrid"
    activate_hubspot         = "unistack-fn-act-hubspot"
    pull                     = "unistack-fn-pull"
    realtime_purchase        = "unistack-fn-realtime"
    privacy_requests         = "unistack-fn-privacy"
    trigger_load_raw         = "unistack-trigger-load-raw"
    push_load_raw            = "unistack-push-load-raw"
    push_plan_activation     = "unistack-push-plan-activation"
    push_activate_meta       = "unistack-push-activate-meta"
    push_activate_google_ads = "unistack-push-act-google-ads"
    push_activate_sendgrid   = "unistack-push-act-sendgrid"
    push_activate_hubspot    = "unistack-push-act-hubspot"
    push_pull                = "unistack-push-pull"
    push_realtime_purchase   = "unistack-push-realtime"
    push_privacy_requests    = "unistack-push-privacy"
    dataform                 = "unistack-dataform"
    dataform_schedule        = "unistack-dataform-schedule"
    function_build           = "unistack-fn-build"
  }
  sa     = { for key, id in local.account_ids : key => "${id}@${var.project_id}.iam.gserviceaccount.com" }
  member = { for key, email in local.sa : key => "serviceAccount:${email}" }

  # Google-managed service agents (created by infra/bootstrap's procedure, docs/operations.md).
  agents = {
    pubsub   = "serviceAccount:service-${var.project_number}@gcp-sa-pubsub.iam.gserviceaccount.com"
    dataform = "serviceAccount:service-${var.project_number}@gcp-sa-dataform.iam.gserviceaccount.com"
  }

  # What every deployed function and the ingest service read at start
  # (functions/platform/gcp/gcp-platform.ts).
  common_env = {
    GOOGLE_CLOUD_PROJECT = var.project_id
    UNISTACK_LAKE_BUCKET = local.lake_bucket_name
    UNISTACK_BQ_LOCATION = var.bq_location
    LOG_LEVEL            = var.log_level
  }

  # The commit every deployed service and function is labelled with, so a running revision names
  # the commit it was built from (docs/operations.md, "Which commit is running").
  deployed_labels = merge(local.labels, { commit = var.source_commit })
}
