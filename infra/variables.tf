# ---------------------------------------------------------------------------------------------------
# Project and location
# ---------------------------------------------------------------------------------------------------

variable "project_id" {
  description = "Google Cloud project that hosts the pipeline. One Unistack deployment per project: topic and dataset names are fixed because the code refers to them by name."
  type        = string
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

variable "lake_raw_delete_after_days" {
  description = "Age in days after which raw/ objects are deleted. null keeps them (raw is the replay source); set it to your retention policy."
  type        = number
  default     = null

  validation {
    condition     = var.lake_raw_delete_after_days == null ? true : var.lake_raw_delete_after_days > var.lake_raw_nearline_after_days
    error_message = "lake_raw_delete_after_days must be null or larger than lake_raw_nearline_after_days."
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

variable "raw_partition_expiration_days" {
  description = "Default partition expiration of tables created in the raw dataset, in days (null = never). Applies to tables created after it is set; existing tables need it set explicitly (docs/operations.md)."
  type        = number
  default     = 730

  validation {
    condition     = var.raw_partition_expiration_days == null ? true : var.raw_partition_expiration_days >= 1
    error_message = "raw_partition_expiration_days must be null or at least 1."
  }
}

variable "dataform_extra_read_datasets" {
  description = "Further datasets in this project that Dataform declares as sources and may read (e.g. the GA4 export dataset analytics_123456789)."
  type        = list(string)
  default     = []
}

# ---------------------------------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------------------------------

variable "function_source_dir" {
  description = "Folder holding package.json, package-lock.json and the compiled dist/ (infra/stage-function-source.sh fills it). Defaults to infra/.build/function-source."
  type        = string
  default     = null
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
  description = "Warm instances per webhook function. Shopify gives a webhook 5 seconds; set 1 if cold starts make it time out (costs an always-on instance)."
  type        = number
  default     = 0
}

variable "ingest_max_instances" {
  description = "Maximum instances per webhook function."
  type        = number
  default     = 20
}

variable "activate_meta_max_instances" {
  description = "Maximum concurrent activate-meta instances (one batch each). Keep it low: Meta rate-limits per ad account."
  type        = number
  default     = 3
}

variable "shopify_secret_rotation_in_progress" {
  description = "Bind SHOPIFY_WEBHOOK_SECRET_PREVIOUS to ingest-shopify. Turn on only while rotating, after adding a version to shopify-webhook-secret-previous (docs/operations.md)."
  type        = bool
  default     = false
}

variable "secret_rollout" {
  description = "Change it (e.g. to a date) after adding a secret version: every function rolls to a new revision, whose instances read the `latest` versions (Cloud Run resolves `latest` when an instance starts)."
  type        = string
  default     = "initial"
}

variable "meta_audience_id" {
  description = "META_AUDIENCE_ID: the Meta custom audience activate-meta syncs."
  type        = string
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
  description = "Branch the release config compiles."
  type        = string
  default     = "main"
}

variable "dataform_git_token_secret_version" {
  description = "Secret Manager secret version holding the Git token, projects/<p>/secrets/<s>/versions/<n>. Required with dataform_git_url."
  type        = string
  default     = null

  validation {
    condition     = var.dataform_git_token_secret_version == null ? true : can(regex("^projects/[^/]+/secrets/[^/]+/versions/[^/]+$", var.dataform_git_token_secret_version))
    error_message = "dataform_git_token_secret_version must look like projects/<p>/secrets/<s>/versions/<n>."
  }
}

variable "dataform_release_cron" {
  description = "When the release config compiles the branch (cron, in dataform_time_zone)."
  type        = string
  default     = "0 */6 * * *"
}

variable "dataform_workflow_cron" {
  description = "When the workflow config runs the latest compilation (cron, in dataform_time_zone). Leave a few minutes after the release cron."
  type        = string
  default     = "15 */6 * * *"
}

variable "dataform_time_zone" {
  description = "Time zone of the Dataform schedules (tz database name)."
  type        = string
  default     = "Etc/UTC"
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
