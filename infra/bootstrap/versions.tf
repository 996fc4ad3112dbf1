# The platform admin's part of a Unistack deployment, applied once per project and on change by a
# human with project owner (or a break-glass admin), never by the pipeline: APIs, every identity,
# the pipeline's own permissions and triggers, artifact stores, audit logging and the optional
# VPC Service Controls perimeter. Keeping these here means the deployer that applies infra/ cannot
# mint identities, widen its own roles, remove its approval gate or turn audit logs off.
terraform {
  required_version = ">= 1.9.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 8.0"
    }
  }

  # Its own state prefix in the same bucket, after the first apply (docs/operations.md, Bootstrap):
  #   terraform init -backend-config="bucket=<project>-unistack-tfstate" -backend-config="prefix=bootstrap"
  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = { app = "unistack", managed-by = "terraform-bootstrap" }
}
