# One failing fixture per rule of terraform.rego, and a fixture that passes all of them. Run with
# `opa test policy/ -v` (test/infra/terraform.test.ts does, in CI).
package unistack.terraform_test

import rego.v1

import data.unistack.terraform

rc(type, values) := {"address": sprintf("%s.fixture", [type]), "mode": "managed", "type": type, "name": "fixture", "change": {"actions": ["create"], "after": values}}

sa(name) := sprintf("serviceAccount:%s@p.iam.gserviceaccount.com", [name])

lake := {"name": "p-unistack-lake", "uniform_bucket_level_access": true, "public_access_prevention": "enforced", "lifecycle_rule": [{"action": [{"type": "Delete"}], "condition": [{"age": 730, "matches_prefix": ["raw/"]}]}]}

good := [
	rc("google_storage_bucket", lake),
	rc("google_storage_bucket_iam_policy", {"bucket": "p-unistack-lake", "policy_data": json.marshal({"bindings": [{"role": "roles/storage.objectCreator", "members": [sa("unistack-ingest")], "condition": {"expression": "resource.name.startsWith(\"projects/_/buckets/p-unistack-lake/objects/raw/\")"}}]})}),
	rc("google_bigquery_dataset", {"dataset_id": "raw", "max_time_travel_hours": "48", "default_partition_expiration_ms": 63072000000, "access": [{"role": "OWNER", "group_by_email": "bg@example.com"}, {"role": "WRITER", "user_by_email": "unistack-fn-load-raw@p.iam.gserviceaccount.com"}]}),
	rc("google_bigquery_dataset", {"dataset_id": "ops_load", "max_time_travel_hours": "48", "access": [{"role": "OWNER", "group_by_email": "bg@example.com"}, {"role": "WRITER", "user_by_email": "unistack-fn-load-raw@p.iam.gserviceaccount.com"}]}),
	rc("google_cloud_run_v2_service", {"name": "ingest", "labels": {"commit": "0123456789abcdef0123456789abcdef01234567"}, "template": [{"service_account": "unistack-ingest@p.iam.gserviceaccount.com", "containers": [{"image": "r-docker.pkg.dev/p/unistack/ingest@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "env": [{"name": "S", "value_source": [{"secret_key_ref": [{"secret": "s", "version": "3"}]}]}]}]}]}),
	rc("google_cloud_run_v2_service_iam_member", {"name": "ingest", "role": "roles/run.invoker", "member": "allUsers"}),
	rc("google_cloudfunctions2_function", {"labels": {"commit": "0123456789abcdef0123456789abcdef01234567"}, "build_config": [{"source": [{"storage_source": [{"object": "functions/4f2c1b9a3e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b.zip"}]}]}], "service_config": [{"service_account_email": "unistack-fn-load-raw@p.iam.gserviceaccount.com", "secret_environment_variables": [{"secret": "m", "version": "5"}]}]}),
	rc("google_project_iam_member", {"role": "roles/bigquery.jobUser", "member": sa("unistack-fn-load-raw")}),
	rc("google_data_catalog_taxonomy", {"activated_policy_types": ["FINE_GRAINED_ACCESS_CONTROL"]}),
	rc("google_data_catalog_policy_tag", {"display_name": "email"}),
	rc("google_data_catalog_policy_tag", {"display_name": "phone"}),
	rc("google_data_catalog_policy_tag", {"display_name": "address"}),
	rc("google_bigquery_datapolicy_data_policy", {"data_policy_type": "DATA_MASKING_POLICY", "data_policy_id": "unistack_pii_email"}),
	rc("google_bigquery_datapolicy_data_policy", {"data_policy_type": "DATA_MASKING_POLICY", "data_policy_id": "unistack_pii_phone"}),
	rc("google_bigquery_datapolicy_data_policy", {"data_policy_type": "DATA_MASKING_POLICY", "data_policy_id": "unistack_pii_address"}),
]

bootstrap_good := [
	rc("google_cloudbuild_trigger", {"filename": "cloudbuild.yaml", "service_account": "projects/p/serviceAccounts/unistack-ci@p.iam.gserviceaccount.com", "github": [{"pull_request": [{"branch": ".*", "comment_control": "COMMENTS_ENABLED_FOR_EXTERNAL_CONTRIBUTORS_ONLY"}], "push": []}], "approval_config": [{"approval_required": false}], "substitutions": {}}),
	rc("google_cloudbuild_trigger", {"filename": "cloudbuild-deploy.yaml", "service_account": "projects/p/serviceAccounts/unistack-deployer@p.iam.gserviceaccount.com", "github": [{"pull_request": [], "push": [{"branch": "^main$"}]}], "approval_config": [{"approval_required": true}], "substitutions": {"_PHASE": "apply"}}),
	rc("google_project_iam_audit_config", {"service": "storage.googleapis.com", "audit_log_config": [{"log_type": "DATA_READ"}, {"log_type": "DATA_WRITE"}]}),
	rc("google_project_iam_audit_config", {"service": "secretmanager.googleapis.com", "audit_log_config": [{"log_type": "DATA_READ"}, {"log_type": "DATA_WRITE"}]}),
	rc("google_logging_project_bucket_config", {"bucket_id": "unistack-audit", "location": "europe-west1", "locked": true}),
	rc("google_logging_project_sink", {"filter": "logName:\"/logs/cloudaudit.googleapis.com%2F\"", "destination": "logging.googleapis.com/projects/p/locations/europe-west1/buckets/unistack-audit"}),
	rc("google_project_iam_member", {"role": "roles/resourcemanager.projectIamAdmin", "member": sa("unistack-deployer"), "condition": [{"expression": "api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly(['roles/bigquery.jobUser'])"}]}),
	rc("google_project_iam_member", {"role": "roles/run.admin", "member": sa("unistack-deployer")}),
]

deny_with(changes) := result if {
	result := terraform.deny with input as {"resource_changes": changes}
}

finds(changes, fragment) if {
	some msg in deny_with(changes)
	contains(msg, fragment)
}

test_good_infra_passes if count(deny_with(good)) == 0

test_good_bootstrap_passes if count(deny_with(bootstrap_good)) == 0

test_basic_role if finds(array.concat(good, [rc("google_project_iam_member", {"role": "roles/viewer", "member": "group:g@example.com"})]), "basic role roles/viewer")

test_basic_role_in_policy if finds(array.concat(good, [rc("google_storage_bucket_iam_policy", {"bucket": "p-unistack-lake", "policy_data": json.marshal({"bindings": [{"role": "roles/owner", "members": ["user:u@example.com"]}]})})]), "basic role roles/owner")

test_project_readers_on_dataset if finds(array.concat(good, [rc("google_bigquery_dataset", {"dataset_id": "marts", "max_time_travel_hours": "48", "access": [{"role": "OWNER", "group_by_email": "bg@example.com"}, {"role": "READER", "special_group": "projectReaders"}]})]), "specialGroup:projectReaders")

test_public_topic if finds(array.concat(good, [rc("google_pubsub_topic_iam_member", {"role": "roles/pubsub.publisher", "member": "allUsers"})]), "may be public")

test_public_other_service if finds(array.concat(good, [rc("google_cloud_run_v2_service_iam_member", {"name": "admin", "role": "roles/run.invoker", "member": "allUsers"})]), "may be public")

test_public_dataset if finds(array.concat(good, [rc("google_bigquery_dataset", {"dataset_id": "marts", "max_time_travel_hours": "48", "access": [{"role": "OWNER", "group_by_email": "bg@example.com"}, {"role": "READER", "special_group": "allAuthenticatedUsers"}]})]), "allAuthenticatedUsers")

test_runtime_project_role if finds(array.concat(good, [rc("google_project_iam_member", {"role": "roles/pubsub.editor", "member": sa("unistack-fn-plan-activation")})]), "to runtime identity")

test_default_account_project_role if finds(array.concat(good, [rc("google_project_iam_member", {"role": "roles/storage.admin", "member": "serviceAccount:123-compute@developer.gserviceaccount.com"})]), "to runtime identity")

test_deployer_data_admin if finds(array.concat(bootstrap_good, [rc("google_project_iam_member", {"role": "roles/secretmanager.admin", "member": sa("unistack-deployer")})]), "secretmanager.admin on the whole project")

test_project_wide_act_as if finds(array.concat(bootstrap_good, [rc("google_project_iam_member", {"role": "roles/iam.serviceAccountUser", "member": sa("unistack-deployer")})]), "serviceAccountUser on the whole project")

test_unconditioned_iam_admin if finds(array.concat(bootstrap_good, [rc("google_project_iam_member", {"role": "roles/resourcemanager.projectIamAdmin", "member": sa("unistack-deployer")})]), "projectIamAdmin on the whole project")

test_iam_admin_condition_allowing_owner if finds(array.concat(bootstrap_good, [rc("google_project_iam_member", {"role": "roles/resourcemanager.projectIamAdmin", "member": sa("unistack-deployer"), "condition": [{"expression": "api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly(['roles/owner'])"}]})]), "projectIamAdmin on the whole project")

test_custom_role_reading_secrets if finds(array.concat(bootstrap_good, [rc("google_project_iam_custom_role", {"role_id": "x", "permissions": ["secretmanager.versions.access"]})]), "includes secretmanager.versions.access")

test_custom_role_reading_tables if finds(array.concat(bootstrap_good, [rc("google_project_iam_custom_role", {"role_id": "x", "permissions": ["bigquery.tables.getData"]})]), "includes bigquery.tables.getData")

test_dataset_without_acl if finds(array.concat(good, [rc("google_bigquery_dataset", {"dataset_id": "marts", "max_time_travel_hours": "48"})]), "has no access list")

test_dataset_owned_by_account if finds(array.concat(good, [rc("google_bigquery_dataset", {"dataset_id": "marts", "max_time_travel_hours": "48", "access": [{"role": "OWNER", "user_by_email": "unistack-deployer@p.iam.gserviceaccount.com"}]})]), "only the break-glass group owns datasets")

test_additive_dataset_grant if finds(array.concat(good, [rc("google_bigquery_dataset_iam_member", {"dataset_id": "raw", "role": "roles/bigquery.dataViewer", "member": "group:g@example.com"})]), "beside the authoritative access list")

test_bucket_without_uniform_access if finds(array.concat(good, [rc("google_storage_bucket", object.union(lake, {"uniform_bucket_level_access": false}))]), "uniform bucket-level access is off")

test_bucket_without_pap if finds(array.concat(good, [rc("google_storage_bucket", object.union(lake, {"public_access_prevention": "inherited"}))]), "public access prevention is not enforced")

test_bucket_without_authoritative_policy if finds(array.concat(good, [rc("google_storage_bucket", object.union(lake, {"name": "p-other"}))]), "has no authoritative IAM policy")

test_additive_bucket_grant if finds(array.concat(good, [rc("google_storage_bucket_iam_member", {"bucket": "p-unistack-lake", "role": "roles/storage.objectViewer", "member": "group:g@example.com"})]), "beside a bucket's authoritative policy")

suppression_read(expression) := rc("google_storage_bucket_iam_policy", {"bucket": "p-unistack-lake", "policy_data": json.marshal({"bindings": [{"role": "roles/storage.objectViewer", "members": [sa("unistack-ingest")], "condition": {"expression": expression}}]})})

test_ingest_reads_the_suppression_list_only if count(deny_with(array.concat(good, [suppression_read("resource.name == \"projects/_/buckets/p-unistack-lake/objects/privacy/suppression.json\"")]))) == 0

test_ingest_reads_privacy_prefix if finds(array.concat(good, [suppression_read("resource.name.startsWith(\"projects/_/buckets/p-unistack-lake/objects/privacy/\")")]), "internet-facing unistack-ingest@p.iam.gserviceaccount.com may read data")

test_ingest_reads_lake if finds(array.concat(good, [rc("google_storage_bucket_iam_policy", {"bucket": "p-unistack-lake", "policy_data": json.marshal({"bindings": [{"role": "roles/storage.objectViewer", "members": [sa("unistack-ingest")]}]})})]), "internet-facing unistack-ingest@p.iam.gserviceaccount.com may read data")

test_ingest_on_dataset_acl if finds(array.concat(good, [rc("google_bigquery_dataset", {"dataset_id": "marts", "max_time_travel_hours": "48", "access": [{"role": "OWNER", "group_by_email": "bg@example.com"}, {"role": "READER", "user_by_email": "unistack-ingest@p.iam.gserviceaccount.com"}]})]), "is on the access list")

run_with(template) := rc("google_cloud_run_v2_service", {"name": "other", "labels": {"commit": "0123456789abcdef0123456789abcdef01234567"}, "template": [template]})

test_image_by_tag if finds(array.concat(good, [run_with({"service_account": "unistack-x@p.iam.gserviceaccount.com", "containers": [{"image": "r-docker.pkg.dev/p/unistack/ingest:latest"}]})]), "not pinned by digest")

test_function_source_not_content_addressed if finds(array.concat(good, [rc("google_cloudfunctions2_function", {"labels": {"commit": "0123456789abcdef0123456789abcdef01234567"}, "build_config": [{"source": [{"storage_source": [{"object": "functions/latest.zip"}]}]}], "service_config": [{"service_account_email": "unistack-fn-x@p.iam.gserviceaccount.com"}]})]), "not built from a function zip named by its SHA-256")

test_no_commit_label if finds(array.concat(good, [rc("google_cloudfunctions2_function", {"labels": {}, "build_config": [{"source": [{"storage_source": [{"object": "functions/4f2c1b9a3e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b.zip"}]}]}], "service_config": [{"service_account_email": "unistack-fn-x@p.iam.gserviceaccount.com"}]})]), "not labelled with the commit")

test_run_secret_latest if finds(array.concat(good, [run_with({"service_account": "unistack-x@p.iam.gserviceaccount.com", "containers": [{"image": "r-docker.pkg.dev/p/u/i@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "env": [{"name": "S", "value_source": [{"secret_key_ref": [{"secret": "s", "version": "latest"}]}]}]}]})]), "as version latest")

test_function_secret_latest if finds(array.concat(good, [rc("google_cloudfunctions2_function", {"labels": {"commit": "0123456789abcdef0123456789abcdef01234567"}, "build_config": [{"source": [{"storage_source": [{"object": "functions/4f2c1b9a3e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b.zip"}]}]}], "service_config": [{"service_account_email": "unistack-fn-x@p.iam.gserviceaccount.com", "secret_environment_variables": [{"secret": "m", "version": "latest"}]}]})]), "as version latest")

test_default_runtime_identity if finds(array.concat(good, [run_with({"containers": [{"image": "r-docker.pkg.dev/p/u/i@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}]})]), "does not run as a unistack-* service account")

matches(c, type, field, value) if {
	c.type == type
	c.change.after[field] == value
}

without_address(changes, type, field, value) := [c | some c in changes; not matches(c, type, field, value)]

test_missing_storage_audit if finds(without_address(bootstrap_good, "google_project_iam_audit_config", "service", "storage.googleapis.com"), "no Data Access audit logs (DATA_READ and DATA_WRITE) for storage.googleapis.com")

test_missing_secret_audit if finds(without_address(bootstrap_good, "google_project_iam_audit_config", "service", "secretmanager.googleapis.com"), "for secretmanager.googleapis.com")

test_unlocked_audit_bucket if finds(array.concat(without_address(bootstrap_good, "google_logging_project_bucket_config", "bucket_id", "unistack-audit"), [rc("google_logging_project_bucket_config", {"bucket_id": "unistack-audit", "location": "europe-west1", "locked": false})]), "no locked audit log bucket")

test_trigger_default_account if finds(array.concat(bootstrap_good, [rc("google_cloudbuild_trigger", {"filename": "cloudbuild.yaml", "github": [{"pull_request": [], "push": [{"branch": "^main$"}]}]})]), "default account")

test_pr_without_comment_control if finds(array.concat(bootstrap_good, [rc("google_cloudbuild_trigger", {"filename": "cloudbuild.yaml", "service_account": "projects/p/serviceAccounts/unistack-ci@p.iam.gserviceaccount.com", "github": [{"pull_request": [{"branch": ".*", "comment_control": "COMMENTS_DISABLED"}], "push": []}]})]), "without a maintainer's comment")

test_deploy_from_branch if finds(array.concat(bootstrap_good, [rc("google_cloudbuild_trigger", {"filename": "cloudbuild-deploy.yaml", "service_account": "projects/p/serviceAccounts/unistack-deploy-plan@p.iam.gserviceaccount.com", "github": [{"pull_request": [], "push": [{"branch": ".*"}]}], "substitutions": {"_PHASE": "plan"}})]), "not only from main")

test_deploy_on_pull_request if finds(array.concat(bootstrap_good, [rc("google_cloudbuild_trigger", {"filename": "cloudbuild-deploy.yaml", "service_account": "projects/p/serviceAccounts/unistack-deploy-plan@p.iam.gserviceaccount.com", "github": [{"pull_request": [{"branch": ".*", "comment_control": "COMMENTS_ENABLED"}], "push": []}], "substitutions": {"_PHASE": "plan"}})]), "on pull requests")

test_apply_without_approval if finds(array.concat(bootstrap_good, [rc("google_cloudbuild_trigger", {"filename": "cloudbuild-deploy.yaml", "service_account": "projects/p/serviceAccounts/unistack-deployer@p.iam.gserviceaccount.com", "github": [{"pull_request": [], "push": [{"branch": "^main$"}]}], "approval_config": [{"approval_required": false}], "substitutions": {"_PHASE": "apply"}})]), "applies without an approval")

test_ci_account_with_project_role if finds(array.concat(bootstrap_good, [rc("google_project_iam_member", {"role": "roles/logging.logWriter", "member": sa("unistack-ci")})]), "CI account unistack-ci@p.iam.gserviceaccount.com")

test_missing_masking if finds([c | some c in good; c.type != "google_bigquery_datapolicy_data_policy"], "masking data policy for email")

test_unenforced_taxonomy if finds(array.concat([c | some c in good; c.type != "google_data_catalog_taxonomy"], [rc("google_data_catalog_taxonomy", {"activated_policy_types": []})]), "no enforced policy tag")

test_raw_objects_outlive_tables if finds(array.concat([c | some c in good; c.type != "google_storage_bucket"], [rc("google_storage_bucket", object.union(lake, {"lifecycle_rule": []}))]), "raw/ objects are not deleted then")

test_time_travel if finds(array.concat(good, [rc("google_bigquery_dataset", {"dataset_id": "marts", "max_time_travel_hours": "168", "access": [{"role": "OWNER", "group_by_email": "bg@example.com"}]})]), "not 48")

test_shared_ops_ledger if finds(array.concat(good, [rc("google_bigquery_dataset", {"dataset_id": "ops_load", "max_time_travel_hours": "48", "access": [{"role": "OWNER", "group_by_email": "bg@example.com"}, {"role": "WRITER", "user_by_email": "unistack-fn-activate-meta@p.iam.gserviceaccount.com"}]})]), "lets unistack-fn-activate-meta write ops_load")

test_loader_writes_activation_ledger if finds(array.concat(good, [rc("google_bigquery_dataset", {"dataset_id": "ops", "max_time_travel_hours": "48", "access": [{"role": "OWNER", "group_by_email": "bg@example.com"}, {"role": "WRITER", "user_by_email": "unistack-fn-load-raw@p.iam.gserviceaccount.com"}]})]), "lets unistack-fn-load-raw write ops")

test_internet_facing_subscribes if finds(array.concat(good, [rc("google_pubsub_subscription_iam_member", {"subscription": "s", "role": "roles/pubsub.subscriber", "member": sa("unistack-ingest")})]), "may do more than publish on Pub/Sub")

test_internet_facing_publishes_project_wide if finds(array.concat(good, [rc("google_project_iam_member", {"role": "roles/pubsub.publisher", "member": sa("unistack-ingest")})]), "may publish beyond one topic")

test_internet_facing_publishes_one_topic_passes if count(deny_with(array.concat(good, [rc("google_pubsub_topic_iam_member", {"topic": "purchases", "role": "roles/pubsub.publisher", "member": sa("unistack-ingest")})]))) == 0
