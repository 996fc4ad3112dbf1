# Provider pins. The google provider line is 7.x; google-beta is needed for the Dataform release and
# workflow configs and for google_project_service_identity, which are beta-only resources.
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 7.0"
    }
    google-beta = {
      source  = "hashicorp/google-beta"
      version = "~> 7.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.7"
    }
  }

  # State lives in a GCS bucket created before the first apply (see docs/operations.md):
  #   terraform init -backend-config="bucket=<state bucket>" -backend-config="prefix=unistack"
  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region
}

provider "google-beta" {
  project = var.project_id
  region  = var.region
}
