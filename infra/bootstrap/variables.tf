variable "project_id" {
  description = "Google Cloud project that hosts the pipeline."
  type        = string
  nullable    = false
}

variable "project_number" {
  description = "Number of the project (gcloud projects describe <project> --format='value(projectNumber)')."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[0-9]{6,20}$", var.project_number))
    error_message = "project_number is the numeric project number, not the project id."
  }
}

variable "region" {
  description = "Region of the artifact stores, the audit log bucket and the Cloud Build triggers (the same as infra/'s region)."
  type        = string
  default     = "europe-west1"
  nullable    = false
}

variable "github" {
  description = "The GitHub repository the Cloud Build triggers build (connected to Cloud Build once by hand, docs/operations.md)."
  type = object({
    owner = string
    name  = string
  })
  nullable = false
}

variable "deploy_approvers" {
  description = "Who may approve a deploy (approve Cloud Build builds): principals such as group:release-approvers@example.com. At least one; they need not be able to deploy themselves."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.deploy_approvers) > 0 && alltrue([for p in var.deploy_approvers : can(regex("^(group|user):", p))])
    error_message = "deploy_approvers needs at least one group: or user: principal."
  }
}

variable "break_glass_group" {
  description = "Group e-mail of the break-glass admins (the same as infra/'s groups.break_glass). Kept empty until an incident; membership is the control and is audited."
  type        = string
  nullable    = false
}

variable "audit_log_retention_days" {
  description = "Days the audit log bucket keeps entries. Locked: nobody, the break-glass group included, can shorten it or delete entries before then."
  type        = number
  default     = 400
  nullable    = false

  validation {
    condition     = var.audit_log_retention_days >= 365 && var.audit_log_retention_days <= 3650
    error_message = "Keep audit logs between 365 and 3650 days."
  }
}

variable "lock_audit_log_bucket" {
  description = "Lock the audit log bucket's retention (irreversible). Leave true in production; false only for a throw-away test project."
  type        = bool
  default     = true
  nullable    = false
}

variable "vpc_service_controls" {
  description = "Optional VPC Service Controls perimeter around the project (docs/security.md, Egress). Needs an organization Access Context Manager policy and an org-level admin to apply. null: no perimeter."
  type = object({
    access_policy_id = string
    # Identities allowed to reach the protected APIs from outside the perimeter (operators,
    # Looker Studio users' groups are not supported by ingress rules: use an access level).
    access_levels = optional(list(string), [])
    dry_run       = optional(bool, true)
  })
  default = null
}
