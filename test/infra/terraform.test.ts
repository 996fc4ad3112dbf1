import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncTarget } from "../../functions/core/activation/sync-config.js";
import { LAKE_PREFIXES } from "../../functions/core/privacy/lake-prefixes.js";
import { parsePrivacyMessage } from "../../functions/core/privacy/privacy-message.js";
import { SUPPRESSION_OBJECT } from "../../functions/core/privacy/suppression-list.js";
import { PRIVACY_SALT_ENV } from "../../functions/core/privacy/suppression-source.js";
import { WAREHOUSE_TABLES } from "../../functions/core/privacy/warehouse-tables.js";
import { PURCHASES_TOPIC } from "../../functions/core/realtime/purchase-message.js";
import { hubspotClientOptionsFromEnv } from "../../functions/destinations/hubspot/client.js";
import { metaClientOptionsFromEnv } from "../../functions/destinations/meta/config.js";
import { sendgridClientOptionsFromEnv } from "../../functions/destinations/sendgrid/client.js";
import {
  activateMetaSettings,
  activateSettings,
  configuredSyncs,
} from "../../functions/handlers/configured-syncs.js";
import { succeededDataformRun } from "../../functions/handlers/dataform-run-finished.js";
import { loadSweepConfig } from "../../functions/handlers/load-raw.js";
import { PullMessageSchema, pullBudgetMs } from "../../functions/handlers/pull.js";
import { removeOnPurchaseSyncs } from "../../functions/handlers/realtime-purchase.js";
import { FUNCTION_TARGETS } from "../../functions/index.js";
import { createEnvSecrets } from "../../functions/platform/env-secrets.js";
import { GcpEnvSchema } from "../../functions/platform/gcp/gcp-platform.js";
import {
  connectionSecrets,
  connectionsOf,
  loadConnections,
} from "../../functions/sources/connections.js";
import { GoogleAdsSettingsSchema } from "../../functions/sources/google-ads/api.js";
import { MetaAdsSettingsSchema } from "../../functions/sources/meta-ads/api.js";
import { pullSources } from "../../functions/sources/pull-registry.js";
import { webhookSources } from "../../functions/sources/registry.js";
import { SOURCE_NAMES } from "../../functions/sources/source-names.js";
import { REPO_ROOT, requireTool } from "../support/external-tools.js";

// biome-ignore lint/suspicious/noExplicitAny: the plan's values are untyped JSON.
type PlanValues = Record<string, any>;

import {
  denials,
  planJson,
  type ResourceChange,
  type TerraformPlan,
  terraformCli,
  terraformWorkspace,
  type Workspace,
} from "./terraform.js";

/**
 * infra/ and infra/bootstrap checked by the tools that deploy them: `terraform fmt`, `validate` and
 * an offline `plan` with the real google provider, then the security policy (policy/*.rego) by OPA
 * over `terraform show -json` of that plan and over the Cloud Build configs. On a laptop without
 * terraform, the provider build or OPA (.ci/install-tools) these skip with a [skip] line; CI
 * requires them.
 */

const terraform = terraformCli();
const provider = requireTool(
  "terraform-provider-google",
  "Terraform validate/plan of infra/ (the google provider built by .ci/install-tools)",
);
const opa = requireTool("opa", "the OPA security policy over the Terraform plan");
const ready = terraform.ok && provider.ok && opa.ok;
const FIXTURES = join(REPO_ROOT, "test/infra/fixtures");

const valuesOf = (change: ResourceChange): Record<string, unknown> => change.change.after ?? {};
const ofType = (plan: TerraformPlan, type: string) =>
  plan.resource_changes.filter((c) => c.mode === "managed" && c.type === type);

describe.skipIf(!ready)("infra/ checked by Terraform and OPA", () => {
  const workspaces: Workspace[] = [];
  let infra: TerraformPlan;
  let bootstrap: TerraformPlan;

  beforeAll(() => {
    if (!terraform.ok || !provider.ok) return;
    const main = terraformWorkspace(terraform.path, provider.path, "infra");
    const boot = terraformWorkspace(terraform.path, provider.path, "infra/bootstrap");
    workspaces.push(main, boot);
    infra = planJson(main, join(FIXTURES, "infra.tfvars.json"));
    bootstrap = planJson(boot, join(FIXTURES, "bootstrap.tfvars.json"));
  }, 600_000);

  afterAll(() => {
    for (const workspace of workspaces) workspace.remove();
  });

  it("is formatted the way `terraform fmt` writes it", () => {
    if (!terraform.ok) return;
    // An empty CLI configuration: without one, OpenTofu warns on stdout, where the list goes.
    const config = join(workspaces[0]?.dir ?? REPO_ROOT, "..", "fmtrc");
    writeFileSync(config, "");
    const result = spawnSync(
      terraform.path,
      ["fmt", "-check", "-recursive", "-list=true", join(REPO_ROOT, "infra")],
      {
        encoding: "utf8",
        env: { ...process.env, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: config },
      },
    );
    expect(result.stdout.trim(), "files `terraform fmt -recursive infra` would rewrite").toBe("");
    expect(result.status).toBe(0);
  });

  it("validates both modules against the provider's schemas and validators", () => {
    for (const workspace of workspaces) {
      const result = workspace.run(["validate", "-json", "-no-color"]);
      const report = JSON.parse(result.stdout) as { valid: boolean; diagnostics: unknown[] };
      expect(report.diagnostics, workspace.dir).toEqual([]);
      expect(report.valid).toBe(true);
    }
  });

  it("refuses bad inputs by their own validations (terraform test, mocked provider)", () => {
    const [main] = workspaces;
    if (!main) return;
    const result = main.run(["test", "-no-color"]);
    expect(result.stdout, result.stderr).toMatch(/Success! (\d+) passed, 0 failed/);
    // Every run of infra/tests/variables.tftest.hcl, the bad inputs and the defaults.
    expect(Number(/Success! (\d+) passed/.exec(result.stdout)?.[1])).toBeGreaterThanOrEqual(11);
    expect(result.status).toBe(0);
  });

  it("plans every resource of both modules without a single policy finding", () => {
    expect(infra.resource_changes.length).toBeGreaterThan(80);
    expect(bootstrap.resource_changes.length).toBeGreaterThan(40);
    expect(denials(opa.ok ? opa.path : "", "terraform", infra)).toEqual([]);
    expect(denials(opa.ok ? opa.path : "", "terraform", bootstrap)).toEqual([]);
  });

  it("checks the Cloud Build configs: pinned images, no install scripts, no deploy switch", () => {
    const path = opa.ok ? opa.path : "";
    for (const file of ["cloudbuild.yaml", "cloudbuild-deploy.yaml"]) {
      expect(denials(path, "cloudbuild", { file: join(REPO_ROOT, file) }), file).toEqual([]);
    }
  });

  it("passes the policy's own tests: every rule fails its bad fixture (opa test)", () => {
    if (!opa.ok) return;
    const result = spawnSync(opa.path, ["test", join(REPO_ROOT, "policy"), "-v"], {
      encoding: "utf8",
    });
    expect(result.stdout + result.stderr).toMatch(/PASS: \d+\/\d+/);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    // One bad fixture per rule at least: as many tests as deny rules.
    expect(Number(/PASS: (\d+)\//.exec(result.stdout)?.[1])).toBeGreaterThanOrEqual(35);
  });

  describe("the real plan, made worse, is refused", () => {
    // Each mutation brings back one finding of issue 11 in the plan the configuration produced.
    // biome-ignore lint/suspicious/noExplicitAny: the plan's values are untyped JSON, edited in place.
    type Values = any;
    const mutate = (plan: TerraformPlan, address: string, edit: (values: Values) => void) => {
      const copy = structuredClone(plan);
      const change = copy.resource_changes.find((c) => c.address === address);
      if (!change?.change.after) throw new Error(`${address} is not in the plan`);
      edit(change.change.after);
      return denials(opa.ok ? opa.path : "", "terraform", copy);
    };
    const addGrant = (plan: TerraformPlan, type: string, values: Record<string, unknown>) => {
      const copy = structuredClone(plan);
      copy.resource_changes.push({
        address: `${type}.injected`,
        mode: "managed",
        type,
        name: "injected",
        change: { actions: ["create"], after: values },
      });
      return denials(opa.ok ? opa.path : "", "terraform", copy);
    };

    it("a deploy by tag", () => {
      expect(
        mutate(infra, "google_cloud_run_v2_service.ingest", (v) => {
          v.template[0].containers[0].image =
            "europe-west1-docker.pkg.dev/p/unistack/ingest:latest";
        }),
      ).toEqual([expect.stringMatching(/not pinned by digest/)]);
    });

    it("the ingest identity reading the lake", () => {
      const policy = "google_storage_bucket_iam_policy.lake";
      expect(
        mutate(infra, policy, (v) => {
          const data = JSON.parse(v.policy_data);
          data.bindings.push({
            role: "roles/storage.objectViewer",
            members: [
              "serviceAccount:unistack-ingest@unistack-policy-test.iam.gserviceaccount.com",
            ],
          });
          v.policy_data = JSON.stringify(data);
        }),
      ).toEqual([expect.stringMatching(/internet-facing .* may read data/)]);
    });

    it("the ingest identity's read of the suppression list widened beyond that one object", () => {
      const policy = "google_storage_bucket_iam_policy.lake";
      const ingest = "serviceAccount:unistack-ingest@unistack-policy-test.iam.gserviceaccount.com";
      expect(
        mutate(infra, policy, (v) => {
          const data = JSON.parse(v.policy_data);
          for (const binding of data.bindings) {
            if (binding.role === "roles/storage.objectViewer" && binding.members.includes(ingest)) {
              // The configuration grants exactly the list, by name.
              expect(binding.condition.expression).toBe(
                `resource.name == "projects/_/buckets/unistack-policy-test-unistack-lake/objects/${SUPPRESSION_OBJECT}"`,
              );
              binding.condition.expression = binding.condition.expression
                .replace(" == ", ".startsWith(")
                .replace('suppression.json"', '")');
            }
          }
          v.policy_data = JSON.stringify(data);
        }),
      ).toEqual([expect.stringMatching(/internet-facing .* may read data/)]);
    });

    it("a dataset without its access list, or with the project's basic-role holders on it", () => {
      expect(
        mutate(infra, 'google_bigquery_dataset.dataset["marts"]', (v) => {
          v.access = [];
        }),
      ).toEqual([expect.stringMatching(/has no access list/)]);
      expect(
        mutate(infra, 'google_bigquery_dataset.dataset["raw"]', (v) => {
          v.access.push({ role: "READER", special_group: "projectReaders" });
        }),
      ).toEqual([expect.stringMatching(/specialGroup:projectReaders/)]);
    });

    it("a basic role, project-wide admin for a runtime account, allUsers elsewhere", () => {
      const runtime =
        "serviceAccount:unistack-fn-load-raw@unistack-policy-test.iam.gserviceaccount.com";
      expect(
        addGrant(infra, "google_project_iam_member", { role: "roles/editor", member: runtime }),
      ).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/basic role roles\/editor/),
          expect.stringMatching(/to runtime identity/),
        ]),
      );
      expect(
        addGrant(infra, "google_project_iam_member", {
          role: "roles/bigquery.admin",
          member: runtime,
        }),
      ).toEqual(
        expect.arrayContaining([expect.stringMatching(/bigquery.admin on the whole project/)]),
      );
      expect(
        addGrant(infra, "google_pubsub_topic_iam_member", {
          role: "roles/pubsub.publisher",
          member: "allUsers",
          topic: "activate-meta",
        }),
      ).toEqual([expect.stringMatching(/only the ingest service's run.invoker may be public/)]);
    });

    it("a bucket keeping its convenience bindings, or without uniform access", () => {
      expect(
        mutate(infra, "google_storage_bucket.lake", (v) => {
          v.uniform_bucket_level_access = false;
          v.public_access_prevention = "inherited";
        }),
      ).toEqual([
        expect.stringMatching(/public access prevention is not enforced/),
        expect.stringMatching(/uniform bucket-level access is off/),
      ]);
    });

    it("Data Access audit logs turned off, an unconditioned IAM admin, an unapproved apply", () => {
      const copy = structuredClone(bootstrap);
      copy.resource_changes = copy.resource_changes.filter(
        (c) =>
          c.address !== 'google_project_iam_audit_config.data_access["storage.googleapis.com"]',
      );
      expect(denials(opa.ok ? opa.path : "", "terraform", copy)).toEqual([
        "no Data Access audit logs (DATA_READ and DATA_WRITE) for storage.googleapis.com",
      ]);
      expect(
        mutate(bootstrap, "google_project_iam_member.deployer_grants_listed_roles_only", (v) => {
          v.condition = [];
        }),
      ).toEqual([expect.stringMatching(/projectIamAdmin on the whole project/)]);
      expect(
        mutate(bootstrap, 'google_cloudbuild_trigger.trigger["deploy_apply"]', (v) => {
          v.approval_config = [{ approval_required: false }];
        }),
      ).toEqual([expect.stringMatching(/applies without an approval/)]);
    });
  });

  describe("what only this repository can know", () => {
    it("refers to exactly the service accounts infra/bootstrap creates", () => {
      const created = ofType(bootstrap, "google_service_account")
        .map(
          (c) => `${String(valuesOf(c).account_id)}@unistack-policy-test.iam.gserviceaccount.com`,
        )
        .sort();
      const referenced = new Set<string>();
      for (const match of JSON.stringify(infra.resource_changes).matchAll(
        /unistack-[a-z-]+@unistack-policy-test\.iam\.gserviceaccount\.com/g,
      )) {
        referenced.add(match[0]);
      }
      // The pipeline's own accounts appear in infra/ only where they are given access.
      for (const email of referenced) expect(created, email).toContain(email);
      // Every other account runs something infra/ deploys, so infra/ names it.
      const runtime = created.filter((e) => !/unistack-(ci|deployer|deploy-plan)@/.test(e));
      for (const email of runtime) expect([...referenced], email).toContain(email);
    });

    it("grants on the project only roles the deployer's condition lets it grant", () => {
      const condition = ofType(bootstrap, "google_project_iam_member")
        .map(valuesOf)
        .find((v) => v.role === "roles/resourcemanager.projectIamAdmin")?.condition as Array<{
        expression: string;
      }>;
      const grantable = [...(condition?.[0]?.expression.matchAll(/'(roles\/[^']+)'/g) ?? [])].map(
        (m) => m[1],
      );
      const granted = new Set(
        ofType(infra, "google_project_iam_member").map((c) => valuesOf(c).role),
      );
      expect(granted.size).toBeGreaterThan(0);
      for (const role of granted) expect(grantable, String(role)).toContain(role);
    });

    it("gives every deployed entry point the environment its own parser requires", () => {
      // What each service is started with, secrets as placeholders (their values never pass
      // through Terraform), fed to the parsers the entry points run at start.
      const envOf = (address: string): Record<string, string> => {
        const change = infra.resource_changes.find((c) => c.address === address);
        // biome-ignore lint/suspicious/noExplicitAny: the plan's values are untyped JSON.
        const v = (change?.change.after ?? {}) as Record<string, any>;
        if (change?.type === "google_cloud_run_v2_service") {
          const env = v.template[0].containers[0].env as Array<{
            name: string;
            value: string | null;
            value_source: unknown[] | null;
          }>;
          return Object.fromEntries(
            env.map((e) => [
              e.name,
              e.value_source?.length ? "secret-placeholder" : (e.value ?? ""),
            ]),
          );
        }
        const config = v.service_config[0];
        return {
          ...config.environment_variables,
          ...Object.fromEntries(
            (config.secret_environment_variables as Array<{ key: string }>).map((s) => [
              s.key,
              "secret-placeholder",
            ]),
          ),
        };
      };
      const ingest = envOf("google_cloud_run_v2_service.ingest");
      expect(GcpEnvSchema.parse(ingest).GOOGLE_CLOUD_PROJECT).toBe("unistack-policy-test");
      for (const name of ["SHOPIFY_WEBHOOK_SECRET", "SENDGRID_WEBHOOK_PUBLIC_KEY"]) {
        expect(Object.keys(ingest)).toContain(name);
      }
      const fn = (key: string) => envOf(`google_cloudfunctions2_function.fn["${key}"]`);
      const activators = [
        "activate_meta",
        "activate_google_ads",
        "activate_sendgrid",
        "activate_hubspot",
      ];
      for (const key of ["load_raw", "plan_activation", "pull", ...activators]) {
        expect(GcpEnvSchema.parse(fn(key)).UNISTACK_LAKE_BUCKET, key).toBe(
          "unistack-policy-test-unistack-lake",
        );
      }
      expect(loadSweepConfig(fn("load_raw")).jobsPerTablePerDay).toBeLessThanOrEqual(1_500);
      // pull and ingest read the same connections; each connection finds its own secrets under
      // the source's names (the per-connection map), bound from Secret Manager.
      const pull = fn("pull");
      expect(pullBudgetMs(pull)).toBeLessThan(540_000);
      for (const env of [pull, ingest]) {
        const connections = loadConnections(env, SOURCE_NAMES);
        expect(connectionsOf(connections, "shopify").map((c) => c.id)).toEqual(["eu"]);
      }
      const pulled = loadConnections(pull, SOURCE_NAMES);
      const secretOf = (source: string, name: string) => {
        const [connection] = connectionsOf(pulled, source);
        if (!connection) throw new Error(`no ${source} connection`);
        return connectionSecrets(createEnvSecrets(pull), connection).get(name);
      };
      expect(secretOf("shopify", "SHOPIFY_ADMIN_ACCESS_TOKEN")).toBe("secret-placeholder");
      expect(pull.SHOPIFY_ADMIN_ACCESS_TOKEN_EU).toBe("secret-placeholder");
      // The only shop reads its token from its own variable: none is bound under the bare name.
      expect(pull.SHOPIFY_ADMIN_ACCESS_TOKEN).toBeUndefined();
      // Google Ads: the refresh token and its OAuth client, never a short-lived access token.
      for (const name of [
        "GOOGLE_ADS_CLIENT_ID",
        "GOOGLE_ADS_CLIENT_SECRET",
        "GOOGLE_ADS_REFRESH_TOKEN",
      ])
        expect(secretOf("google_ads", name), name).toBe("secret-placeholder");
      expect(pull.GOOGLE_ADS_ACCESS_TOKEN).toBeUndefined();
      expect(secretOf("google_ads", "GOOGLE_ADS_DEVELOPER_TOKEN")).toBe("secret-placeholder");
      expect(secretOf("meta_ads", "META_ADS_ACCESS_TOKEN")).toBe("secret-placeholder");
      expect(
        GoogleAdsSettingsSchema.parse(connectionsOf(pulled, "google_ads")[0]?.settings).customerId,
      ).toBe("1234567890");
      expect(
        MetaAdsSettingsSchema.parse(connectionsOf(pulled, "meta_ads")[0]?.settings).adAccountId,
      ).toBe("1234567");
      // The EU shop's webhook secret on ingest, its Admin API token on pull, neither on the other.
      expect(ingest.SHOPIFY_WEBHOOK_SECRET_EU).toBe("secret-placeholder");
      expect(ingest.SHOPIFY_ADMIN_ACCESS_TOKEN_EU).toBeUndefined();
      expect(pull.SHOPIFY_WEBHOOK_SECRET_EU).toBeUndefined();
      // Both consult the suppression list before landing: the salt that keys it, from Secret
      // Manager, on both (without it ingest answers 503 once someone was erased).
      expect(ingest[PRIVACY_SALT_ENV]).toBe("secret-placeholder");
      expect(pull[PRIVACY_SALT_ENV]).toBe("secret-placeholder");
      // UNISTACK_SYNCS of the fixture: one sync per destination, each planned and each sent by
      // its own activate function.
      expect(configuredSyncs(fn("plan_activation")).map(syncTarget)).toEqual([
        "120200000000000000",
        "1234567890/9876543210",
        "0f6d7a4e-3b2c-4d5e-8f9a-0b1c2d3e4f5a",
        "120200000000000001",
        "1234567890/9876543211",
        "tasks",
      ]);
      expect(activateMetaSettings(fn("activate_meta"))).toMatchObject({
        syncs: [
          expect.objectContaining({ id: "meta_recent_purchasers" }),
          expect.objectContaining({ id: "meta_retargeting" }),
        ],
        maxDeliveries: 15,
      });
      // The realtime path: the function reads the syncs with a purchase rule and Meta's token;
      // ingest is told the topic to announce purchases on.
      const realtime = fn("realtime_purchase");
      expect(removeOnPurchaseSyncs(configuredSyncs(realtime)).map((s) => s.id)).toEqual([
        "meta_retargeting",
        "google_retargeting",
      ]);
      expect(metaClientOptionsFromEnv(realtime).accessToken).toBe("secret-placeholder");
      expect(GcpEnvSchema.parse(realtime).UNISTACK_LAKE_BUCKET).toBe(
        "unistack-policy-test-unistack-lake",
      );
      expect(ingest.UNISTACK_PURCHASES_TOPIC).toBe(PURCHASES_TOPIC);
      expect(metaClientOptionsFromEnv(fn("activate_meta")).accessToken).toBe("secret-placeholder");
      expect(activateSettings("google_ads", fn("activate_google_ads"))).toMatchObject({
        syncs: [
          expect.objectContaining({ id: "google_recent_purchasers" }),
          expect.objectContaining({ id: "google_retargeting" }),
        ],
        maxDeliveries: 15,
      });
      // Customer Match runs on the function's own identity: no key is bound to it.
      expect(
        Object.values(fn("activate_google_ads")).filter((v) => v === "secret-placeholder"),
      ).toEqual([]);
      expect(activateSettings("sendgrid", fn("activate_sendgrid")).syncs.map(syncTarget)).toEqual([
        "0f6d7a4e-3b2c-4d5e-8f9a-0b1c2d3e4f5a",
      ]);
      expect(sendgridClientOptionsFromEnv(fn("activate_sendgrid")).apiKey).toBe(
        "secret-placeholder",
      );
      // HubSpot: its own private app token (not the pull's read-only one), the tasks sync.
      expect(activateSettings("hubspot", fn("activate_hubspot")).syncs.map((s) => s.id)).toEqual([
        "hubspot_webinar_tasks",
      ]);
      expect(hubspotClientOptionsFromEnv(fn("activate_hubspot")).accessToken).toBe(
        "secret-placeholder",
      );
      expect(fn("activate_hubspot").HUBSPOT_ACCESS_TOKEN).toBeUndefined();
    });

    it("delivers each destination a sync goes to like activate-meta: own identity, push with dead letter, read on activation/ only", () => {
      const named = (type: string, name: string) =>
        ofType(infra, type)
          .map(valuesOf)
          .find((v) => v.name === name) ?? {};
      const lake = JSON.parse(
        String(
          valuesOf(ofType(infra, "google_storage_bucket_iam_policy")[0] as ResourceChange)
            .policy_data,
        ),
      ) as { bindings: { role: string; members: string[]; condition?: { expression: string } }[] };
      const ops = ofType(infra, "google_bigquery_dataset")
        .map(valuesOf)
        .find((d) => d.dataset_id === "ops") as {
        access: { role: string; user_by_email: string }[];
      };
      for (const [destination, account] of [
        ["meta", "unistack-fn-activate-meta"],
        ["google-ads", "unistack-fn-act-google-ads"],
        ["sendgrid", "unistack-fn-act-sendgrid"],
        ["hubspot", "unistack-fn-act-hubspot"],
      ] as const) {
        const name = `activate-${destination}`;
        const email = `${account}@unistack-policy-test.iam.gserviceaccount.com`;
        // biome-ignore lint/suspicious/noExplicitAny: the plan's values are untyped JSON.
        const fn = named("google_cloudfunctions2_function", name) as Record<string, any>;
        expect(fn.service_config?.[0]?.service_account_email, name).toBe(email);
        expect(fn.service_config[0].ingress_settings).toBe("ALLOW_INTERNAL_ONLY");
        expect(fn.build_config[0].entry_point).toBe(
          `activate${{ "google-ads": "GoogleAds", sendgrid: "Sendgrid", hubspot: "Hubspot", meta: "Meta" }[destination]}`,
        );
        // biome-ignore lint/suspicious/noExplicitAny: the plan's values are untyped JSON.
        const push = named("google_pubsub_subscription", `${name}-push`) as Record<string, any>;
        expect(push.dead_letter_policy?.[0]?.max_delivery_attempts, name).toBe(20);
        expect(push.push_config[0].oidc_token[0].service_account_email).toMatch(
          /^unistack-push-act(ivate)?-[a-z-]+@/,
        );
        expect(named("google_pubsub_subscription", `${name}-dead-letter-hold`)).not.toEqual({});
        // On the lake: reads batches under activation/, nothing else.
        const grants = lake.bindings.filter((b) => b.members.includes(`serviceAccount:${email}`));
        if (destination === "hubspot") {
          // …and creates task intents under their own prefix, nothing else.
          const creator = grants.find((b) => b.role === "roles/storage.objectCreator");
          expect(creator?.condition?.expression).toContain("/objects/activation/_task-intents/");
          expect(creator?.condition?.expression).not.toMatch(/objects\/activation\/"/);
          grants.splice(grants.indexOf(creator as (typeof grants)[number]), 1);
        }
        expect(grants.map((b) => b.role)).toEqual(["roles/storage.objectViewer"]);
        expect(grants[0]?.condition?.expression).toContain("/objects/activation/");
        expect(grants[0]?.condition?.expression).not.toMatch(/objects\/(raw|quarantine|loads)\//);
        // Writes the activation ledger; plan-activation publishes its pointers.
        expect(ops.access).toContainEqual(
          expect.objectContaining({ role: "WRITER", user_by_email: email }),
        );
        const key = name.replaceAll("-", "_");
        const publish = infra.resource_changes.find(
          (c) =>
            c.address ===
            `google_pubsub_topic_iam_member.function_publishes["plan_activation/${key}"]`,
        );
        expect(publish && valuesOf(publish), name).toMatchObject({
          role: "roles/pubsub.publisher",
          member:
            "serviceAccount:unistack-fn-plan-activation@unistack-policy-test.iam.gserviceaccount.com",
        });
        expect(named("google_pubsub_topic", name)).not.toEqual({});
      }
    });

    it("wires the realtime path least-privileged: ingest publishes on purchases only, realtime-purchase reads raw/shopify/orders/ only", () => {
      const named = (type: string, name: string) =>
        ofType(infra, type)
          .map(valuesOf)
          .find((v) => v.name === name) ?? {};
      const email = "unistack-fn-realtime@unistack-policy-test.iam.gserviceaccount.com";
      const fn = named("google_cloudfunctions2_function", "realtime-purchase") as PlanValues;
      expect(fn.service_config?.[0]?.service_account_email).toBe(email);
      expect(fn.service_config[0].ingress_settings).toBe("ALLOW_INTERNAL_ONLY");
      expect(fn.build_config[0].entry_point).toBe("realtimePurchase");
      const push = named("google_pubsub_subscription", "realtime-purchase-push") as PlanValues;
      expect(push.dead_letter_policy?.[0]?.max_delivery_attempts).toBe(20);
      expect(push.push_config[0].oidc_token[0].service_account_email).toMatch(
        /^unistack-push-realtime@/,
      );
      expect(named("google_pubsub_topic", PURCHASES_TOPIC)).not.toEqual({});
      expect(named("google_pubsub_topic", `${PURCHASES_TOPIC}-dead-letter`)).not.toEqual({});
      const lake = JSON.parse(
        String(
          valuesOf(ofType(infra, "google_storage_bucket_iam_policy")[0] as ResourceChange)
            .policy_data,
        ),
      ) as { bindings: { role: string; members: string[]; condition?: { expression: string } }[] };
      const grants = lake.bindings.filter((b) => b.members.includes(`serviceAccount:${email}`));
      expect(grants.map((b) => b.role)).toEqual(["roles/storage.objectViewer"]);
      expect(grants[0]?.condition?.expression).toContain("/objects/raw/shopify/orders/");
      expect(grants[0]?.condition?.expression).not.toMatch(
        /objects\/(quarantine|loads|activation)\//,
      );
      const ops = ofType(infra, "google_bigquery_dataset")
        .map(valuesOf)
        .find((d) => d.dataset_id === "ops") as {
        access: { role: string; user_by_email: string }[];
      };
      expect(ops.access).toContainEqual(
        expect.objectContaining({ role: "WRITER", user_by_email: email }),
      );
      // The one topic ingest may publish to; nothing publishes to purchases but ingest.
      const publishers = infra.resource_changes
        .filter((c) => c.address.startsWith("google_pubsub_topic_iam_member.function_publishes["))
        .map((c) => c.address);
      expect(publishers.filter((a) => a.includes("ingest/"))).toEqual([
        'google_pubsub_topic_iam_member.function_publishes["ingest/realtime_purchase"]',
      ]);
      expect(publishers.filter((a) => a.endsWith('/realtime_purchase"]'))).toEqual([
        'google_pubsub_topic_iam_member.function_publishes["ingest/realtime_purchase"]',
      ]);
    });

    it("schedules every stream of each pulled source as a message the pull function accepts", () => {
      const jobs = ofType(infra, "google_cloud_scheduler_job")
        .map(valuesOf)
        // biome-ignore lint/suspicious/noExplicitAny: the plan's values are untyped JSON.
        .filter((j) => String(j.name).startsWith("unistack-pull-")) as Record<string, any>[];
      const messages = jobs.map((j) =>
        PullMessageSchema.parse(
          JSON.parse(Buffer.from(j.pubsub_target[0].data, "base64").toString("utf8")),
        ),
      );
      for (const m of messages) expect(pullSources.get(m.source)?.streams[m.stream]).toBeDefined();
      expect(messages.map((m) => `${m.source}/${m.stream}`).sort()).toEqual(
        ["google_ads", "meta_ads", "shopify"]
          .flatMap((source) =>
            Object.keys(pullSources.get(source)?.streams ?? {}).map((s) => `${source}/${s}`),
          )
          .sort(),
      );
      expect(jobs.find((j) => j.name === "unistack-pull-shopify-orders")?.schedule).toBe(
        "20 2 * * *",
      );
      // pull: push with a dead letter, its own identity; on the lake it adds raw/ and quarantine/
      // objects and owns pull/, nothing else; it writes ops_pull alone.
      const lake = JSON.parse(
        String(
          valuesOf(ofType(infra, "google_storage_bucket_iam_policy")[0] as ResourceChange)
            .policy_data,
        ),
      ) as { bindings: { role: string; members: string[]; condition: { expression: string } }[] };
      const member = "serviceAccount:unistack-fn-pull@unistack-policy-test.iam.gserviceaccount.com";
      const grants = lake.bindings
        .filter((b) => b.members.includes(member))
        .map((b) => [
          b.role,
          [...b.condition.expression.matchAll(/objects\/([a-z/._]+)"/g)].map((m) => m[1]),
        ]);
      expect(Object.fromEntries(grants)).toEqual({
        "roles/storage.objectCreator": ["raw/", "quarantine/"],
        "roles/storage.objectUser": ["pull/"],
        "roles/storage.objectViewer": [SUPPRESSION_OBJECT],
      });
      const push = ofType(infra, "google_pubsub_subscription")
        .map(valuesOf)
        // biome-ignore lint/suspicious/noExplicitAny: the plan's values are untyped JSON.
        .find((v) => v.name === "pull-push") as Record<string, any>;
      expect(push.dead_letter_policy[0].max_delivery_attempts).toBe(20);
      const opsPull = ofType(infra, "google_bigquery_dataset")
        .map(valuesOf)
        .find((d) => d.dataset_id === "ops_pull") as {
        access: { role: string; user_by_email: string | null }[];
      };
      expect(opsPull.access.filter((a) => a.role === "WRITER").map((a) => a.user_by_email)).toEqual(
        ["unistack-fn-pull@unistack-policy-test.iam.gserviceaccount.com"],
      );
    });

    it("deploys privacy-requests with its own identity: the lake prefixes a person can be in, DML where rows name them, the salt, a sweep it accepts", () => {
      // biome-ignore lint/suspicious/noExplicitAny: the plan's values are untyped JSON.
      type Untyped = Record<string, any>;
      const email = "unistack-fn-privacy@unistack-policy-test.iam.gserviceaccount.com";
      const named = (type: string, name: string) =>
        ofType(infra, type)
          .map(valuesOf)
          .find((v) => v.name === name) ?? {};
      const fn = named("google_cloudfunctions2_function", "privacy-requests") as Untyped;
      expect(fn.build_config[0].entry_point).toBe("privacyRequests");
      expect(Object.keys(FUNCTION_TARGETS)).toContain("privacyRequests");
      expect(fn.service_config[0].service_account_email).toBe(email);
      expect(fn.service_config[0].ingress_settings).toBe("ALLOW_INTERNAL_ONLY");
      expect(fn.service_config[0].max_instance_count).toBe(1);
      const env = {
        ...fn.service_config[0].environment_variables,
        ...Object.fromEntries(
          (fn.service_config[0].secret_environment_variables as { key: string }[]).map((s) => [
            s.key,
            "secret-placeholder",
          ]),
        ),
      };
      expect(GcpEnvSchema.parse(env).UNISTACK_LAKE_BUCKET).toBe(
        "unistack-policy-test-unistack-lake",
      );
      expect(env[PRIVACY_SALT_ENV]).toBe("secret-placeholder");
      // Removals are planned for the same syncs plan-activation plans.
      const planner = named("google_cloudfunctions2_function", "plan-activation") as Untyped;
      expect(env.UNISTACK_SYNCS).toBe(
        planner.service_config[0].environment_variables.UNISTACK_SYNCS,
      );
      expect(configuredSyncs(env).length).toBeGreaterThan(0);
      const push = named("google_pubsub_subscription", "privacy-requests-push") as Untyped;
      expect(push.dead_letter_policy[0].max_delivery_attempts).toBe(20);
      expect(push.push_config[0].oidc_token[0].service_account_email).toMatch(
        /^unistack-push-privacy@/,
      );
      expect(named("google_pubsub_subscription", "privacy-requests-dead-letter-hold")).not.toEqual(
        {},
      );
      // The scheduled sweep is a message the function accepts.
      const job = named("google_cloud_scheduler_job", "unistack-privacy-sweep") as Untyped;
      const data = JSON.parse(Buffer.from(job.pubsub_target[0].data, "base64").toString("utf8"));
      expect(parsePrivacyMessage(data, "m").kind).toBe("sweep");
      // On the lake: every prefix a person's records can be in, and privacy/, loads/; nothing else.
      const lake = JSON.parse(
        String(
          valuesOf(ofType(infra, "google_storage_bucket_iam_policy")[0] as ResourceChange)
            .policy_data,
        ),
      ) as { bindings: { role: string; members: string[]; condition: { expression: string } }[] };
      const grants = lake.bindings
        .filter((b) => b.members.includes(`serviceAccount:${email}`))
        .map((b) => [
          b.role,
          [...b.condition.expression.matchAll(/objects\/([a-z/._]+)"/g)].map((m) => m[1]).sort(),
        ]);
      const personal = LAKE_PREFIXES.filter((p) => p.format !== "none").map((p) => p.prefix);
      expect(grants.map((g) => g[0])).toEqual(["roles/storage.objectUser"]);
      const granted = (grants[0]?.[1] ?? []) as string[];
      expect(granted).toEqual([
        "activation/",
        "loads/",
        "privacy/",
        "pull/",
        "quarantine/",
        "raw/",
      ]);
      for (const prefix of personal) {
        expect(
          granted.some((g) => prefix.startsWith(g)),
          prefix,
        ).toBe(true);
      }
      // BigQuery: writes every dataset with personal rows, and its own privacy dataset alone.
      const writers = (id: string) =>
        (
          ofType(infra, "google_bigquery_dataset")
            .map(valuesOf)
            .find((d) => d.dataset_id === id) as {
            access: { role: string; user_by_email: string | null }[];
          }
        ).access
          .filter((a) => a.role === "WRITER")
          .map((a) => a.user_by_email);
      const personalDatasets = [
        ...new Set(WAREHOUSE_TABLES.filter((t) => t.personal).map((t) => t.dataset)),
      ];
      for (const id of personalDatasets) expect(writers(id), id).toContain(email);
      expect(writers("privacy")).toEqual([email]);
      expect(writers("ops_pull")).not.toContain(email);
      // Publishes removals like plan-activation, on the activate-* topics only.
      const publishes = infra.resource_changes
        .filter((c) =>
          c.address.startsWith(
            'google_pubsub_topic_iam_member.function_publishes["privacy_requests/',
          ),
        )
        .map((c) => c.address);
      expect(publishes.sort()).toEqual([
        'google_pubsub_topic_iam_member.function_publishes["privacy_requests/activate_google_ads"]',
        'google_pubsub_topic_iam_member.function_publishes["privacy_requests/activate_hubspot"]',
        'google_pubsub_topic_iam_member.function_publishes["privacy_requests/activate_meta"]',
        'google_pubsub_topic_iam_member.function_publishes["privacy_requests/activate_sendgrid"]',
      ]);
    });

    it("prints a webhook URL for every webhook source, per connection where connections are configured", () => {
      // The service's URI is known only after apply; the keys are the plan's.
      const urls = (infra.output_changes as { webhook_urls: { after_unknown: object } })
        .webhook_urls.after_unknown;
      expect(Object.keys(urls).sort()).toEqual(
        [...webhookSources.keys()]
          .flatMap((source) => (source === "shopify" ? ["shopify/eu"] : [source]))
          .sort(),
      );
    });

    it("routes exactly the Dataform log entries plan-activation accepts as a finished run", () => {
      const sink = ofType(infra, "google_logging_project_sink").map(valuesOf)[0] ?? {};
      const filter = String(sink.filter);
      // The completion entry as Dataform writes it (cloud.google.com/dataform/docs/cloud-logging),
      // for this project and repository.
      const entry = {
        jsonPayload: {
          terminalState: "SUCCEEDED",
          workflowInvocationId: "1678383230-ac4ed48c-eb70-4555-b2b0-cda54d13edfa",
          "@type":
            "type.googleapis.com/google.cloud.dataform.logging.v1.WorkflowInvocationCompletionLogEntry",
        },
        resource: {
          type: "dataform.googleapis.com/Repository",
          labels: { repository_id: "unistack", location: "europe-west1" },
        },
        logName:
          "projects/unistack-policy-test/logs/dataform.googleapis.com%2Fworkflow_invocation_completion",
      };
      expect(filter).toContain(`logName="${entry.logName}"`);
      expect(filter).toContain(`resource.type="${entry.resource.type}"`);
      expect(filter).toContain(
        `resource.labels.repository_id="${entry.resource.labels.repository_id}"`,
      );
      expect(filter).toContain(`jsonPayload.terminalState="${entry.jsonPayload.terminalState}"`);
      const event = {
        specversion: "1.0",
        id: "1",
        source:
          "//pubsub.googleapis.com/projects/unistack-policy-test/topics/dataform-run-finished",
        type: "google.cloud.pubsub.topic.v1.messagePublished",
        data: {
          message: {
            data: Buffer.from(JSON.stringify(entry)).toString("base64"),
            messageId: "1",
            publishTime: "2026-12-01T06:20:00.000Z",
          },
        },
      };
      expect(succeededDataformRun(event as never)).toEqual({
        invocationId: entry.jsonPayload.workflowInvocationId,
      });
      expect(String(sink.destination)).toMatch(/\/topics\/dataform-run-finished$/);
    });

    it("gives each business unit only its own rows of the shared reports (row access policies)", () => {
      const policies = ofType(infra, "google_bigquery_row_access_policy").map(valuesOf);
      const tables = [...new Set(policies.map((p) => String(p.table_id)))].sort();
      // Every report table of the Dataform graph (definitions/reporting/rpt_*.sqlx) gets them.
      const reportTables = readdirSync(join(REPO_ROOT, "definitions", "reporting"))
        .filter((f) => /^rpt_.*\.sqlx$/.test(f))
        .map((f) => f.replace(/\.sqlx$/, ""))
        .sort();
      expect(reportTables).toContain("rpt_region_growth");
      expect(tables).toEqual(reportTables);
      for (const table of tables) {
        const onTable = policies.filter((p) => p.table_id === table);
        expect(onTable.map((p) => p.dataset_id)).toEqual(["reports", "reports"]);
        const unit = onTable.find((p) => p.policy_id === "unit_benelux");
        expect(unit?.filter_predicate).toBe('business_unit = "benelux"');
        expect(unit?.grantees).toEqual([
          "group:analysts-benelux@example.com",
          "group:marketing-benelux@example.com",
        ]);
        const all = onTable.find((p) => p.policy_id === "all_units");
        expect(all?.filter_predicate).toBe("TRUE");
        // Dataform deletes and re-inserts the rows (DML needs the TRUE filter); the unit's groups
        // are not among those who see every row.
        expect(all?.grantees).toContain(
          "serviceAccount:unistack-dataform@unistack-policy-test.iam.gserviceaccount.com",
        );
        expect(all?.grantees).not.toContain("group:marketing-benelux@example.com");
      }
      const reports = ofType(infra, "google_bigquery_dataset")
        .map(valuesOf)
        .find((d) => d.dataset_id === "reports") as { access: { group_by_email: string | null }[] };
      expect(reports.access.map((a) => a.group_by_email)).toContain(
        "marketing-benelux@example.com",
      );
    });
  });
});
