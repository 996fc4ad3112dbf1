# The CI/CD split. Three builds, three identities:
#
# | trigger                | config                        | runs as              | can change                     |
# | unistack-ci-pr         | cloudbuild.yaml (the PR's)    | unistack-ci          | nothing: no project role       |
# | unistack-ci-main       | cloudbuild.yaml               | unistack-ci          | nothing                        |
# | unistack-deploy-plan   | cloudbuild-deploy.yaml, plan  | unistack-deploy-plan | artifacts and plans only       |
# | unistack-deploy-apply  | cloudbuild-deploy.yaml, apply | unistack-deployer    | the deployment, after approval |
#
# A pull request can rewrite cloudbuild.yaml, but its build runs as an account that holds no project
# role and reads nothing; outside contributors' PRs build only after a maintainer comments
# `/gcbrun`. Deploys build only from main, and the apply waits for an approver, who reviews the
# plan the plan build printed for that commit; the apply applies exactly that saved plan.

locals {
  # Project-level roles infra/ grants (its local.project_grants). The deployer's IAM admin role is
  # conditioned to exactly these: it can grant nothing that reads data or administers anything.
  deployer_grantable_roles = [
    "roles/bigquery.jobUser",
    "roles/eventarc.eventReceiver",
    "roles/logging.logWriter",
    "roles/workflows.invoker",
  ]

  # Predefined roles of the deployer: administer the services infra/ manages, none of which reads
  # warehouse data, lake objects or secret values.
  deployer_roles = [
    "roles/run.admin",
    "roles/cloudfunctions.admin",
    "roles/eventarc.admin",
    "roles/pubsub.admin",
    "roles/cloudscheduler.admin",
    "roles/workflows.admin",
    "roles/dataform.admin",
    "roles/logging.configWriter",
    "roles/monitoring.alertPolicyEditor",
    "roles/monitoring.notificationChannelEditor",
    "roles/iam.serviceAccountViewer",
    "roles/logging.logWriter",
    # The optional egress network (infra/network.tf).
    "roles/compute.networkAdmin",
  ]

  deploy_plan_roles = [
    "roles/run.viewer",
    "roles/cloudfunctions.viewer",
    "roles/eventarc.viewer",
    "roles/pubsub.viewer",
    "roles/cloudscheduler.viewer",
    "roles/workflows.viewer",
    "roles/dataform.viewer",
    "roles/monitoring.viewer",
    "roles/iam.serviceAccountViewer",
    "roles/logging.logWriter",
    "roles/compute.networkViewer",
  ]

  # Data services: metadata and access lists, never contents (no bigquery.tables.getData,
  # storage.objects.*, secretmanager.versions.access).
  data_deployer_permissions = [
    "bigquery.dataPolicies.create", "bigquery.dataPolicies.delete", "bigquery.dataPolicies.get",
    "bigquery.dataPolicies.getIamPolicy", "bigquery.dataPolicies.list", "bigquery.dataPolicies.setIamPolicy",
    "bigquery.dataPolicies.update",
    "bigquery.datasets.create", "bigquery.datasets.delete", "bigquery.datasets.get",
    "bigquery.datasets.getIamPolicy", "bigquery.datasets.setIamPolicy", "bigquery.datasets.update",
    "datacatalog.categories.getIamPolicy", "datacatalog.categories.setIamPolicy",
    "datacatalog.taxonomies.create", "datacatalog.taxonomies.delete", "datacatalog.taxonomies.get",
    "datacatalog.taxonomies.getIamPolicy", "datacatalog.taxonomies.list", "datacatalog.taxonomies.setIamPolicy",
    "datacatalog.taxonomies.update",
    "resourcemanager.projects.get", "resourcemanager.projects.getIamPolicy",
    "secretmanager.secrets.create", "secretmanager.secrets.delete", "secretmanager.secrets.get",
    "secretmanager.secrets.getIamPolicy", "secretmanager.secrets.list", "secretmanager.secrets.setIamPolicy",
    "secretmanager.secrets.update",
    "storage.buckets.create", "storage.buckets.delete", "storage.buckets.get", "storage.buckets.getIamPolicy",
    "storage.buckets.list", "storage.buckets.setIamPolicy", "storage.buckets.update",
  ]

  plan_reader_permissions = [
    "bigquery.dataPolicies.get", "bigquery.dataPolicies.getIamPolicy", "bigquery.dataPolicies.list",
    "bigquery.datasets.get", "bigquery.datasets.getIamPolicy",
    "datacatalog.categories.getIamPolicy", "datacatalog.taxonomies.get", "datacatalog.taxonomies.getIamPolicy",
    "datacatalog.taxonomies.list",
    "logging.logMetrics.get", "logging.logMetrics.list", "logging.sinks.get", "logging.sinks.list",
    "resourcemanager.projects.get", "resourcemanager.projects.getIamPolicy",
    "secretmanager.secrets.get", "secretmanager.secrets.getIamPolicy", "secretmanager.secrets.list",
    "storage.buckets.get", "storage.buckets.getIamPolicy", "storage.buckets.list",
  ]
}

resource "google_project_iam_custom_role" "data_deployer" {
  role_id     = "unistackDataDeployer"
  title       = "Unistack data deployer"
  description = "Creates and configures buckets, datasets, secrets, policy tags and data policies and their access lists, without reading any content."
  permissions = local.data_deployer_permissions
}

# Lets the Dataform runner attach the policy tags of infra/pii.tf to the columns it builds. Granted
# by infra/ on the staging and marts datasets (their ACLs) and on the taxonomy, never on the project.
resource "google_project_iam_custom_role" "policy_tagger" {
  role_id     = "unistackPolicyTagger"
  title       = "Unistack policy tagger"
  description = "Attach policy tags to table columns (bigquery.tables.setCategory) of a taxonomy it may see."
  permissions = ["bigquery.tables.setCategory", "datacatalog.taxonomies.get"]
}

resource "google_project_iam_custom_role" "plan_reader" {
  role_id     = "unistackPlanReader"
  title       = "Unistack plan reader"
  description = "Reads the metadata terraform plan refreshes, without reading any content."
  permissions = local.plan_reader_permissions
}

resource "google_project_iam_member" "pipeline" {
  for_each = merge(
    { for role in local.deployer_roles : "deployer/${role}" => { role = role, member = local.member.deployer } },
    { "deployer/data" = { role = "projects/${var.project_id}/roles/${google_project_iam_custom_role.data_deployer.role_id}", member = local.member.deployer } },
    { for role in local.deploy_plan_roles : "deploy_plan/${role}" => { role = role, member = local.member.deploy_plan } },
    { "deploy_plan/reader" = { role = "projects/${var.project_id}/roles/${google_project_iam_custom_role.plan_reader.role_id}", member = local.member.deploy_plan } },
    { for p in var.deploy_approvers : "approver/${p}" => { role = "roles/cloudbuild.builds.approver", member = p } },
  )

  project = var.project_id
  role    = each.value.role
  member  = each.value.member

  depends_on = [google_service_account.account]
}

resource "google_project_iam_member" "deployer_grants_listed_roles_only" {
  project = var.project_id
  role    = "roles/resourcemanager.projectIamAdmin"
  member  = local.member.deployer

  condition {
    title       = "unistack-grantable-roles-only"
    description = "May add or remove project-level grants of these roles only."
    expression  = "api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly([${join(", ", [for r in local.deployer_grantable_roles : "'${r}'"])}])"
  }

  depends_on = [google_service_account.account]
}

# ---------------------------------------------------------------------------------------------------
# Triggers
# ---------------------------------------------------------------------------------------------------

locals {
  triggers = {
    ci_pr = {
      description = "CI of a pull request: the PR's own cloudbuild.yaml, as an account that can change nothing."
      filename    = "cloudbuild.yaml"
      account     = "ci"
      pr          = true
      approval    = false
      phase       = null
    }
    ci_main = {
      description = "CI of main."
      filename    = "cloudbuild.yaml"
      account     = "ci"
      pr          = false
      approval    = false
      phase       = null
    }
    deploy_plan = {
      description = "Builds the artifacts of a main commit and saves its Terraform plan for review."
      filename    = "cloudbuild-deploy.yaml"
      account     = "deploy_plan"
      pr          = false
      approval    = false
      phase       = "plan"
    }
    deploy_apply = {
      description = "Applies the reviewed plan of a main commit. Waits for an approver."
      filename    = "cloudbuild-deploy.yaml"
      account     = "deployer"
      pr          = false
      approval    = true
      phase       = "apply"
    }
  }
}

resource "google_cloudbuild_trigger" "trigger" {
  for_each = local.triggers

  name            = "unistack-${replace(each.key, "_", "-")}"
  location        = var.region
  description     = each.value.description
  filename        = each.value.filename
  service_account = "projects/${var.project_id}/serviceAccounts/${local.sa[each.value.account]}"
  substitutions   = each.value.phase == null ? {} : { _PHASE = each.value.phase, _REGION = var.region }

  github {
    owner = var.github.owner
    name  = var.github.name

    dynamic "pull_request" {
      for_each = each.value.pr ? [1] : []
      content {
        branch          = ".*"
        comment_control = "COMMENTS_ENABLED_FOR_EXTERNAL_CONTRIBUTORS_ONLY"
      }
    }

    dynamic "push" {
      for_each = each.value.pr ? [] : [1]
      content {
        branch = "^main$"
      }
    }
  }

  approval_config {
    approval_required = each.value.approval
  }

  depends_on = [google_project_iam_member.pipeline, google_service_account.account]
}
