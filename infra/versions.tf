# Provider pins. Only the GA google provider: everything here exists in it, so the whole
# configuration is validated and planned offline by the provider itself (test/infra). The Dataform
# schedule is a Workflows workflow because release and workflow configs are google-beta only.
terraform {
  required_version = ">= 1.9.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 8.0"
    }
  }

  # State lives in the bucket infra/bootstrap creates:
  #   terraform init -backend-config="bucket=<project>-unistack-tfstate" -backend-config="prefix=unistack"
  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = local.labels
}
