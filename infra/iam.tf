# Identities and least-privilege grants. One service account per function, one per trigger
# (Eventarc, each push subscription), one for Dataform and one for function builds. Grants sit on
# the narrowest resource that works: a bucket prefix (IAM condition), a dataset, a topic, a secret,
# a Cloud Run service. Only three roles are granted on the project, because they have no narrower
# scope: bigquery.jobUser (running a query/load job is a project-level permission),
# eventarc.eventReceiver (Eventarc checks it on the project) and the GCS service agent's
# pubsub.publisher (it publishes to Eventarc's transport topic, which Terraform never sees).
# The IAM table with the reasons is in docs/operations.md.

# ---------------------------------------------------------------------------------------------------
# Function runtime identities and what they may touch
# ---------------------------------------------------------------------------------------------------

resource "google_service_account" "fn" {
  for_each = local.functions

  account_id   = "unistack-fn-${each.value.name}"
  display_name = "Unistack ${each.value.name}"
  description  = "Runtime identity of ${each.value.name}. Its grants: local.function_access in infra/iam.tf, and the secrets naming it as reader."
}

locals {
  # The webhook functions are reachable from the internet: they add raw/ and quarantine/ objects and
  # read them back (a create-if-absent write that finds the object reads its metadata), nothing
  # else. objectCreator cannot overwrite or delete; nothing on activation/ or BigQuery.
  ingest_access = {
    lake = {
      "roles/storage.objectCreator" = ["raw/", "quarantine/"]
      "roles/storage.objectViewer"  = ["raw/", "quarantine/"]
    }
    datasets  = {}
    jobs      = false
    publishes = []
  }

  # Everything a function's runtime identity is granted, besides reading the secrets that name it
  # as their reader (secrets.tf). Nothing else is granted to a function identity.
  # - lake: role → the lake prefixes it applies to (an IAM condition on the bucket grant).
  # - datasets: dataset → role.
  # - jobs: bigquery.jobUser on the project (running a query or load job is a project-level
  #   permission; data access stays per dataset).
  # - publishes: functions whose feed topic (pubsub.tf) it publishes to.
  function_access = {
    ingest_shopify  = local.ingest_access
    ingest_sendgrid = local.ingest_access
    # Reads the file it loads (the BigQuery load job reads it with load-raw's credentials), creates
    # and loads raw.<source>_<stream>, and records permanent load failures in ops.raw_load_failures
    # (functions/handlers/load-raw.ts; created on first use, so the grant is on ops).
    load_raw = {
      lake      = { "roles/storage.objectViewer" = ["raw/"] }
      datasets  = { raw = "roles/bigquery.dataEditor", ops = "roles/bigquery.dataEditor" }
      jobs      = true
      publishes = []
    }
    # Reads segments, keeps sync state in ops, writes batches under activation/ and reads them back
    # (a replanned batch is written create-if-absent; when it exists the adapter reads its metadata,
    # 412 → getMetadata), publishes one pointer message per batch to activate-meta.
    plan_activation = {
      lake = {
        "roles/storage.objectCreator" = ["activation/"]
        "roles/storage.objectViewer"  = ["activation/"]
      }
      datasets  = { marts = "roles/bigquery.dataViewer", ops = "roles/bigquery.dataEditor" }
      jobs      = true
      publishes = ["activate_meta"]
    }
    # Reads the batch a message points at, records batches, accepted members and rejected rows.
    activate_meta = {
      lake      = { "roles/storage.objectViewer" = ["activation/"] }
      datasets  = { ops = "roles/bigquery.dataEditor" }
      jobs      = true
      publishes = []
    }
  }

  # The table above as one entry per grant, keyed "<function>/<what>".
  lake_grants = merge([
    for key, access in local.function_access : {
      for role, prefixes in access.lake : "${key}/${trimprefix(role, "roles/storage.")}" => { fn = key, role = role, prefixes = prefixes }
    }
  ]...)
  dataset_grants = merge([
    for key, access in local.function_access : {
      for dataset, role in access.datasets : "${key}/${dataset}" => { fn = key, dataset = dataset, role = role }
    }
  ]...)
  publish_grants = merge([
    for key, access in local.function_access : {
      for target in access.publishes : "${key}/${target}" => { fn = key, target = target }
    }
  ]...)
}

# Lake grants are scoped to their prefixes by condition (uniform bucket-level access is on). Object
# permissions are checked against projects/_/buckets/<bucket>/objects/<name>; a list call against
# the bucket, with the requested prefix as an attribute, which only the viewer role needs.
resource "google_storage_bucket_iam_member" "lake" {
  for_each = local.lake_grants

  bucket = google_storage_bucket.lake.name
  role   = each.value.role
  member = google_service_account.fn[each.value.fn].member

  condition {
    title       = "${join("-and-", [for prefix in each.value.prefixes : trimsuffix(prefix, "/")])}-only"
    description = "Only objects under ${join(" and ", each.value.prefixes)}."
    expression = join(" || ", concat(
      [for prefix in each.value.prefixes : "resource.name.startsWith(\"${local.lake_objects}/${prefix}\")"],
      [for prefix in each.value.prefixes : "(resource.type == \"storage.googleapis.com/Bucket\" && api.getAttribute(\"storage.googleapis.com/objectListPrefix\", \"\").startsWith(\"${prefix}\"))" if each.value.role == "roles/storage.objectViewer"],
    ))
  }
}

resource "google_bigquery_dataset_iam_member" "function" {
  for_each = local.dataset_grants

  dataset_id = google_bigquery_dataset.dataset[each.value.dataset].dataset_id
  role       = each.value.role
  member     = google_service_account.fn[each.value.fn].member
}

resource "google_pubsub_topic_iam_member" "function_publishes" {
  for_each = local.publish_grants

  topic  = google_pubsub_topic.feed[each.value.target].id
  role   = "roles/pubsub.publisher"
  member = google_service_account.fn[each.value.fn].member
}

resource "google_project_iam_member" "bigquery_job_users" {
  for_each = merge(
    { for key, access in local.function_access : key => google_service_account.fn[key].member if access.jobs },
    { dataform = google_service_account.dataform.member },
  )

  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = each.value
}

# ---------------------------------------------------------------------------------------------------
# Invocation: who may call each function's Cloud Run service
# ---------------------------------------------------------------------------------------------------

# The identities Eventarc and the push subscriptions deliver as. Each may invoke one function.
resource "google_service_account" "trigger" {
  for_each = local.triggered_functions

  account_id   = "unistack-${each.value.trigger == "storage" ? "trigger" : "push"}-${each.value.name}"
  display_name = "Unistack ${each.value.trigger} trigger of ${each.value.name}"
  description  = each.value.trigger == "storage" ? "Identity Eventarc uses to deliver lake object-finalized events to ${each.value.name}." : "OIDC identity of the ${each.value.name}-push subscription."
}

# Vendors call the webhooks without Google credentials; the functions verify the Shopify HMAC and
# the SendGrid ECDSA signature over the raw body themselves and answer 401 otherwise. Every other
# function is invoked by its trigger identity alone.
resource "google_cloud_run_service_iam_member" "invoker" {
  for_each = local.functions

  location = google_cloudfunctions2_function.fn[each.key].location
  service  = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = each.value.trigger == "webhook" ? "allUsers" : google_service_account.trigger[each.key].member
}

# Eventarc checks eventReceiver on the project; there is no narrower resource to grant it on.
resource "google_project_iam_member" "trigger_receives_events" {
  for_each = { for key, fn in local.triggered_functions : key => fn if fn.trigger == "storage" }

  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = google_service_account.trigger[each.key].member
}

# Cloud Storage publishes object events to the transport topic Eventarc creates for the trigger.
# That topic is created by Eventarc, so the grant cannot be narrowed to it.
resource "google_project_iam_member" "gcs_agent_publishes_events" {
  project = var.project_id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${data.google_storage_project_service_account.gcs.email_address}"
}

# The Pub/Sub service agent mints the OIDC tokens of push requests (and Eventarc's) for these
# identities. Needed on projects whose Pub/Sub agent predates April 2021; harmless elsewhere.
resource "google_service_account_iam_member" "pubsub_agent_signs_for_trigger" {
  for_each = local.triggered_functions

  service_account_id = google_service_account.trigger[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = google_project_service_identity.agent["pubsub"].member
}

# ---------------------------------------------------------------------------------------------------
# Function builds
# ---------------------------------------------------------------------------------------------------

# Cloud Build runs the function builds as this account instead of a default account that often holds
# Editor. It writes images to our Artifact Registry repository only, logs, and reads sources.
resource "google_service_account" "function_build" {
  account_id   = "unistack-fn-build"
  display_name = "Unistack function builds"
  description  = "Cloud Build identity of the 2nd-gen function builds."
}

resource "google_project_iam_member" "function_build_writes_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = google_service_account.function_build.member
}

resource "google_artifact_registry_repository_iam_member" "function_build_pushes_images" {
  location   = google_artifact_registry_repository.functions.location
  repository = google_artifact_registry_repository.functions.name
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.function_build.member
}

resource "google_storage_bucket_iam_member" "function_build_reads_source" {
  bucket = google_storage_bucket.function_source.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.function_build.member
}

# Cloud Functions stages sources in its own gcf-v2-sources-<number>-<region> bucket, from which
# builds may fetch them. Scoped by condition to those Google-created buckets so the builder can
# never read the lake. (Not verifiable offline; docs/operations.md says what to do on a 403.)
resource "google_project_iam_member" "function_build_reads_staged_sources" {
  project = var.project_id
  role    = "roles/storage.objectAdmin"
  member  = google_service_account.function_build.member

  condition {
    title       = "gcf-source-buckets-only"
    description = "Only the buckets Cloud Functions creates for staged sources."
    expression  = "resource.name.startsWith(\"projects/_/buckets/gcf-v2-sources-${data.google_project.this.number}-\")"
  }
}
