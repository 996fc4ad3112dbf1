# Optional VPC Service Controls perimeter around the project (var.vpc_service_controls). A leaked
# token then works only from inside the perimeter or an allowed access level, and nothing inside can
# copy data to a project outside it. Starts as a dry run: violations are logged
# (cloudaudit policy-denied entries) but not blocked, so the effect on Cloud Build, Looker Studio and
# the vendors' webhooks can be read first (docs/security.md, Egress and VPC Service Controls).
# Applying it needs an org-level Access Context Manager admin.

locals {
  perimeter_services = [
    "bigquery.googleapis.com",
    "bigquerydatapolicy.googleapis.com",
    "datacatalog.googleapis.com",
    "dataform.googleapis.com",
    "pubsub.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ]
}

resource "google_access_context_manager_service_perimeter" "unistack" {
  count = var.vpc_service_controls == null ? 0 : 1

  parent         = "accessPolicies/${var.vpc_service_controls.access_policy_id}"
  name           = "accessPolicies/${var.vpc_service_controls.access_policy_id}/servicePerimeters/unistack_${replace(var.project_id, "-", "_")}"
  title          = "unistack-${var.project_id}"
  perimeter_type = "PERIMETER_TYPE_REGULAR"

  use_explicit_dry_run_spec = var.vpc_service_controls.dry_run

  dynamic "spec" {
    for_each = var.vpc_service_controls.dry_run ? [1] : []
    content {
      resources           = ["projects/${var.project_number}"]
      restricted_services = local.perimeter_services
      access_levels       = var.vpc_service_controls.access_levels
    }
  }

  dynamic "status" {
    for_each = var.vpc_service_controls.dry_run ? [] : [1]
    content {
      resources           = ["projects/${var.project_number}"]
      restricted_services = local.perimeter_services
      access_levels       = var.vpc_service_controls.access_levels
    }
  }
}
