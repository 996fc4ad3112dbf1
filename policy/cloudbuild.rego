# Policy over the Cloud Build configs (cloudbuild.yaml, cloudbuild-deploy.yaml), evaluated by OPA
# with the YAML file as input (test/infra/policy.test.ts). Findings of issue 11 "CI/CD" and
# "supply chain".
package unistack.cloudbuild

import rego.v1

# Every build step's image is pinned by digest: a moved tag cannot change what runs with the
# build's token in reach.
deny contains msg if {
	some i, step in input.steps
	not regex.match(`@sha256:[0-9a-f]{64}$`, step.name)
	msg := sprintf("step %v (%s) uses image %s, which is not pinned by digest", [i, object.get(step, "id", "?"), step.name])
}

# npm never runs lifecycle scripts of dependencies in a build.
deny contains msg if {
	some i, step in input.steps
	command := step_text(step)
	regex.match(`(^|[\s;&|])npm (ci|install|i)([\s;&|]|$)`, command)
	not contains(command, "--ignore-scripts")
	msg := sprintf("step %v (%s) runs npm ci/install without --ignore-scripts", [i, object.get(step, "id", "?")])
}

step_text(step) := concat(" ", array.concat([object.get(step, "entrypoint", "")], object.get(step, "args", [])))

# No deploy switch a pull request could flip: deploying is the deploy pipeline's job alone.
deny contains msg if {
	some key, _ in object.get(input, "substitutions", {})
	key == "_DEPLOY"
	msg := "substitution _DEPLOY: a build must not deploy because of a value its own config sets"
}

deny contains msg if {
	input_is_ci
	some i, step in input.steps
	regex.match(`terraform (apply|import|state)|gcloud .*(deploy|iam|secrets versions access)|gcloud storage cp`, step_text(step))
	msg := sprintf("CI step %v (%s) changes or reads the deployment", [i, object.get(step, "id", "?")])
}

input_is_ci if not "_PHASE" in object.keys(object.get(input, "substitutions", {}))

# Builds write their logs somewhere explicit (a user-specified service account requires it).
deny contains msg if {
	not input.options.logging
	msg := "options.logging is not set"
}

# Finding "plan and apply in one unattended build": an apply applies a saved plan file (the one the
# approver read), never a fresh plan of its own.
deny contains msg if {
	some i, step in input.steps
	text := step_text(step)
	contains(text, "terraform apply")
	not applies_saved_plan(text)
	msg := sprintf("step %v (%s) runs terraform apply without a saved plan file", [i, object.get(step, "id", "?")])
}

applies_saved_plan(text) if {
	regex.match(`terraform apply( -input=false)? \S*tfplan`, text)
	not contains(text, "-auto-approve")
	not contains(text, "-var")
}
