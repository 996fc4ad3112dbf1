# ---------------------------------------------------------------------------------------------------
# Project and location
# ---------------------------------------------------------------------------------------------------

variable "project_id" {
  description = "Google Cloud project that hosts the pipeline. One Unistack deployment per project: topic and dataset names are fixed because the code refers to them by name."
  type        = string
}

variable "project_number" {
  description = "Number of the project (gcloud projects describe <project> --format='value(projectNumber)'; $PROJECT_NUMBER in Cloud Build). Names the Google service agents."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[0-9]{6,20}$", var.project_number))
    error_message = "project_number is the numeric project number, not the project id."
  }
}

variable "source_commit" {
  description = "Git commit (40 hex) the deployed artifacts were built from. Every service, function and schedule is labelled commit=<sha>; the deploy pipeline sets it to $COMMIT_SHA."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[0-9a-f]{40}$", var.source_commit))
    error_message = "source_commit must be a full 40-character lower-case git commit sha."
  }
}

variable "region" {
  description = "Region of the functions, the lake bucket (the Eventarc storage trigger must be in the bucket's location), Pub/Sub push endpoints, secrets and the Dataform repository."
  type        = string
  default     = "europe-west1"
}

variable "bq_location" {
  description = "BigQuery location of every dataset (UNISTACK_BQ_LOCATION). A regional lake bucket inside this multi-region (e.g. europe-west1 in EU) can be loaded from."
  type        = string
  default     = "EU"
}

variable "labels" {
  description = "Extra labels merged into every labelled resource."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------------------------------
# Lake bucket
# ---------------------------------------------------------------------------------------------------

variable "lake_bucket_name" {
  description = "Name of the lake bucket (raw/, quarantine/, activation/). Defaults to <project_id>-unistack-lake."
  type        = string
  default     = null
}

variable "lake_raw_nearline_after_days" {
  description = "Age in days after which raw/ objects move to Nearline. Nearline bills a 30-day minimum, so values below 30 cost more than they save."
  type        = number
  default     = 30

  validation {
    condition     = var.lake_raw_nearline_after_days >= 1
    error_message = "lake_raw_nearline_after_days must be at least 1."
  }
}

variable "raw_retention_days" {
  description = "How long raw data is kept, in days: raw/ objects in the lake are deleted and raw table partitions (by _received_at) expire after it. One number for both, so the replay source never outlives or undercuts the tables loaded from it."
  type        = number
  default     = 730
  nullable    = false

  validation {
    condition     = var.raw_retention_days > var.lake_raw_nearline_after_days && floor(var.raw_retention_days) == var.raw_retention_days
    error_message = "raw_retention_days must be a whole number larger than lake_raw_nearline_after_days."
  }
}

variable "lake_quarantine_delete_after_days" {
  description = "Age in days after which quarantine/ objects (records that failed their contract) are deleted. Replay them before that."
  type        = number
  default     = 90

  validation {
    condition     = var.lake_quarantine_delete_after_days >= 7
    error_message = "Keep quarantined records at least 7 days so there is time to fix and replay them."
  }
}

variable "lake_activation_delete_after_days" {
  description = "Age in days after which activation/ batch objects are deleted. They are only needed until their activate-* message is processed or dead-lettered and replayed."
  type        = number
  default     = 30

  validation {
    condition     = var.lake_activation_delete_after_days >= 7
    error_message = "Keep activation batches at least 7 days: a dead-lettered batch message points at its object."
  }
}

variable "lake_exports_delete_after_days" {
  description = "Age in days after which privacy/exports/ objects (access-request documents: everything held about one person) are deleted. Hand them over before that (docs/privacy.md)."
  type        = number
  default     = 30

  validation {
    condition     = var.lake_exports_delete_after_days >= 1 && var.lake_exports_delete_after_days <= 90
    error_message = "Keep access-request documents between 1 and 90 days: long enough to hand over, no longer."
  }
}

variable "lake_soft_delete_retention_days" {
  description = "Cloud Storage soft delete: days a deleted or overwritten object stays restorable. 0 disables it; otherwise 7 to 90. Erased personal data stays restorable this long (see docs/operations.md, erasure)."
  type        = number
  default     = 7

  validation {
    condition     = var.lake_soft_delete_retention_days == 0 || (var.lake_soft_delete_retention_days >= 7 && var.lake_soft_delete_retention_days <= 90)
    error_message = "lake_soft_delete_retention_days must be 0 (off) or between 7 and 90."
  }
}

# ---------------------------------------------------------------------------------------------------
# BigQuery
# ---------------------------------------------------------------------------------------------------

variable "dataform_extra_read_datasets" {
  description = "Further datasets in this project that Dataform declares as sources and may read (e.g. the GA4 export dataset analytics_123456789)."
  type        = list(string)
  default     = []
}

# ---------------------------------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------------------------------

variable "function_source_object" {
  description = "Object in the function source bucket holding the zipped output of `unistack stage functions`, named by its SHA-256: functions/<sha256>.zip. The deploy pipeline uploads it (cloudbuild-deploy.yaml)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^functions/[0-9a-f]{64}\\.zip$", var.function_source_object))
    error_message = "function_source_object must be functions/<sha256 of the zip>.zip."
  }
}

variable "ingest_image" {
  description = "Image of the ingest Cloud Run service, pinned by digest: <region>-docker.pkg.dev/<project>/unistack/ingest@sha256:<64 hex>. The deploy pipeline builds it from the staged source with Google's buildpacks."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9-]+-docker\\.pkg\\.dev/[a-z0-9-]+/[a-z0-9_-]+/[a-z0-9_/-]+@sha256:[0-9a-f]{64}$", var.ingest_image))
    error_message = "ingest_image must be an Artifact Registry image pinned by digest (…@sha256:<64 hex>), never a tag."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of every function (trace, debug, info, warn, error)."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["trace", "debug", "info", "warn", "error", "fatal"], var.log_level)
    error_message = "log_level must be one of trace, debug, info, warn, error, fatal."
  }
}

variable "ingest_min_instances" {
  description = "Warm instances of the ingest service. Shopify gives a webhook 5 seconds; set 1 if cold starts make it time out (costs an always-on instance)."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.ingest_min_instances >= 0 && floor(var.ingest_min_instances) == var.ingest_min_instances
    error_message = "ingest_min_instances must be a whole number, 0 or more."
  }
}

variable "ingest_max_instances" {
  description = "Maximum instances of the ingest service."
  type        = number
  default     = 20
  nullable    = false

  validation {
    condition     = var.ingest_max_instances >= 1 && floor(var.ingest_max_instances) == var.ingest_max_instances
    error_message = "ingest_max_instances must be a whole number, at least 1 (0 would refuse every webhook)."
  }
}

variable "activate_meta_max_instances" {
  description = "Maximum concurrent activate-meta instances (one batch each). Keep it low: Meta rate-limits per ad account."
  type        = number
  default     = 3
  nullable    = false

  validation {
    condition     = var.activate_meta_max_instances >= 1 && floor(var.activate_meta_max_instances) == var.activate_meta_max_instances
    error_message = "activate_meta_max_instances must be a whole number, at least 1."
  }
}

variable "activate_max_instances" {
  description = "Maximum concurrent instances of activate-google-ads and activate-sendgrid (one batch each): keep it low, both vendors rate-limit per account."
  type        = number
  default     = 3
  nullable    = false

  validation {
    condition     = var.activate_max_instances >= 1 && floor(var.activate_max_instances) == var.activate_max_instances
    error_message = "activate_max_instances must be a whole number, at least 1."
  }
}

variable "syncs" {
  description = "UNISTACK_SYNCS: the sync configuration as JSON ({\"syncs\": [...]}, docs/destinations.md \"Configuration\"), given to plan-activation and every activate-* function. null: the one Meta sync of meta_audience_id. A sync to google_ads or sendgrid deploys that destination's activate function (and, for sendgrid, binds SENDGRID_API_KEY)."
  type        = string
  default     = null

  validation {
    condition     = var.syncs == null ? true : can([for sync in try(jsondecode(var.syncs).syncs, jsondecode(var.syncs)) : sync.destination])
    error_message = "syncs must be JSON: {\"syncs\": [{\"id\": …, \"destination\": …}, …]} (docs/destinations.md)."
  }
}

variable "pulls" {
  description = "Pulled sources and when (cron, UTC) their streams are pulled: a Cloud Scheduler job per stream (scheduler.tf), e.g. { shopify = \"20 2 * * *\", google_ads = \"40 5 * * *\", meta_ads = \"50 5 * * *\" }. A source here deploys the pull function and binds its default connection's token (secrets.tf). Empty: no pull function."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for source in keys(var.pulls) : contains(["shopify", "google_ads", "meta_ads", "hubspot", "zoom", "sendgrid"], source)])
    error_message = "pulls keys are pulled sources: shopify, google_ads, meta_ads, hubspot, zoom, sendgrid."
  }
}

variable "pull_max_instances" {
  description = "Maximum concurrent pull instances (one stream run each)."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.pull_max_instances >= 1 && floor(var.pull_max_instances) == var.pull_max_instances
    error_message = "pull_max_instances must be a whole number, at least 1."
  }
}

variable "connections" {
  description = "UNISTACK_CONNECTIONS: the accounts of each source as JSON ([{\"source\", \"id\", \"businessUnit\", \"secrets\", \"settings\"}], docs/sources.md), given to the ingest service and the pull function. null: one default connection per source."
  type        = string
  default     = null

  validation {
    condition     = var.connections == null ? true : can([for c in jsondecode(var.connections) : "${c.source}/${c.id}"])
    error_message = "connections must be a JSON array of {\"source\", \"id\", \"businessUnit\", …} (docs/sources.md)."
  }
}

variable "connection_secrets" {
  description = "Secrets of configured connections, by the env variable a connection's `secrets` map names → the one service that reads it (\"ingest\" for webhook secrets, \"pull\" for API tokens), e.g. { SHOPIFY_WEBHOOK_SECRET_EU = \"ingest\", SHOPIFY_ADMIN_ACCESS_TOKEN_EU = \"pull\" }. Each becomes a Secret Manager secret (its name in lower case, - for _) bound by the version in secret_versions (key: the name in lower case)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for env, reader in var.connection_secrets : can(regex("^[A-Z][A-Z0-9_]{0,127}$", env)) && contains(["ingest", "pull"], reader)])
    error_message = "connection_secrets maps UPPER_CASE env names to \"ingest\" or \"pull\"."
  }
}

variable "load_sweep_interval_minutes" {
  description = "How often Cloud Scheduler asks load-raw to sweep the recent lake for objects no event loaded (the safety net behind the object-finalized trigger): the worst-case delay after a lost event."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = contains([5, 10, 15, 20, 30, 60], var.load_sweep_interval_minutes)
    error_message = "load_sweep_interval_minutes must be one of 5, 10, 15, 20, 30, 60 (it divides an hour)."
  }
}

variable "load_deep_sweep_cron" {
  description = "When load-raw sweeps the whole lake (cron, UTC). Daily is enough: the scheduled sweep covers the recent days."
  type        = string
  default     = "17 3 * * *"
  nullable    = false
}

variable "activate_max_deliveries" {
  description = "ACTIVATE_MAX_DELIVERIES: after this many failed deliveries of one batch, activate-meta records it failed in ops and acknowledges it, so its run's status becomes final. Below max_delivery_attempts, or Pub/Sub dead-letters the batch first."
  type        = number
  default     = 15
  nullable    = false

  validation {
    condition     = var.activate_max_deliveries >= 1 && var.activate_max_deliveries < var.max_delivery_attempts
    error_message = "activate_max_deliveries must be at least 1 and below max_delivery_attempts."
  }
}

variable "shopify_secret_rotation_in_progress" {
  description = "Bind SHOPIFY_WEBHOOK_SECRET_PREVIOUS to ingest. Turn on only while rotating, after adding a version to shopify-webhook-secret-previous (docs/operations.md)."
  type        = bool
  default     = false
  nullable    = false
}

variable "sendgrid_key_rotation_in_progress" {
  description = "Bind SENDGRID_WEBHOOK_PUBLIC_KEY_PREVIOUS to ingest. Turn on only while rotating the SendGrid signing key, after adding a version to sendgrid-webhook-public-key-previous."
  type        = bool
  default     = false
  nullable    = false
}

variable "secret_versions" {
  description = "Version number each bound secret runs with, by key of local.secrets (secrets.tf), e.g. { meta_access_token = \"3\" }. Never `latest`: a rotation is a change of this number (docs/operations.md, Rotating secrets)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for v in values(var.secret_versions) : can(regex("^[1-9][0-9]*$", v))])
    error_message = "secret_versions values are version numbers (\"1\", \"2\", …), never latest or an alias."
  }
}

variable "meta_audience_id" {
  description = "META_AUDIENCE_ID: the Meta custom audience activate-meta syncs. activate-meta sends only to this audience, whatever a message names."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[0-9]+$", var.meta_audience_id))
    error_message = "meta_audience_id is the numeric Custom Audience id."
  }
}

variable "meta_api_version" {
  description = "META_API_VERSION: Graph API version activate-meta calls."
  type        = string
  default     = "v24.0"

  validation {
    condition     = can(regex("^v[0-9]+\\.[0-9]+$", var.meta_api_version))
    error_message = "meta_api_version looks like v24.0."
  }
}

# ---------------------------------------------------------------------------------------------------
# Pub/Sub delivery
# ---------------------------------------------------------------------------------------------------

variable "max_delivery_attempts" {
  description = "Push deliveries of a message before it is dead-lettered (Pub/Sub allows 5 to 100). With 10 s to 600 s backoff, 20 attempts span roughly 2.5 hours."
  type        = number
  default     = 20

  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "Pub/Sub allows max_delivery_attempts between 5 and 100."
  }
}

variable "message_retention_days" {
  description = "How long an undelivered message waits on a push subscription before Pub/Sub drops it (1 to 7 days)."
  type        = number
  default     = 7

  validation {
    condition     = var.message_retention_days >= 1 && var.message_retention_days <= 7
    error_message = "message_retention_days must be between 1 and 7."
  }
}

variable "dead_letter_retention_days" {
  description = "How long dead letters are kept on their hold subscription for inspection and replay (1 to 31 days)."
  type        = number
  default     = 14

  validation {
    condition     = var.dead_letter_retention_days >= 1 && var.dead_letter_retention_days <= 31
    error_message = "dead_letter_retention_days must be between 1 and 31."
  }
}

# ---------------------------------------------------------------------------------------------------
# Dataform
# ---------------------------------------------------------------------------------------------------

variable "dataform_repository_name" {
  description = "Name of the Dataform repository."
  type        = string
  default     = "unistack"
}

variable "dataform_git_url" {
  description = "HTTPS URL of the Git remote holding this repo (definitions/, includes/, workflow_settings.yaml). null creates the repository without a remote and without release/workflow configs."
  type        = string
  default     = null
}

variable "dataform_git_branch" {
  description = "Branch of the Git remote holding the generated Dataform-only tree (`unistack stage dataform`), which the deploy pipeline publishes and each scheduled run compiles. Never the application branch: the Dataform service installs the root package.json it finds."
  type        = string
  default     = "dataform"
  nullable    = false
}

variable "dataform_git_token_secret_version" {
  description = "Secret Manager secret version holding a read token for the Git remote, projects/<p>/secrets/<s>/versions/<n>. Required with dataform_git_url."
  type        = string
  default     = null

  validation {
    condition     = var.dataform_git_token_secret_version == null ? true : can(regex("^projects/[^/]+/secrets/[^/]+/versions/[^/]+$", var.dataform_git_token_secret_version))
    error_message = "dataform_git_token_secret_version must look like projects/<p>/secrets/<s>/versions/<n>."
  }
}

variable "dataform_schedule_cron" {
  description = "When Cloud Scheduler starts a Dataform run (compile the branch, then invoke the whole graph), cron in dataform_time_zone."
  type        = string
  default     = "15 */6 * * *"
  nullable    = false
}

variable "dataform_time_zone" {
  description = "Time zone of the Dataform schedules (tz database name)."
  type        = string
  default     = "Etc/UTC"
}

variable "restrict_egress" {
  description = "Route all egress of ingest, load-raw and plan-activation through a VPC without NAT, so they can reach Google APIs only (network.tf). activate-meta keeps internet egress for the Meta API."
  type        = bool
  default     = false
  nullable    = false
}

variable "egress_subnet_cidr" {
  description = "Range of the egress subnet (restrict_egress). Direct VPC egress takes addresses from it as instances scale: /24 serves about 100 instances."
  type        = string
  default     = "10.8.0.0/24"
  nullable    = false

  validation {
    condition     = can(cidrhost(var.egress_subnet_cidr, 0)) && tonumber(split("/", var.egress_subnet_cidr)[1]) <= 26
    error_message = "egress_subnet_cidr must be an IPv4 range of /26 or larger."
  }
}

# ---------------------------------------------------------------------------------------------------
# People (personas.tf)
# ---------------------------------------------------------------------------------------------------

variable "groups" {
  description = "Google groups of the personas (docs/security.md). data_engineers: read every layer, PII columns masked, develop in Dataform. analysts: marts and reports, PII masked, no raw. business_users: reports only. break_glass: owner of the data stores, empty until an incident (membership is the control). null leaves a persona out."
  type = object({
    data_engineers = optional(string)
    analysts       = optional(string)
    business_users = optional(string)
    break_glass    = string
  })
  nullable = false

  validation {
    condition     = alltrue([for email in values(var.groups) : email == null ? true : can(regex("^[^@\\s]+@[^@\\s]+\\.[a-z]+$", email))])
    error_message = "Each group is a group e-mail address."
  }
}

variable "business_units" {
  description = "Business units, each with its own reporting dataset reports_<unit> (authorized views over marts that Dataform filters to the unit) and its own analysts and business-user groups. Empty: one organisation, the groups above."
  type = map(object({
    analysts       = optional(string)
    business_users = optional(string)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for unit in keys(var.business_units) : can(regex("^[a-z][a-z0-9_]{0,30}$", unit))])
    error_message = "Business unit keys are lower-case identifiers (they name datasets reports_<unit>)."
  }
}

# ---------------------------------------------------------------------------------------------------
# Alerts
# ---------------------------------------------------------------------------------------------------

variable "alert_notification_channels" {
  description = "Existing Cloud Monitoring notification channel ids (projects/<p>/notificationChannels/<n>) that every alert notifies."
  type        = list(string)
  default     = []
}

variable "alert_email" {
  description = "If set, an e-mail notification channel is created for this address and added to every alert."
  type        = string
  default     = null
}

variable "function_5xx_threshold" {
  description = "Alert when one function answers more than this many 5xx responses in 5 minutes (every 5xx of an event function is a retry)."
  type        = number
  default     = 5
}

variable "raw_freshness_threshold_minutes" {
  description = "Alert when a raw table that used to receive loads has had none for this long. Cloud Monitoring allows 2 to 1410 minutes (23.5 h) for an absence condition."
  type        = number
  default     = 360

  validation {
    condition     = var.raw_freshness_threshold_minutes >= 2 && var.raw_freshness_threshold_minutes <= 1410
    error_message = "raw_freshness_threshold_minutes must be between 2 and 1410 (Cloud Monitoring's absence window)."
  }
}

variable "push_backlog_age_threshold_seconds" {
  description = "Alert when the oldest undelivered message of a push subscription is older than this (a function keeps failing or is throttled)."
  type        = number
  default     = 3600
}
