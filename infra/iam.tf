# Identities and least-privilege grants. One service account per function, one per trigger
# (Eventarc, each push subscription), one for Dataform and one for function builds. Grants sit on
# the narrowest resource that works: a bucket prefix (IAM condition), a dataset, a topic, a secret,
# a Cloud Run service. Only three roles are granted on the project, because they have no narrower
# scope: bigquery.jobUser (running a query/load job is a project-level permission),
# eventarc.eventReceiver (Eventarc checks it on the project) and the GCS service agent's
# pubsub.publisher (it publishes to Eventarc's transport topic, which Terraform never sees).
# The IAM table with the reasons is in docs/operations.md.

# ---------------------------------------------------------------------------------------------------
# Function runtime identities
# ---------------------------------------------------------------------------------------------------

resource "google_service_account" "ingest_shopify" {
  account_id   = "unistack-fn-ingest-shopify"
  display_name = "Unistack ingest-shopify"
  description  = "Runtime identity of ingest-shopify: writes raw/ and quarantine/ objects, reads the Shopify webhook secrets."
}

resource "google_service_account" "ingest_sendgrid" {
  account_id   = "unistack-fn-ingest-sendgrid"
  display_name = "Unistack ingest-sendgrid"
  description  = "Runtime identity of ingest-sendgrid: writes raw/ and quarantine/ objects, reads the SendGrid public key."
}

resource "google_service_account" "load_raw" {
  account_id   = "unistack-fn-load-raw"
  display_name = "Unistack load-raw"
  description  = "Runtime identity of load-raw: reads raw/ objects, runs load jobs into the raw dataset."
}

resource "google_service_account" "plan_activation" {
  account_id   = "unistack-fn-plan-activation"
  display_name = "Unistack plan-activation"
  description  = "Runtime identity of plan-activation: reads marts, writes ops, writes activation/ batches, publishes to activate-meta."
}

resource "google_service_account" "activate_meta" {
  account_id   = "unistack-fn-activate-meta"
  display_name = "Unistack activate-meta"
  description  = "Runtime identity of activate-meta: reads activation/ batches, writes ops, reads the Meta access token."
}

# ---------------------------------------------------------------------------------------------------
# Trigger identities: they may invoke one function each, nothing else
# ---------------------------------------------------------------------------------------------------

resource "google_service_account" "trigger_load_raw" {
  account_id   = "unistack-trigger-load-raw"
  display_name = "Unistack Eventarc trigger of load-raw"
  description  = "Identity Eventarc uses to deliver lake object-finalized events to load-raw."
}

resource "google_service_account" "push_plan_activation" {
  account_id   = "unistack-push-plan-activation"
  display_name = "Unistack push to plan-activation"
  description  = "OIDC identity of the plan-activation-push subscription."
}

resource "google_service_account" "push_activate_meta" {
  account_id   = "unistack-push-activate-meta"
  display_name = "Unistack push to activate-meta"
  description  = "OIDC identity of the activate-meta-push subscription."
}

# ---------------------------------------------------------------------------------------------------
# Lake bucket (prefix-scoped with IAM conditions; uniform bucket-level access is on)
# ---------------------------------------------------------------------------------------------------

# Webhook functions are reachable from the internet: they can add raw/ and quarantine/ objects and
# read them back (a create-if-absent write that finds the object reads its metadata), nothing else.
# They cannot overwrite or delete (objectCreator has no delete), and cannot touch activation/.
resource "google_storage_bucket_iam_member" "ingest_shopify_creates_raw" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectCreator"
  member = google_service_account.ingest_shopify.member

  condition {
    title       = "raw-and-quarantine-only"
    description = "Only objects under raw/ and quarantine/."
    expression  = local.lake_write_condition.raw_and_quarantine
  }
}

resource "google_storage_bucket_iam_member" "ingest_shopify_reads_raw" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.ingest_shopify.member

  condition {
    title       = "raw-and-quarantine-only"
    description = "Only objects under raw/ and quarantine/."
    expression  = local.lake_read_condition.raw_and_quarantine
  }
}

resource "google_storage_bucket_iam_member" "ingest_sendgrid_creates_raw" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectCreator"
  member = google_service_account.ingest_sendgrid.member

  condition {
    title       = "raw-and-quarantine-only"
    description = "Only objects under raw/ and quarantine/."
    expression  = local.lake_write_condition.raw_and_quarantine
  }
}

resource "google_storage_bucket_iam_member" "ingest_sendgrid_reads_raw" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.ingest_sendgrid.member

  condition {
    title       = "raw-and-quarantine-only"
    description = "Only objects under raw/ and quarantine/."
    expression  = local.lake_read_condition.raw_and_quarantine
  }
}

# load-raw reads the file it loads; the BigQuery load job reads it with load-raw's credentials.
resource "google_storage_bucket_iam_member" "load_raw_reads_raw" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.load_raw.member

  condition {
    title       = "raw-only"
    description = "Only objects under raw/."
    expression  = local.lake_read_condition.raw
  }
}

resource "google_storage_bucket_iam_member" "plan_activation_creates_batches" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectCreator"
  member = google_service_account.plan_activation.member

  condition {
    title       = "activation-only"
    description = "Only objects under activation/."
    expression  = local.lake_write_condition.activation
  }
}

# A replanned batch is written create-if-absent; when it already exists the adapter reads its
# metadata (412 → getMetadata), which needs objectViewer.
resource "google_storage_bucket_iam_member" "plan_activation_reads_batches" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.plan_activation.member

  condition {
    title       = "activation-only"
    description = "Only objects under activation/."
    expression  = local.lake_read_condition.activation
  }
}

resource "google_storage_bucket_iam_member" "activate_meta_reads_batches" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.activate_meta.member

  condition {
    title       = "activation-only"
    description = "Only objects under activation/."
    expression  = local.lake_read_condition.activation
  }
}

# ---------------------------------------------------------------------------------------------------
# BigQuery (dataset-scoped; jobUser is the only project-level BigQuery role)
# ---------------------------------------------------------------------------------------------------

resource "google_bigquery_dataset_iam_member" "load_raw_edits_raw" {
  dataset_id = google_bigquery_dataset.raw.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.load_raw.member
}

# Permanent load failures are recorded in ops.raw_load_failures (functions/handlers/load-raw.ts)
# instead of being retried for a day; the table is created on first use, so the grant is on ops.
resource "google_bigquery_dataset_iam_member" "load_raw_records_failures_in_ops" {
  dataset_id = google_bigquery_dataset.ops.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.load_raw.member
}

resource "google_bigquery_dataset_iam_member" "plan_activation_reads_marts" {
  dataset_id = google_bigquery_dataset.marts.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = google_service_account.plan_activation.member
}

resource "google_bigquery_dataset_iam_member" "plan_activation_edits_ops" {
  dataset_id = google_bigquery_dataset.ops.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.plan_activation.member
}

resource "google_bigquery_dataset_iam_member" "activate_meta_edits_ops" {
  dataset_id = google_bigquery_dataset.ops.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.activate_meta.member
}

resource "google_project_iam_member" "bigquery_job_users" {
  for_each = {
    load_raw        = google_service_account.load_raw.member
    plan_activation = google_service_account.plan_activation.member
    activate_meta   = google_service_account.activate_meta.member
    dataform        = google_service_account.dataform.member
  }

  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = each.value
}

# ---------------------------------------------------------------------------------------------------
# Pub/Sub publishing
# ---------------------------------------------------------------------------------------------------

resource "google_pubsub_topic_iam_member" "plan_activation_publishes_activate_meta" {
  topic  = google_pubsub_topic.activate_meta.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.plan_activation.member
}

# ---------------------------------------------------------------------------------------------------
# Invocation: who may call each function's Cloud Run service
# ---------------------------------------------------------------------------------------------------

# Vendors call the webhooks without Google credentials; the functions verify the Shopify HMAC and
# the SendGrid ECDSA signature over the raw body themselves and answer 401 otherwise.
resource "google_cloud_run_service_iam_member" "ingest_shopify_public" {
  location = google_cloudfunctions2_function.ingest_shopify.location
  service  = google_cloudfunctions2_function.ingest_shopify.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_service_iam_member" "ingest_sendgrid_public" {
  location = google_cloudfunctions2_function.ingest_sendgrid.location
  service  = google_cloudfunctions2_function.ingest_sendgrid.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_service_iam_member" "load_raw_invoker" {
  location = google_cloudfunctions2_function.load_raw.location
  service  = google_cloudfunctions2_function.load_raw.name
  role     = "roles/run.invoker"
  member   = google_service_account.trigger_load_raw.member
}

resource "google_cloud_run_service_iam_member" "plan_activation_invoker" {
  location = google_cloudfunctions2_function.plan_activation.location
  service  = google_cloudfunctions2_function.plan_activation.name
  role     = "roles/run.invoker"
  member   = google_service_account.push_plan_activation.member
}

resource "google_cloud_run_service_iam_member" "activate_meta_invoker" {
  location = google_cloudfunctions2_function.activate_meta.location
  service  = google_cloudfunctions2_function.activate_meta.name
  role     = "roles/run.invoker"
  member   = google_service_account.push_activate_meta.member
}

# Eventarc checks eventReceiver on the project; there is no narrower resource to grant it on.
resource "google_project_iam_member" "trigger_load_raw_receives_events" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = google_service_account.trigger_load_raw.member
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
resource "google_service_account_iam_member" "pubsub_signs_for_trigger_load_raw" {
  service_account_id = google_service_account.trigger_load_raw.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = google_project_service_identity.pubsub.member
}

resource "google_service_account_iam_member" "pubsub_signs_for_push_plan_activation" {
  service_account_id = google_service_account.push_plan_activation.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = google_project_service_identity.pubsub.member
}

resource "google_service_account_iam_member" "pubsub_signs_for_push_activate_meta" {
  service_account_id = google_service_account.push_activate_meta.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = google_project_service_identity.pubsub.member
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
