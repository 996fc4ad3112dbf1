# Least-privilege grants of the runtime identities (created by infra/bootstrap). Grants sit on the
# narrowest resource that works: a lake prefix (IAM condition in the bucket's authoritative policy,
# storage.tf), a dataset's ACL (bigquery.tf), a topic, a secret, one Cloud Run service. Only three
# roles are granted on the project, none of which reads data: bigquery.jobUser (running a query or
# load job is a project-level permission), eventarc.eventReceiver (Eventarc checks it on the
# project) and the function builder's logging.logWriter. The deployer may grant exactly these
# (infra/bootstrap conditions its IAM admin role to them). The table with the reasons is
# docs/security.md.

locals {
  # What each runtime identity may touch besides its datasets (local.datasets) and the secrets that
  # name it as reader (secrets.tf):
  # - lake: role → the lake prefixes it applies to (an IAM condition on the bucket policy).
  # - jobs: bigquery.jobUser on the project (data access stays per dataset).
  # - publishes: feeds (pubsub.tf) it publishes to.
  function_access = merge({
    # Internet-facing: adds raw/ and quarantine/ objects, nothing else. objectCreator cannot read,
    # list, overwrite or delete; a create-if-absent write that finds the object answers 412, which
    # the ingest code treats as "already landed" without reading it back.
    # The one object it reads is the suppression list (privacy/suppression.json, an exact-name
    # condition): erased people's records must land nowhere (docs/privacy.md).
    ingest = {
      lake = {
        "roles/storage.objectCreator" = ["raw/", "quarantine/"]
        "roles/storage.objectViewer"  = [local.suppression_object]
      }
      jobs = false
      # The realtime path's pointer per landed purchase (no personal data), when it is deployed.
      publishes = contains(keys(local.functions), "realtime_purchase") ? ["realtime_purchase"] : []
    }
    # Reads and lists raw/ (the sweep; load jobs read gs:// with its credentials). Owns loads/:
    # manifests (deleted when done), the sweep lease and the daily job budget (rewritten), so it
    # may create, read, list, overwrite and delete there and nowhere else. Loads raw.* with
    # deterministic job ids.
    load_raw = {
      lake = {
        "roles/storage.objectViewer" = ["raw/"]
        "roles/storage.objectUser"   = ["loads/"]
      }
      jobs      = true
      publishes = []
    }
    # Reads segments, keeps sync state in ops, writes batches under activation/ and reads them back
    # (a replanned batch is written create-if-absent; when it exists the adapter reads its metadata),
    # publishes one pointer message per batch to activate-meta.
    plan_activation = {
      lake = {
        "roles/storage.objectCreator" = ["activation/"]
        "roles/storage.objectViewer"  = ["activation/"]
      }
      jobs = true
      # Every activate-* topic this deployment has (one per destination a sync goes to).
      publishes = [for key in keys(local.functions) : key if startswith(key, "activate_")]
    }
    # Reads the batch a message points at, records batches, accepted members and rejected rows.
    activate_meta = {
      lake      = { "roles/storage.objectViewer" = ["activation/"] }
      jobs      = true
      publishes = []
    }
    }, { for key in ["activate_google_ads", "activate_sendgrid"] : key => {
      # The same as activate-meta: the batch a message points at, the ops ledger.
      lake      = { "roles/storage.objectViewer" = ["activation/"] }
      jobs      = true
      publishes = []
    } if contains(keys(local.functions), key) }, contains(keys(local.functions), "realtime_purchase") ? {
    # Reads the landed order a pointer names (Shopify's orders stream only), records suppressions
    # and removed members in ops. Publishes nothing.
    realtime_purchase = {
      lake      = { "roles/storage.objectViewer" = ["raw/shopify/orders/"] }
      jobs      = true
      publishes = []
    }
    } : {}, contains(keys(local.functions), "activate_hubspot") ? {
    # As activate-meta, plus the task-intent ledger (destinations/hubspot/task-intents.ts): an
    # intent is created (create-if-absent, never overwritten or deleted) before each task create.
    activate_hubspot = {
      lake = {
        "roles/storage.objectViewer"  = ["activation/"]
        "roles/storage.objectCreator" = ["activation/_task-intents/"]
      }
      jobs      = true
      publishes = []
    }
    } : {}, contains(keys(local.functions), "pull") ? {
    # Adds raw/ and quarantine/ objects like ingest (create-if-absent, never read back), and owns
    # pull/: its windows and page journal are created, read, listed and deleted when done. Records
    # its runs in ops_pull.
    pull = {
      lake = {
        "roles/storage.objectCreator" = ["raw/", "quarantine/"]
        "roles/storage.objectUser"    = ["pull/"]
        "roles/storage.objectViewer"  = [local.suppression_object]
      }
      jobs      = true
      publishes = []
    }
  } : {})

  # An entry ending in "/" is a prefix; any other is one object, by its exact name (storage.tf).
  # privacy-requests (docs/privacy.md, "In the cloud") erases a person from every lake prefix that
  # can hold them and writes privacy/ (suppression list, erasure state, reports, exports); it runs
  # the loader's sweep under the loader's lease (loads/) to reload the raw objects it rewrote, and
  # plans removals as plan-activation does (publishes on the activate-* topics).
  privacy_access = {
    privacy_requests = {
      lake = {
        "roles/storage.objectUser" = ["raw/", "quarantine/", "pull/", "activation/", "privacy/", "loads/"]
      }
      jobs      = true
      publishes = [for key in keys(local.functions) : key if startswith(key, "activate_")]
    }
  }

  suppression_object = "privacy/suppression.json"

  # The table above as one entry per grant, keyed "<account>/<role>".
  all_access = merge(local.function_access, local.privacy_access)

  lake_grants = merge([
    for key, access in local.all_access : {
      for role, prefixes in access.lake : "${key}/${trimprefix(role, "roles/storage.")}" => { account = key, role = role, prefixes = prefixes }
    }
  ]...)
  publish_grants = merge([
    for key, access in local.all_access : {
      for target in access.publishes : "${key}/${target}" => { account = key, target = target }
    }
  ]...)

  # Project-level grants, all of them. Each role here must be in the deployer's grantable list
  # (infra/bootstrap, local.deployer_grantable_roles); the policy test checks both.
  project_grants = merge(
    { for key, access in local.all_access : "${key}/jobUser" => { role = "roles/bigquery.jobUser", member = local.member[key] } if access.jobs },
    {
      "dataform/jobUser"                 = { role = "roles/bigquery.jobUser", member = local.member.dataform }
      "trigger_load_raw/eventReceiver"   = { role = "roles/eventarc.eventReceiver", member = local.member.trigger_load_raw }
      "function_build/logWriter"         = { role = "roles/logging.logWriter", member = local.member.function_build }
      "dataform_schedule/workflowsInvok" = { role = "roles/workflows.invoker", member = local.member.dataform_schedule }
      "dataform_schedule/logWriter"      = { role = "roles/logging.logWriter", member = local.member.dataform_schedule }
    },
    local.persona_project_grants,
  )
}

resource "google_project_iam_member" "grant" {
  for_each = local.project_grants

  project = var.project_id
  role    = each.value.role
  member  = each.value.member
}

resource "google_pubsub_topic_iam_member" "function_publishes" {
  for_each = local.publish_grants

  topic  = google_pubsub_topic.feed[each.value.target].id
  role   = "roles/pubsub.publisher"
  member = local.member[each.value.account]
}

# ---------------------------------------------------------------------------------------------------
# Invocation: who may call each service
# ---------------------------------------------------------------------------------------------------

# Each event-driven function may be invoked by its trigger identities alone. The ingest service is
# the one public endpoint (ingest.tf).
locals {
  invokers = merge({
    "load_raw/trigger"     = { fn = "load_raw", member = local.member.trigger_load_raw }
    "load_raw/push"        = { fn = "load_raw", member = local.member.push_load_raw }
    "plan_activation/push" = { fn = "plan_activation", member = local.member.push_plan_activation }
    "activate_meta/push"   = { fn = "activate_meta", member = local.member.push_activate_meta }
    "privacy/push"         = { fn = "privacy_requests", member = local.member.push_privacy_requests }
    }, { for key in ["activate_google_ads", "activate_sendgrid", "activate_hubspot"] : "${key}/push" => {
      fn = key, member = local.member["push_${key}"]
    } if contains(keys(local.functions), key) }, contains(keys(local.functions), "pull") ? {
    "pull/push" = { fn = "pull", member = local.member.push_pull }
    } : {}, contains(keys(local.functions), "realtime_purchase") ? {
    "realtime_purchase/push" = { fn = "realtime_purchase", member = local.member.push_realtime_purchase }
  } : {})
}

resource "google_cloud_run_service_iam_member" "invoker" {
  for_each = local.invokers

  location = google_cloudfunctions2_function.fn[each.value.fn].location
  service  = google_cloudfunctions2_function.fn[each.value.fn].name
  role     = "roles/run.invoker"
  member   = each.value.member
}
