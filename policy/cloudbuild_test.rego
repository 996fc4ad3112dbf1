package unistack.cloudbuild_test

import rego.v1

import data.unistack.cloudbuild

pinned := "node:22@sha256:99981c3d1aac0d98cd9f03f74b92dddf30f30ffb0b34e6df8bd96283f62f12c6"

good := {"options": {"logging": "GCS_ONLY"}, "steps": [{"id": "install", "name": pinned, "entrypoint": "npm", "args": ["ci", "--ignore-scripts"]}]}

deny_with(config) := result if {
	result := cloudbuild.deny with input as config
}

finds(config, fragment) if {
	some msg in deny_with(config)
	contains(msg, fragment)
}

test_good_passes if count(deny_with(good)) == 0

test_tag if finds(object.union(good, {"steps": [{"id": "x", "name": "node:22"}]}), "not pinned by digest")

test_install_scripts if finds(object.union(good, {"steps": [{"id": "x", "name": pinned, "entrypoint": "npm", "args": ["install"]}]}), "without --ignore-scripts")

test_install_scripts_in_shell if finds(object.union(good, {"steps": [{"id": "x", "name": pinned, "entrypoint": "sh", "args": ["-c", "cd app && npm ci --omit=dev"]}]}), "without --ignore-scripts")

test_deploy_switch if finds(object.union(good, {"substitutions": {"_DEPLOY": "false"}}), "_DEPLOY")

test_ci_applies if finds(object.union(good, {"steps": [{"id": "x", "name": pinned, "entrypoint": "sh", "args": ["-c", "terraform apply tfplan"]}]}), "changes or reads the deployment")

test_ci_reads_secret if finds(object.union(good, {"steps": [{"id": "x", "name": pinned, "entrypoint": "bash", "args": ["-c", "gcloud secrets versions access latest --secret=meta-access-token"]}]}), "changes or reads the deployment")

test_no_logging if finds({"steps": good.steps}, "options.logging")

test_apply_without_plan_file if finds(object.union(good, {"substitutions": {"_PHASE": ""}, "steps": [{"id": "x", "name": pinned, "entrypoint": "sh", "args": ["-c", "terraform apply -auto-approve -input=false"]}]}), "without a saved plan file")

test_apply_of_saved_plan_passes if count(deny_with(object.union(good, {"substitutions": {"_PHASE": ""}, "steps": [{"id": "x", "name": pinned, "entrypoint": "sh", "args": ["-c", "terraform apply -input=false ../.build/tfplan"]}]}))) == 0
