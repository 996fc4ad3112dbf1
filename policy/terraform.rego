# Security policy of the Unistack deployment, evaluated by OPA over `terraform show -json` of a
# plan of infra/ and of infra/bootstrap (test/infra/policy.test.ts). Every rule names a finding of
# issue 11 it keeps from coming back; policy/terraform_test.rego has a failing fixture per rule.
package unistack.terraform

import rego.v1

# --- What the plan creates ----------------------------------------------------------------------

resources contains r if {
	some change in input.resource_changes
	change.mode == "managed"
	not "delete" in change.change.actions
	r := {"address": change.address, "type": change.type, "name": change.name, "values": object.get(change.change, "after", {})}
}

data_sources contains r if {
	some change in input.resource_changes
	change.mode == "data"
	r := {"address": change.address, "type": change.type, "values": object.get(change.change, "after", {})}
}

# Every IAM grant in the plan, whatever it sits on: {address, type, role, member, condition}.
grants contains g if {
	some r in resources
	endswith(r.type, "_iam_member")
	g := {"address": r.address, "type": r.type, "role": r.values.role, "member": r.values.member, "condition": object.get(r.values, "condition", []), "values": r.values}
}

grants contains g if {
	some r in resources
	endswith(r.type, "_iam_binding")
	some member in r.values.members
	g := {"address": r.address, "type": r.type, "role": r.values.role, "member": member, "condition": object.get(r.values, "condition", []), "values": r.values}
}

# Authoritative policies: the bindings of the data.google_iam_policy they are built from.
grants contains g if {
	some r in resources
	endswith(r.type, "_iam_policy")
	policy := json.unmarshal(r.values.policy_data)
	some binding in policy.bindings
	some member in binding.members
	g := {"address": r.address, "type": r.type, "role": binding.role, "member": member, "condition": [object.get(binding, "condition", {})], "values": r.values}
}

# Dataset ACL entries, as grants of the legacy roles.
grants contains g if {
	some r in resources
	r.type == "google_bigquery_dataset"
	some entry in r.values.access
	member := acl_member(entry)
	g := {"address": r.address, "type": "google_bigquery_dataset.access", "role": entry.role, "member": member, "condition": [], "values": r.values}
}

# A plan writes unset attributes as null or "": only a non-empty string names a principal.
set_string(entry, key) := entry[key] if {
	is_string(entry[key])
	entry[key] != ""
}

acl_member(entry) := sprintf("user:%s", [set_string(entry, "user_by_email")])

acl_member(entry) := sprintf("group:%s", [set_string(entry, "group_by_email")])

acl_member(entry) := sprintf("specialGroup:%s", [set_string(entry, "special_group")])

acl_member(entry) := set_string(entry, "iam_member")

acl_member(entry) := sprintf("domain:%s", [set_string(entry, "domain")])

service_account(member) := email if {
	some prefix in ["serviceAccount:", "user:"]
	startswith(member, prefix)
	email := substring(member, count(prefix), -1)
	endswith(email, ".gserviceaccount.com")
}

# The pipeline's own identities; everything else that is a service account runs the platform.
pipeline_account(email) if regex.match(`^unistack-(deployer|deploy-plan|ci)@`, email)

runtime_account(member) if {
	email := service_account(member)
	not pipeline_account(email)
}

# --- Rules ----------------------------------------------------------------------------------------

basic_roles := {"roles/owner", "roles/editor", "roles/viewer"}

# Finding "PII readable by basic roles": no basic role anywhere, and no dataset ACL entry for the
# project's basic-role holders (projectOwners/projectWriters/projectReaders).
deny contains msg if {
	some g in grants
	g.role in basic_roles
	msg := sprintf("basic role %s granted to %s by %s", [g.role, g.member, g.address])
}

deny contains msg if {
	some g in grants
	startswith(g.member, "specialGroup:")
	msg := sprintf("%s gives %s to %s: basic-role holders would read the dataset", [g.address, g.role, g.member])
}

# Finding "internet-facing functions" and "allUsers beyond the webhook service": the public may only
# invoke the ingest Cloud Run service.
public_members := {"allUsers", "allAuthenticatedUsers", "specialGroup:allAuthenticatedUsers"}

deny contains msg if {
	some g in grants
	g.member in public_members
	not public_webhook_grant(g)
	msg := sprintf("%s makes %s available to %s: only the ingest service's run.invoker may be public", [g.address, g.role, g.member])
}

public_webhook_grant(g) if {
	g.type == "google_cloud_run_v2_service_iam_member"
	g.role == "roles/run.invoker"
	g.values.name == "ingest"
}

# Finding "project-wide admin roles for runtime accounts": project-level grants to runtime identities
# only of roles that read and administer nothing.
project_roles_for_runtime := {
	"roles/bigquery.jobUser",
	"roles/eventarc.eventReceiver",
	"roles/logging.logWriter",
	"roles/workflows.invoker",
}

deny contains msg if {
	some g in grants
	g.type == "google_project_iam_member"
	runtime_account(g.member)
	not g.role in project_roles_for_runtime
	not conditioned_staging_read(g)
	not gcs_agent_publishes(g)
	msg := sprintf("%s grants %s to runtime identity %s on the whole project", [g.address, g.role, g.member])
}

conditioned_staging_read(g) if {
	g.role == "roles/storage.objectViewer"
	some c in g.condition
	startswith(c.expression, "resource.name.startsWith(\"projects/_/buckets/gcf-v2-sources-")
}

gcs_agent_publishes(g) if {
	g.role == "roles/pubsub.publisher"
	endswith(g.member, "@gs-project-accounts.iam.gserviceaccount.com")
}

# Finding "deployer is effectively owner": no project-wide act-as or token minting for anyone, no
# admin role that reads data or secrets, and IAM admin only under a condition listing roles.
data_reading_admin_roles := {
	"roles/bigquery.admin", "roles/bigquery.dataOwner", "roles/bigquery.dataEditor", "roles/bigquery.dataViewer",
	"roles/storage.admin", "roles/storage.objectAdmin", "roles/storage.objectViewer",
	"roles/secretmanager.admin", "roles/secretmanager.secretAccessor",
	"roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator", "roles/iam.serviceAccountAdmin",
	"roles/iam.securityAdmin", "roles/resourcemanager.projectIamAdmin",
}

deny contains msg if {
	some g in grants
	g.type == "google_project_iam_member"
	g.role in data_reading_admin_roles
	not conditioned_staging_read(g)
	not conditioned_iam_admin(g)
	msg := sprintf("%s grants %s on the whole project to %s", [g.address, g.role, g.member])
}

conditioned_iam_admin(g) if {
	g.role == "roles/resourcemanager.projectIamAdmin"
	some c in g.condition
	contains(c.expression, "iam.googleapis.com/modifiedGrantsByRole")
	contains(c.expression, ".hasOnly(")
	not regex.match(`roles/(owner|editor|viewer|[a-z]+\.admin|resourcemanager\.|iam\.)`, c.expression)
}

deny contains msg if {
	some r in resources
	r.type == "google_project_iam_custom_role"
	some permission in r.values.permissions
	regex.match(`^(bigquery\.tables\.(getData|export|updateData)|storage\.objects\.|secretmanager\.versions\.access|iam\.serviceAccounts\.(actAs|getAccessToken|signBlob|signJwt|implicitDelegation))`, permission)
	msg := sprintf("custom role %s includes %s, which reads data, secrets or acts as others", [r.values.role_id, permission])
}

# Finding "datasets without authoritative access lists": each dataset carries its whole ACL, owned
# by a group (break-glass) and nobody else, and nothing adds grants beside it.
deny contains msg if {
	some r in resources
	r.type == "google_bigquery_dataset"
	not has_acl(r)
	msg := sprintf("%s has no access list: BigQuery would give the project's basic roles and its creator access", [r.address])
}

deny contains msg if {
	some g in grants
	g.type == "google_bigquery_dataset.access"
	g.role == "OWNER"
	not startswith(g.member, "group:")
	msg := sprintf("%s makes %s OWNER: only the break-glass group owns datasets", [g.address, g.member])
}

managed_datasets contains r.values.dataset_id if {
	some r in resources
	r.type == "google_bigquery_dataset"
}

deny contains msg if {
	some r in resources
	r.type in {"google_bigquery_dataset_iam_member", "google_bigquery_dataset_iam_binding", "google_bigquery_dataset_iam_policy", "google_bigquery_dataset_access"}
	r.values.dataset_id in managed_datasets
	msg := sprintf("%s adds a grant beside the authoritative access list of dataset %s", [r.address, r.values.dataset_id])
}

# Finding "buckets keep the legacy convenience bindings": uniform access, public access prevention,
# and an authoritative IAM policy for every bucket; no additive grants on them.
deny contains msg if {
	some r in resources
	r.type == "google_storage_bucket"
	not uniform_access(r)
	msg := sprintf("%s: uniform bucket-level access is off", [r.address])
}

deny contains msg if {
	some r in resources
	r.type == "google_storage_bucket"
	not public_access_prevented(r)
	msg := sprintf("%s: public access prevention is not enforced", [r.address])
}

deny contains msg if {
	some r in resources
	r.type == "google_storage_bucket"
	not authoritative_bucket_policy(r.values.name)
	msg := sprintf("%s has no authoritative IAM policy: it keeps the projectEditor/projectViewer convenience bindings", [r.address])
}

authoritative_bucket_policy(name) if {
	some p in resources
	p.type == "google_storage_bucket_iam_policy"
	p.values.bucket == name
}

deny contains msg if {
	some r in resources
	r.type in {"google_storage_bucket_iam_member", "google_storage_bucket_iam_binding"}
	msg := sprintf("%s adds a grant beside a bucket's authoritative policy", [r.address])
}

# Finding "ingest can read all raw PII": an identity the internet can reach may only create objects.
internet_facing contains r.values.template[0].service_account if {
	some r in resources
	r.type == "google_cloud_run_v2_service"
	some g in grants
	g.member in public_members
	g.values.name == r.values.name
}

deny contains msg if {
	some email in internet_facing
	some g in grants
	g.member == sprintf("serviceAccount:%s", [email])
	regex.match(`^roles/(storage\.(objectViewer|objectAdmin|admin|legacy.*)|bigquery\..*)$`, g.role)
	not suppression_list_read(g)
	msg := sprintf("internet-facing %s may read data: %s by %s", [email, g.role, g.address])
}

# The realtime path lets ingest publish a pointer per purchase (topic `purchases`): publishing is
# all an internet-facing identity may do on Pub/Sub (no subscribing, viewing or administering,
# which would let a compromised ingest read or redirect other feeds).
deny contains msg if {
	some email in internet_facing
	some g in grants
	g.member == sprintf("serviceAccount:%s", [email])
	startswith(g.role, "roles/pubsub.")
	g.role != "roles/pubsub.publisher"
	msg := sprintf("internet-facing %s may do more than publish on Pub/Sub: %s by %s", [email, g.role, g.address])
}

deny contains msg if {
	some email in internet_facing
	some g in grants
	g.member == sprintf("serviceAccount:%s", [email])
	g.role == "roles/pubsub.publisher"
	g.type != "google_pubsub_topic_iam_member"
	msg := sprintf("internet-facing %s may publish beyond one topic: %s by %s", [email, g.role, g.address])
}

# The one read ingest needs: the suppression list (privacy/suppression.json), by its exact name, so
# that erased people's records land nowhere. Salted hashes only; no prefix, no listing.
suppression_list_read(g) if {
	g.role == "roles/storage.objectViewer"
	count(g.condition) == 1
	regex.match(`^resource\.name == "projects/_/buckets/[a-z0-9._-]+/objects/privacy/suppression\.json"$`, g.condition[0].expression)
}

deny contains msg if {
	some email in internet_facing
	some g in grants
	g.member == sprintf("user:%s", [email])
	g.type == "google_bigquery_dataset.access"
	msg := sprintf("internet-facing %s is on the access list of %s", [email, g.address])
}

# Finding "supply chain": what runs is named by content, never by a tag.
deny contains msg if {
	some r in resources
	r.type == "google_cloud_run_v2_service"
	some container in r.values.template[0].containers
	not pinned_image(container)
	msg := sprintf("%s runs image %s, which is not pinned by digest", [r.address, container.image])
}

deny contains msg if {
	some r in resources
	r.type == "google_cloudfunctions2_function"
	not content_addressed_source(r)
	msg := sprintf("%s is not built from a function zip named by its SHA-256", [r.address])
}

deny contains msg if {
	some r in resources
	r.type in {"google_cloud_run_v2_service", "google_cloudfunctions2_function"}
	not labelled_with_commit(r)
	msg := sprintf("%s is not labelled with the commit it was built from", [r.address])
}

# Smaller finding "secrets pinned to latest": every binding names a version number.
deny contains msg if {
	some r in resources
	r.type == "google_cloud_run_v2_service"
	some container in r.values.template[0].containers
	some env in container.env
	some source in env.value_source
	some ref in source.secret_key_ref
	not version_number(ref)
	msg := sprintf("%s binds secret %s as version %s, not a version number", [r.address, ref.secret, ref.version])
}

deny contains msg if {
	some r in resources
	r.type == "google_cloudfunctions2_function"
	some binding in r.values.service_config[0].secret_environment_variables
	not version_number(binding)
	msg := sprintf("%s binds secret %s as version %s, not a version number", [r.address, binding.secret, binding.version])
}

# Every workload runs as a named identity of ours, never a default account.
workload_identity(r) := r.values.service_config[0].service_account_email if r.type == "google_cloudfunctions2_function"

workload_identity(r) := r.values.template[0].service_account if r.type == "google_cloud_run_v2_service"

deny contains msg if {
	some r in resources
	r.type in {"google_cloudfunctions2_function", "google_cloud_run_v2_service"}
	not runs_as_ours(r)
	msg := sprintf("%s does not run as a unistack-* service account", [r.address])
}

# Finding "audit": Data Access logs for Cloud Storage and Secret Manager, and a locked regional
# bucket that every audit log is routed to.
audited_services := {"storage.googleapis.com", "secretmanager.googleapis.com"}

deny contains msg if {
	bootstrap_plan
	some service in audited_services
	not data_access_audited(service)
	msg := sprintf("no Data Access audit logs (DATA_READ and DATA_WRITE) for %s", [service])
}

# Only the bootstrap plan holds the project-wide controls.
bootstrap_plan if {
	some r in resources
	r.type == "google_cloudbuild_trigger"
}

data_access_audited(service) if {
	some r in resources
	r.type == "google_project_iam_audit_config"
	r.values.service == service
	types := {c.log_type | some c in r.values.audit_log_config}
	{"DATA_READ", "DATA_WRITE"} & types == {"DATA_READ", "DATA_WRITE"}
}

deny contains msg if {
	bootstrap_plan
	not locked_audit_bucket
	msg := "no locked audit log bucket with a sink routing cloudaudit logs to it"
}

locked_audit_bucket if {
	some bucket in resources
	bucket.type == "google_logging_project_bucket_config"
	bucket.values.locked == true
	bucket.values.location != "global"
	some sink in resources
	sink.type == "google_logging_project_sink"
	contains(sink.values.filter, "cloudaudit.googleapis.com")
	contains(sink.values.destination, sprintf("/buckets/%s", [bucket.values.bucket_id]))
}

# Finding "CI/CD": every build runs as a named account; pull-request builds of outside contributors
# wait for a comment; deploys build only from main and the apply waits for an approval.
deny contains msg if {
	some r in resources
	r.type == "google_cloudbuild_trigger"
	not set_string(r.values, "service_account")
	msg := sprintf("%s runs as Cloud Build's default account", [r.address])
}

deny contains msg if {
	some r in resources
	r.type == "google_cloudbuild_trigger"
	some pr in r.values.github[0].pull_request
	not comment_gated(pr)
	msg := sprintf("%s builds outside contributors' pull requests without a maintainer's comment", [r.address])
}

deny contains msg if {
	some r in resources
	r.type == "google_cloudbuild_trigger"
	r.values.filename != "cloudbuild.yaml"
	some push in r.values.github[0].push
	push.branch != "^main$"
	msg := sprintf("%s deploys from %s, not only from main", [r.address, push.branch])
}

deny contains msg if {
	some r in resources
	r.type == "google_cloudbuild_trigger"
	r.values.filename != "cloudbuild.yaml"
	count(r.values.github[0].pull_request) > 0
	msg := sprintf("%s runs the deploy pipeline on pull requests", [r.address])
}

deny contains msg if {
	some r in resources
	r.type == "google_cloudbuild_trigger"
	r.values.substitutions._PHASE == "apply"
	not approval_required(r)
	msg := sprintf("%s applies without an approval", [r.address])
}

deny contains msg if {
	some r in resources
	r.type == "google_cloudbuild_trigger"
	r.values.filename == "cloudbuild.yaml"
	account := split(r.values.service_account, "/serviceAccounts/")[1]
	some g in grants
	g.type == "google_project_iam_member"
	g.member == sprintf("serviceAccount:%s", [account])
	msg := sprintf("CI account %s (which builds pull requests) holds %s on the project", [account, g.role])
}

# Finding "column-level protection": an enforced taxonomy with a masking policy per kind of
# contact detail.
deny contains msg if {
	not bootstrap_plan
	some kind in {"email", "phone", "address"}
	not masked_tag(kind)
	msg := sprintf("no enforced policy tag with a masking data policy for %s", [kind])
}

masked_tag(kind) if {
	some taxonomy in resources
	taxonomy.type == "google_data_catalog_taxonomy"
	"FINE_GRAINED_ACCESS_CONTROL" in taxonomy.values.activated_policy_types
	some tag in resources
	tag.type == "google_data_catalog_policy_tag"
	tag.values.display_name == kind
	some policy in resources
	policy.type == "google_bigquery_datapolicy_data_policy"
	policy.values.data_policy_type == "DATA_MASKING_POLICY"
	endswith(policy.values.data_policy_id, sprintf("_%s", [kind]))
}

# Smaller finding "raw lake objects kept forever while raw tables expire": raw/ is deleted when raw
# partitions expire.
deny contains msg if {
	some lake in resources
	lake.type == "google_storage_bucket"
	endswith(lake.values.name, "-unistack-lake")
	some raw in resources
	raw.type == "google_bigquery_dataset"
	raw.values.dataset_id == "raw"
	expiry_days := raw.values.default_partition_expiration_ms / 86400000
	not raw_deleted_after(lake, expiry_days)
	msg := sprintf("raw tables expire after %v days but the lake's raw/ objects are not deleted then", [expiry_days])
}

raw_deleted_after(lake, days) if {
	some rule in lake.values.lifecycle_rule
	rule.action[0].type == "Delete"
	rule.condition[0].matches_prefix == ["raw/"]
	rule.condition[0].age == days
}

# Every dataset keeps the shortest time travel (erasure completes within 9 days).
deny contains msg if {
	some r in resources
	r.type == "google_bigquery_dataset"
	to_number(r.values.max_time_travel_hours) != 48
	msg := sprintf("%s keeps %v hours of time travel, not 48", [r.address, r.values.max_time_travel_hours])
}

# Smaller finding "a shared ops dataset three accounts can rewrite": each ops dataset has its own
# writers.
ops_writers := {
	"ops": {"unistack-fn-plan-activation", "unistack-fn-activate-meta", "unistack-fn-act-google-ads", "unistack-fn-act-sendgrid", "unistack-fn-act-hubspot", "unistack-fn-realtime", "unistack-fn-privacy"},
	"ops_load": {"unistack-fn-load-raw", "unistack-fn-privacy"},
	"ops_pull": {"unistack-fn-pull"},
}

deny contains msg if {
	some r in resources
	r.type == "google_bigquery_dataset"
	startswith(r.values.dataset_id, "ops")
	some entry in r.values.access
	entry.role in {"WRITER", "OWNER"}
	account := split(set_string(entry, "user_by_email"), "@")[0]
	not account in object.get(ops_writers, r.values.dataset_id, set())
	msg := sprintf("%s lets %s write %s, which is not its ledger", [r.address, account, r.values.dataset_id])
}

# --- Helpers negated above (a rule, so that a missing attribute counts as "not") ---------------------

has_acl(r) if count(r.values.access) > 0

uniform_access(r) if r.values.uniform_bucket_level_access == true

public_access_prevented(r) if r.values.public_access_prevention == "enforced"

pinned_image(container) if regex.match(`@sha256:[0-9a-f]{64}$`, container.image)

content_addressed_source(r) if regex.match(`^functions/[0-9a-f]{64}\.zip$`, r.values.build_config[0].source[0].storage_source[0].object)

labelled_with_commit(r) if regex.match(`^[0-9a-f]{40}$`, r.values.labels.commit)

version_number(binding) if regex.match(`^[1-9][0-9]*$`, binding.version)

runs_as_ours(r) if startswith(workload_identity(r), "unistack-")

comment_gated(pr) if pr.comment_control in {"COMMENTS_ENABLED_FOR_EXTERNAL_CONTRIBUTORS_ONLY", "COMMENTS_ENABLED"}

approval_required(r) if r.values.approval_config[0].approval_required == true
