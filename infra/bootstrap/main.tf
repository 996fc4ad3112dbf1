# APIs, identities and artifact stores.

resource "google_project_service" "apis" {
  for_each = toset([
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "bigquerydatapolicy.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "cloudscheduler.googleapis.com",
    "compute.googleapis.com",
    "datacatalog.googleapis.com",
    "dataform.googleapis.com",
    "eventarc.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
    "workflowexecutions.googleapis.com",
    "workflows.googleapis.com",
  ])

  project = var.project_id
  service = each.value
  # Turning an API off on destroy would break anything else in the project that uses it.
  disable_on_destroy = false
}

locals {
  # Every service account of the deployment, key → account id. infra/project.tf refers to the same
  # ids (test/infra checks that the lists agree). `actas` marks the ones the deployer may deploy
  # things to run as; the pipeline's own accounts are not among them.
  accounts = {
    ingest                   = { id = "unistack-ingest", actas = true, what = "Runtime identity of the ingest Cloud Run service (public webhooks)." }
    load_raw                 = { id = "unistack-fn-load-raw", actas = true, what = "Runtime identity of load-raw." }
    plan_activation          = { id = "unistack-fn-plan-activation", actas = true, what = "Runtime identity of plan-activation." }
    activate_meta            = { id = "unistack-fn-activate-meta", actas = true, what = "Runtime identity of activate-meta." }
    activate_google_ads      = { id = "unistack-fn-act-google-ads", actas = true, what = "Runtime identity of activate-google-ads (calls the Data Manager API as itself: give it access in the Google Ads account)." }
    activate_sendgrid        = { id = "unistack-fn-act-sendgrid", actas = true, what = "Runtime identity of activate-sendgrid." }
    activate_hubspot         = { id = "unistack-fn-act-hubspot", actas = true, what = "Runtime identity of activate-hubspot." }
    pull                     = { id = "unistack-fn-pull", actas = true, what = "Runtime identity of pull (vendor API pulls)." }
    realtime_purchase        = { id = "unistack-fn-realtime", actas = true, what = "Runtime identity of realtime-purchase (removes purchasers from retargeting audiences; calls the Data Manager API as itself when a Google Ads sync has a realtime rule)." }
    privacy_requests         = { id = "unistack-fn-privacy", actas = true, what = "Runtime identity of privacy-requests (erasures and access requests: rewrites lake objects, deletes rows)." }
    trigger_load_raw         = { id = "unistack-trigger-load-raw", actas = true, what = "Identity Eventarc delivers lake object-finalized events to load-raw as." }
    push_load_raw            = { id = "unistack-push-load-raw", actas = true, what = "OIDC identity of the load-raw-sweep push subscription." }
    push_plan_activation     = { id = "unistack-push-plan-activation", actas = true, what = "OIDC identity of the plan-activation push subscription." }
    push_activate_meta       = { id = "unistack-push-activate-meta", actas = true, what = "OIDC identity of the activate-meta push subscription." }
    push_activate_google_ads = { id = "unistack-push-act-google-ads", actas = true, what = "OIDC identity of the activate-google-ads push subscription." }
    push_activate_sendgrid   = { id = "unistack-push-act-sendgrid", actas = true, what = "OIDC identity of the activate-sendgrid push subscription." }
    push_activate_hubspot    = { id = "unistack-push-act-hubspot", actas = true, what = "OIDC identity of the activate-hubspot push subscription." }
    push_pull                = { id = "unistack-push-pull", actas = true, what = "OIDC identity of the pull push subscription." }
    push_realtime_purchase   = { id = "unistack-push-realtime", actas = true, what = "OIDC identity of the realtime-purchase push subscription." }
    push_privacy_requests    = { id = "unistack-push-privacy", actas = true, what = "OIDC identity of the privacy-requests push subscription." }
    dataform                 = { id = "unistack-dataform", actas = false, what = "Identity Dataform workflow invocations run as: reads raw, builds staging, marts, reports and assertions." }
    dataform_schedule        = { id = "unistack-dataform-schedule", actas = true, what = "Runs the Dataform schedule: Cloud Scheduler → Workflows → Dataform API." }
    function_build           = { id = "unistack-fn-build", actas = true, what = "Cloud Build identity of the 2nd-gen function builds." }
    ci                       = { id = "unistack-ci", actas = false, what = "Cloud Build identity of CI builds (cloudbuild.yaml, pull requests included): no project roles." }
    deploy_plan              = { id = "unistack-deploy-plan", actas = false, what = "Cloud Build identity of deploy plans: builds artifacts, reads state, writes plans; changes nothing that runs." }
    deployer                 = { id = "unistack-deployer", actas = false, what = "Cloud Build identity of approved deploys: applies a reviewed plan." }
  }
  sa     = { for key, a in local.accounts : key => "${a.id}@${var.project_id}.iam.gserviceaccount.com" }
  member = { for key, email in local.sa : key => "serviceAccount:${email}" }

  agents = {
    pubsub   = "serviceAccount:service-${var.project_number}@gcp-sa-pubsub.iam.gserviceaccount.com"
    dataform = "serviceAccount:service-${var.project_number}@gcp-sa-dataform.iam.gserviceaccount.com"
    gcs      = "serviceAccount:service-${var.project_number}@gs-project-accounts.iam.gserviceaccount.com"
  }

  lake_bucket_name   = "${var.project_id}-unistack-lake"
  source_bucket_name = "${var.project_id}-unistack-fn-source"
}

resource "google_service_account" "account" {
  for_each = local.accounts

  account_id   = each.value.id
  display_name = "Unistack ${replace(each.key, "_", " ")}"
  description  = each.value.what

  depends_on = [google_project_service.apis]
}

# The deployer may deploy services, functions, triggers and schedules that run as these accounts and
# no other: actAs on each one, never on the project (which would include every account, the
# deployer's own and Google's default ones).
resource "google_service_account_iam_member" "deployer_acts_as" {
  for_each = { for key, a in local.accounts : key => a if a.actas }

  service_account_id = google_service_account.account[each.key].name
  role               = "roles/iam.serviceAccountUser"
  member             = local.member.deployer
}

# The schedule account passes the Dataform runner to each invocation (strict act-as), and the
# Dataform service agent mints the runner's tokens and acts as it.
resource "google_service_account_iam_member" "dataform_runner" {
  for_each = {
    "schedule/user"     = { role = "roles/iam.serviceAccountUser", member = local.member.dataform_schedule }
    "agent/user"        = { role = "roles/iam.serviceAccountUser", member = local.agents.dataform }
    "agent/tokenCreate" = { role = "roles/iam.serviceAccountTokenCreator", member = local.agents.dataform }
  }

  service_account_id = google_service_account.account["dataform"].name
  role               = each.value.role
  member             = each.value.member
}

# The Pub/Sub service agent mints the OIDC tokens of push requests (and Eventarc's) for the trigger
# identities. Needed on projects whose Pub/Sub agent predates April 2021; harmless elsewhere.
resource "google_service_account_iam_member" "pubsub_agent_signs" {
  for_each = toset(["trigger_load_raw", "push_load_raw", "push_plan_activation", "push_activate_meta", "push_activate_google_ads", "push_activate_sendgrid", "push_activate_hubspot", "push_pull", "push_realtime_purchase", "push_privacy_requests"])

  service_account_id = google_service_account.account[each.value].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.agents.pubsub
}

# Cloud Storage publishes object events to the transport topic Eventarc creates for the load-raw
# trigger; that topic is not ours to grant on, so this is project-level, for the agent only.
resource "google_project_iam_member" "gcs_agent_publishes_events" {
  project = var.project_id
  role    = "roles/pubsub.publisher"
  member  = local.agents.gcs

  depends_on = [google_project_service.apis]
}

# ---------------------------------------------------------------------------------------------------
# Artifact stores: what the deploy plan builds and the deployer deploys, by content address
# ---------------------------------------------------------------------------------------------------

resource "google_artifact_registry_repository" "images" {
  repository_id = "unistack"
  location      = var.region
  format        = "DOCKER"
  description   = "Images of the ingest service (by digest) and of the function builds."

  # Tags cannot be moved or deleted: a digest deployed once stays what it was.
  docker_config {
    immutable_tags = true
  }

  cleanup_policy_dry_run = false

  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 10
    }
  }

  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      older_than = "7776000s"
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_artifact_registry_repository_iam_member" "images" {
  for_each = {
    "deploy_plan/writer"    = { role = "roles/artifactregistry.writer", member = local.member.deploy_plan }
    "function_build/writer" = { role = "roles/artifactregistry.writer", member = local.member.function_build }
    "deployer/reader"       = { role = "roles/artifactregistry.reader", member = local.member.deployer }
  }

  location   = google_artifact_registry_repository.images.location
  repository = google_artifact_registry_repository.images.name
  role       = each.value.role
  member     = each.value.member
}

locals {
  # Buckets of the pipeline. Each policy is authoritative (no convenience bindings).
  buckets = {
    # Terraform state of infra/ and of this module. Versioned: a bad apply can be rolled back.
    tfstate = {
      name       = "${var.project_id}-unistack-tfstate"
      versioning = true
      expire     = null
      grants = {
        "roles/storage.objectAdmin"  = [local.member.deployer, "group:${var.break_glass_group}"]
        "roles/storage.objectViewer" = [local.member.deploy_plan]
      }
    }
    # Saved plans, one per commit: the deploy plan writes, the approved deploy applies that file.
    plans = {
      name       = "${var.project_id}-unistack-plans"
      versioning = false
      expire     = 30
      grants = {
        "roles/storage.objectCreator" = [local.member.deploy_plan]
        "roles/storage.objectViewer"  = [local.member.deploy_plan, local.member.deployer, "group:${var.break_glass_group}"]
      }
    }
    # Zipped `unistack stage functions` output, one object per SHA-256.
    fn_source = {
      name       = local.source_bucket_name
      versioning = false
      expire     = 90
      grants = {
        "roles/storage.objectCreator" = [local.member.deploy_plan]
        "roles/storage.objectViewer"  = [local.member.deploy_plan, local.member.deployer, local.member.function_build]
      }
    }
    # Logs of CI builds: the CI account writes here instead of holding a project role.
    ci_logs = {
      name       = "${var.project_id}-unistack-ci-logs"
      versioning = false
      expire     = 90
      grants = {
        "roles/storage.objectCreator" = [local.member.ci]
        "roles/storage.objectViewer"  = [local.member.ci]
      }
    }
  }

  bucket_grants = merge([for key, b in local.buckets : { for role, members in b.grants : "${key}/${role}" => { bucket = key, role = role, members = members } }]...)
}

resource "google_storage_bucket" "pipeline" {
  for_each = local.buckets

  name                        = each.value.name
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = each.value.versioning
  }

  dynamic "lifecycle_rule" {
    for_each = each.value.expire == null ? [] : [each.value.expire]
    content {
      condition {
        age = lifecycle_rule.value
      }
      action {
        type = "Delete"
      }
    }
  }

  depends_on = [google_project_service.apis]
}

data "google_iam_policy" "pipeline_bucket" {
  for_each = local.buckets

  binding {
    role    = "roles/storage.admin"
    members = ["group:${var.break_glass_group}"]
  }

  dynamic "binding" {
    for_each = each.value.grants
    content {
      role    = binding.key
      members = binding.value
    }
  }
}

resource "google_storage_bucket_iam_policy" "pipeline" {
  for_each = local.buckets

  bucket      = google_storage_bucket.pipeline[each.key].name
  policy_data = data.google_iam_policy.pipeline_bucket[each.key].policy_data

  depends_on = [google_service_account.account]
}

# Cloud Functions stages sources in its own gcf-v2-sources-<number>-<region> bucket, from which the
# function build fetches them; scoped by condition to those Google-created buckets so the builder
# never reaches the lake.
resource "google_project_iam_member" "function_build_reads_staged_sources" {
  project = var.project_id
  role    = "roles/storage.objectViewer"
  member  = local.member.function_build

  condition {
    title       = "gcf-source-buckets-only"
    description = "Only the buckets Cloud Functions creates for staged sources."
    expression  = "resource.name.startsWith(\"projects/_/buckets/gcf-v2-sources-${var.project_number}-\")"
  }

  depends_on = [google_service_account.account]
}

# The token the approved deploy pushes the Dataform-only tree with (cloudbuild-deploy.yaml). A
# container only: the admin adds the value (gcloud secrets versions add). Only the deployer reads it.
resource "google_secret_manager_secret" "dataform_push_token" {
  secret_id = "dataform-git-push-token"

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_iam_member" "deployer_reads_push_token" {
  secret_id = google_secret_manager_secret.dataform_push_token.id
  role      = "roles/secretmanager.secretAccessor"
  member    = local.member.deployer

  depends_on = [google_service_account.account]
}
