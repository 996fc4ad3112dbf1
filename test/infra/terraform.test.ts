import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { type Block, blocks, type Config, type Instance, loadConfig, MAYBE } from "./hcl.js";

/**
 * Offline review of infra/: what `terraform validate` cannot check here (no providers can be
 * downloaded) and what a reviewer of a data platform holding personal data looks for first.
 * Every .tf file is parsed with @cdktf/hcl2json (HCL's own parser, compiled to WASM) and evaluated
 * statically by ./hcl.ts: each `for_each`/`count` instance and `dynamic` block is expanded, so the
 * assertions read `google_cloudfunctions2_function.fn["load_raw"]` as Terraform would plan it.
 * Anything the evaluator cannot see through makes loading fail, not an assertion pass.
 */

const INFRA = resolve(dirname(fileURLToPath(import.meta.url)), "../../infra");

/** A Terraform interpolation as hcl2json writes it: `tf("var.x")` is the string `${var.x}`. */
const tf = (expression: string): string => `\${${expression}}`;

function first(value: unknown): Block {
  const [block] = blocks(value);
  if (!block) throw new Error(`expected a block, got ${JSON.stringify(value)}`);
  return block;
}

/** The instance named by the first `<type>.<name>` or `<type>.<name>[<key>]` reference in an
 * expression (`fn["load_raw"]` in `${google_service_account.fn["load_raw"].email}`). */
function refTo(value: unknown, type: string): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = new RegExp(
    `(?<![A-Za-z0-9_.])${type}\\.([a-z0-9_]+(?:\\["[^"]*"\\]|\\[\\d+\\])?)`,
  ).exec(value);
  return match?.[1];
}

function resourcesOf(config: Config, type: string): Instance[] {
  return config.resources.filter((r) => r.type === type);
}

function find(config: Config, type: string, id: string): Instance {
  const resource = config.resources.find((r) => r.type === type && r.id === id);
  if (!resource) throw new Error(`${type}.${id} is not declared in infra/`);
  return resource;
}

/** Every IAM grant in the configuration, whatever it sits on, one per instance and member. */
function grants(config: Config): Array<Instance & { role: string; member: string }> {
  return config.resources
    .filter((r) => /_iam_(member|binding|policy)$/.test(r.type))
    .flatMap((r) => {
      const members = r.body.members ?? r.body.member;
      return (Array.isArray(members) ? members : [members]).map((member) => ({
        ...r,
        role: String(r.body.role),
        member: String(member),
      }));
    });
}

const functionSa = (key: string) => tf(`google_service_account.fn["${key}"].member`);
const LAKE_OBJECTS = `projects/_/buckets/${tf("local.lake_bucket_name")}/objects/`;

/** Splits an IAM condition on its top-level `||`. */
function disjuncts(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (depth === 0 && expression.startsWith(" || ", i)) {
      parts.push(expression.slice(start, i));
      start = i + 4;
    }
  }
  parts.push(expression.slice(start));
  return parts;
}

/** The lake prefixes a grant's condition allows: objects under a prefix, and list calls with it.
 * Throws on any clause that is not one of those two shapes, since it could widen the grant. */
function lakePrefixes(grant: Instance): { objects: string[]; lists: string[] } {
  const conditions = blocks(grant.body.condition);
  expect(conditions, `${grant.id} is scoped by a condition`).toHaveLength(1);
  const objects: string[] = [];
  const lists: string[] = [];
  for (const clause of disjuncts(String(first(conditions).expression))) {
    const object = /^resource\.name\.startsWith\("([^"]+)"\)$/.exec(clause)?.[1];
    const list =
      /^\(resource\.type == "storage\.googleapis\.com\/Bucket" && api\.getAttribute\("storage\.googleapis\.com\/objectListPrefix", ""\)\.startsWith\("([a-z]+\/)"\)\)$/.exec(
        clause,
      )?.[1];
    if (object?.startsWith(LAKE_OBJECTS) && /^[a-z]+\/$/.test(object.slice(LAKE_OBJECTS.length))) {
      objects.push(object.slice(LAKE_OBJECTS.length));
    } else if (list) {
      lists.push(list);
    } else {
      throw new Error(`${grant.id}: unexpected condition clause ${clause}`);
    }
  }
  return { objects: objects.sort(), lists: lists.sort() };
}

const terraformVersion = spawnSync("terraform", ["version"], {
  encoding: "utf8",
  env: { ...process.env, CHECKPOINT_DISABLE: "1" },
});
const hasTerraform = terraformVersion.error === undefined && terraformVersion.status === 0;
if (!hasTerraform) {
  console.warn("terraform is not on PATH: skipping `terraform fmt -check -recursive infra`.");
}

describe("infra/ (Terraform)", () => {
  let config: Config;
  beforeAll(async () => {
    const files = readdirSync(INFRA).filter((f) => f.endsWith(".tf"));
    config = await loadConfig(
      Object.fromEntries(files.map((f) => [f, readFileSync(join(INFRA, f), "utf8")])),
    );
  });

  it.skipIf(!hasTerraform)("is formatted the way `terraform fmt` writes it", () => {
    const result = spawnSync("terraform", ["fmt", "-check", "-recursive", "-list=true", INFRA], {
      encoding: "utf8",
      env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    });
    expect(result.stdout.trim(), "files `terraform fmt -recursive infra` would rewrite").toBe("");
    expect(result.status).toBe(0);
  });

  it("refers only to resources, data sources, variables and locals it declares", () => {
    const declared = new Set([
      ...config.resources.map((r) => `${r.type}.${r.name}`),
      ...config.data.map((r) => `data.${r.type}.${r.name}`),
    ]);
    const missing = new Set<string>();
    for (const source of [JSON.stringify(config.documents)]) {
      for (const m of source.matchAll(
        /\b(data\.)?((?:google|archive)[a-z0-9_-]*)\.([a-z0-9_]+)\b/g,
      )) {
        const [, data, type, name] = m;
        // Provider names (`google-beta`) and attribute paths after a reference are not references.
        if (type === "google-beta" || !type?.includes("_")) continue;
        const key = `${data ?? ""}${type}.${name}`;
        if (!declared.has(key)) missing.add(key);
      }
      for (const m of source.matchAll(/\bvar\.([a-z0-9_]+)/g)) {
        if (m[1] && !config.variables.has(m[1])) missing.add(`var.${m[1]}`);
      }
      for (const m of source.matchAll(/\blocal\.([a-z0-9_]+)/g)) {
        if (m[1] && !config.locals.has(m[1])) missing.add(`local.${m[1]}`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  // Loading already evaluated every resource, local and output: an index into a for_each
  // resource with a key it does not have (`google_service_account.fn["lod_raw"]`) fails it.
  it("creates every security-relevant resource unconditionally; only these depend on variables", () => {
    const conditional = config.resources.filter((r) => r.maybe).map((r) => `${r.type}.${r.id}`);
    expect(conditional.sort()).toEqual([
      // dataform_extra_read_datasets
      'google_bigquery_dataset_iam_member.dataform_reads_extra_sources["*"]',
      // dataform_git_url
      "google_dataform_repository_release_config.scheduled[0]",
      "google_dataform_repository_workflow_config.scheduled[0]",
      // alert_email
      "google_monitoring_notification_channel.email[0]",
      // dataform_git_token_secret_version
      "google_secret_manager_secret_iam_member.dataform_agent_reads_git_token[0]",
    ]);
  });

  describe("service accounts", () => {
    it("runs every function as its own service account, used by no trigger and no other function", () => {
      const functions = resourcesOf(config, "google_cloudfunctions2_function");
      expect(functions.map((f) => f.key).sort()).toEqual([
        "activate_meta",
        "ingest_sendgrid",
        "ingest_shopify",
        "load_raw",
        "plan_activation",
      ]);
      const runtime = functions.map((f) =>
        refTo(first(f.body.service_config).service_account_email, "google_service_account"),
      );
      expect(runtime).toEqual(functions.map((f) => `fn["${String(f.key)}"]`));
      expect(new Set(runtime).size).toBe(functions.length);

      const triggers = [
        ...functions.flatMap((f) => blocks(f.body.event_trigger)),
        ...resourcesOf(config, "google_pubsub_subscription").flatMap((s) =>
          blocks(s.body.push_config).flatMap((p) => blocks(p.oidc_token)),
        ),
      ].map((t) => refTo(t.service_account_email, "google_service_account"));
      expect(triggers.length).toBeGreaterThan(0);
      for (const sa of runtime) expect(triggers).not.toContain(sa);
    });

    it("builds functions as a dedicated build account, never a default one", () => {
      for (const fn of resourcesOf(config, "google_cloudfunctions2_function")) {
        expect(first(fn.body.build_config).service_account, fn.id).toMatch(
          /^\$\{google_service_account\.function_build\.id\}$/,
        );
      }
    });
  });

  describe("IAM", () => {
    it("names every granted role literally, so the checks below see it", () => {
      for (const g of grants(config)) {
        expect(g.role, `${g.type}.${g.id}`).toMatch(/^roles\/[A-Za-z]+(\.[A-Za-z]+)?$/);
        expect(g.member, `${g.type}.${g.id}`).not.toBe(tf("each.value"));
      }
    });

    it("grants no basic or admin role anywhere", () => {
      const broad = grants(config).filter((g) =>
        /^roles\/(owner|editor|viewer|storage\.admin|bigquery\.admin|pubsub\.admin|secretmanager\.admin|iam\.serviceAccountAdmin|resourcemanager\..*)$/.test(
          g.role,
        ),
      );
      expect(broad.map((g) => `${g.type}.${g.id}: ${g.role}`)).toEqual([]);
    });

    it("uses only additive grants (no authoritative policy or binding that would drop others' access)", () => {
      const authoritative = config.resources.filter((r) => /_iam_(binding|policy)$/.test(r.type));
      expect(authoritative.map((r) => `${r.type}.${r.id}`)).toEqual([]);
    });

    it("grants on the project only roles that have no narrower scope, storage ones only under a condition", () => {
      const allowed = new Set([
        "roles/bigquery.jobUser",
        "roles/eventarc.eventReceiver",
        "roles/pubsub.publisher",
        "roles/logging.logWriter",
        "roles/storage.objectAdmin",
      ]);
      const project = grants(config).filter((g) => g.type.startsWith("google_project_iam_"));
      expect(project.filter((g) => !allowed.has(g.role)).map((g) => g.role)).toEqual([]);
      for (const g of project.filter((g) => g.role.startsWith("roles/storage."))) {
        expect(blocks(g.body.condition), `${g.id} needs a condition`).toHaveLength(1);
      }
      const publishers = project.filter((g) => g.role === "roles/pubsub.publisher");
      expect(publishers.map((g) => g.member)).toEqual([
        `serviceAccount:${tf("data.google_storage_project_service_account.gcs.email_address")}`,
      ]);
    });

    it("gives the internet-facing ingest functions nothing on BigQuery and no delete on the lake", () => {
      for (const sa of ["ingest_shopify", "ingest_sendgrid"]) {
        const own = grants(config).filter((g) => g.member === functionSa(sa));
        expect(own.filter((g) => g.role.startsWith("roles/bigquery."))).toEqual([]);
        expect(own.map((g) => g.role).sort()).toEqual([
          "roles/secretmanager.secretAccessor",
          ...(sa === "ingest_shopify" ? ["roles/secretmanager.secretAccessor"] : []),
          "roles/storage.objectCreator",
          "roles/storage.objectViewer",
        ]);
        for (const g of own.filter((g) => g.role.startsWith("roles/storage."))) {
          expect(g.body.bucket).toBe(tf("google_storage_bucket.lake.name"));
          expect(lakePrefixes(g).objects, g.id).toEqual(["quarantine/", "raw/"]);
        }
      }
    });

    it("scopes every lake grant to prefixes; only the activation functions reach activation/", () => {
      expect(find(config, "google_storage_bucket", "lake").body.name).toBe(
        tf("local.lake_bucket_name"),
      );
      const lake = grants(config).filter(
        (g) => g.body.bucket === tf("google_storage_bucket.lake.name"),
      );
      expect(lake.length).toBeGreaterThan(0);
      const reach: Record<string, string[]> = {};
      for (const g of lake) {
        // Create (no overwrite, no delete) and read: nothing else on the bucket of personal data.
        expect(["roles/storage.objectCreator", "roles/storage.objectViewer"], g.id).toContain(
          g.role,
        );
        const { objects, lists } = lakePrefixes(g);
        expect(objects.length, g.id).toBeGreaterThan(0);
        // Only a reader lists, and only where it reads.
        expect(lists, g.id).toEqual(g.role === "roles/storage.objectViewer" ? objects : []);
        for (const prefix of objects) {
          reach[`${prefix} ${g.role}`] = [...(reach[`${prefix} ${g.role}`] ?? []), g.member].sort();
        }
      }
      expect(reach["activation/ roles/storage.objectCreator"]).toEqual([
        functionSa("plan_activation"),
      ]);
      expect(reach["activation/ roles/storage.objectViewer"]).toEqual([
        functionSa("activate_meta"),
        functionSa("plan_activation"),
      ]);
    });

    it("lets load-raw edit raw and its failure log in ops only, and Dataform only what it builds", () => {
      const datasetGrants = grants(config).filter(
        (g) => g.type === "google_bigquery_dataset_iam_member",
      );
      const editors = datasetGrants.filter((g) => g.role === "roles/bigquery.dataEditor");
      const loadRaw = editors.filter((g) => g.member === functionSa("load_raw"));
      expect(loadRaw.map((g) => g.body.dataset_id).sort()).toEqual([
        tf('google_bigquery_dataset.dataset["ops"].dataset_id'),
        tf('google_bigquery_dataset.dataset["raw"].dataset_id'),
      ]);
      const dataform = datasetGrants.filter(
        (g) => g.member === tf("google_service_account.dataform.member"),
      );
      expect(
        dataform
          .filter((g) => g.role === "roles/bigquery.dataEditor")
          .map((g) => refTo(g.body.dataset_id, "google_bigquery_dataset"))
          .sort(),
      ).toEqual(['dataset["assertions"]', 'dataset["marts"]', 'dataset["staging"]']);
      for (const g of dataform.filter((g) => g.role !== "roles/bigquery.dataEditor")) {
        expect(g.role, g.id).toBe("roles/bigquery.dataViewer");
      }
    });

    it("makes exactly the two webhook functions public", () => {
      const publicGrants = grants(config).filter(
        (g) => g.member === "allUsers" || g.member === "allAuthenticatedUsers",
      );
      expect(publicGrants.map((g) => g.body.service).sort()).toEqual([
        tf('google_cloudfunctions2_function.fn["ingest_sendgrid"].name'),
        tf('google_cloudfunctions2_function.fn["ingest_shopify"].name'),
      ]);
      for (const g of publicGrants) expect(g.role).toBe("roles/run.invoker");
      for (const fn of resourcesOf(config, "google_cloudfunctions2_function")) {
        const ingress = first(fn.body.service_config).ingress_settings;
        expect(ingress, fn.id).toBe(
          String(fn.key).startsWith("ingest_") ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY",
        );
      }
    });
  });

  describe("delivery", () => {
    it("turns retries on for every event-triggered function", () => {
      const eventFunctions = resourcesOf(config, "google_cloudfunctions2_function").filter(
        (f) => blocks(f.body.event_trigger).length > 0,
      );
      expect(eventFunctions.map((f) => f.key)).toEqual(["load_raw"]);
      for (const fn of eventFunctions) {
        const trigger = first(fn.body.event_trigger);
        expect(trigger.retry_policy, fn.id).toBe("RETRY_POLICY_RETRY");
        expect(trigger[MAYBE], `${fn.id}'s trigger does not depend on variables`).toBeUndefined();
      }
    });

    it("feeds every other non-public function from a push subscription whose identity alone may invoke it", () => {
      const iam = grants(config);
      const subscriptions = resourcesOf(config, "google_pubsub_subscription");
      const pushFed = resourcesOf(config, "google_cloudfunctions2_function").filter(
        (f) => blocks(f.body.event_trigger).length === 0 && !String(f.key).startsWith("ingest_"),
      );
      expect(pushFed.map((f) => f.key).sort()).toEqual(["activate_meta", "plan_activation"]);
      for (const fn of pushFed) {
        const invokers = iam
          .filter(
            (g) =>
              g.role === "roles/run.invoker" &&
              refTo(g.body.service, "google_cloudfunctions2_function") === fn.id,
          )
          .map((g) => refTo(g.member, "google_service_account"));
        expect(invokers, `one invoker identity for ${fn.id}`).toHaveLength(1);
        expect(invokers[0]).toBeDefined();
        const feeding = subscriptions.filter((s) =>
          blocks(s.body.push_config)
            .flatMap((p) => blocks(p.oidc_token))
            .some((t) => refTo(t.service_account_email, "google_service_account") === invokers[0]),
        );
        expect(feeding, `a push subscription feeds ${fn.id}`).toHaveLength(1);
        const push = first(feeding[0]?.body.push_config);
        expect(refTo(push.push_endpoint, "google_cloudfunctions2_function")).toBe(fn.id);
        expect(refTo(first(push.oidc_token).audience, "google_cloudfunctions2_function")).toBe(
          fn.id,
        );
        expect(blocks(feeding[0]?.body.dead_letter_policy)).toHaveLength(1);
      }
      // An event_trigger on a topic would make Eventarc own the subscription, which Terraform
      // cannot give a dead-letter policy.
      for (const fn of resourcesOf(config, "google_cloudfunctions2_function")) {
        for (const trigger of blocks(fn.body.event_trigger)) {
          expect(trigger.pubsub_topic, fn.id).toBeUndefined();
        }
      }
    });

    it("dead-letters every message that feeds a function, keeps the dead letters, and lets Pub/Sub do it", () => {
      const subscriptions = resourcesOf(config, "google_pubsub_subscription");
      const pushSubs = subscriptions.filter((s) => blocks(s.body.push_config).length > 0);
      expect(pushSubs.map((s) => s.id).sort()).toEqual([
        'push["activate_meta"]',
        'push["plan_activation"]',
      ]);

      const attempts = config.variables.get("max_delivery_attempts");
      expect(Number(attempts?.default)).toBeGreaterThanOrEqual(5);
      expect(Number(attempts?.default)).toBeLessThanOrEqual(100);
      expect(String(first(attempts?.validation).condition)).toMatch(/>= 5 && .*<= 100/);

      const iam = grants(config);
      for (const sub of pushSubs) {
        const policy = first(sub.body.dead_letter_policy);
        expect(policy[MAYBE], `${sub.id}'s dead-letter policy does not depend on variables`).toBe(
          undefined,
        );
        expect(policy.max_delivery_attempts).toBe(tf("var.max_delivery_attempts"));
        expect(first(sub.body.retry_policy)).toMatchObject({
          minimum_backoff: "10s",
          maximum_backoff: "600s",
        });
        const dlq = refTo(policy.dead_letter_topic, "google_pubsub_topic");
        const source = refTo(sub.body.topic, "google_pubsub_topic");
        expect(dlq).toBeDefined();
        expect(dlq).not.toBe(source);

        const hold = subscriptions.filter(
          (s) =>
            refTo(s.body.topic, "google_pubsub_topic") === dlq &&
            blocks(s.body.push_config).length === 0,
        );
        expect(hold, `a pull subscription keeps ${dlq}'s dead letters`).toHaveLength(1);

        const agent = tf('google_project_service_identity.agent["pubsub"].member');
        expect(
          iam.some(
            (g) =>
              g.role === "roles/pubsub.publisher" &&
              g.member === agent &&
              refTo(g.body.topic, "google_pubsub_topic") === dlq,
          ),
          `Pub/Sub agent publishes to ${dlq}`,
        ).toBe(true);
        expect(
          iam.some(
            (g) =>
              g.role === "roles/pubsub.subscriber" &&
              g.member === agent &&
              refTo(g.body.subscription, "google_pubsub_subscription") === sub.id,
          ),
          `Pub/Sub agent subscribes to ${sub.id}`,
        ).toBe(true);
      }
    });
  });

  describe("personal data", () => {
    it("keeps 48 hours of time travel on every dataset that holds personal data", async () => {
      const datasets = resourcesOf(config, "google_bigquery_dataset");
      const ids = datasets.map((d) => d.body.dataset_id);
      for (const pii of ["raw", "staging", "marts", "ops"]) expect(ids).toContain(pii);
      const declared = (await config.local("datasets")) as Record<string, { pii: unknown }>;
      for (const pii of ["raw", "staging", "marts", "ops"]) {
        expect(declared[pii]?.pii, `${pii} is marked as holding personal data`).toBe(true);
      }
      for (const dataset of datasets) {
        expect(Number(dataset.body.max_time_travel_hours), String(dataset.body.dataset_id)).toBe(
          48,
        );
        expect(dataset.body.delete_contents_on_destroy).toBe(false);
      }
      expect(
        find(config, "google_bigquery_dataset", 'dataset["raw"]').body
          .default_partition_expiration_ms,
      ).toMatch(/var\.raw_partition_expiration_days/);
    });

    it("keeps the lake private, unversioned and expiring quarantine and activation batches", () => {
      const lake = find(config, "google_storage_bucket", "lake").body;
      expect(lake.uniform_bucket_level_access).toBe(true);
      expect(lake.public_access_prevention).toBe("enforced");
      expect(first(lake.versioning).enabled).toBe(false);
      const rules = blocks(lake.lifecycle_rule)
        .filter((r) => r[MAYBE] === undefined)
        .map((r) => ({
          prefix: blocks(r.condition).flatMap((c) => c.matches_prefix as string[]),
          action: first(r.action).type,
        }));
      expect(rules).toEqual(
        expect.arrayContaining([
          { prefix: ["raw/"], action: "SetStorageClass" },
          { prefix: ["quarantine/"], action: "Delete" },
          { prefix: ["activation/"], action: "Delete" },
        ]),
      );
    });

    it("holds no secret value: no secret versions, no secret_data, secrets bound by reference", () => {
      expect(resourcesOf(config, "google_secret_manager_secret_version")).toEqual([]);
      const text = readdirSync(INFRA)
        .filter((f) => f.endsWith(".tf") || f.endsWith(".tfvars.example"))
        .map((f) => readFileSync(join(INFRA, f), "utf8"))
        .join("\n");
      expect(text).not.toMatch(/\bsecret_data\b/);
      expect(text).not.toMatch(/-----BEGIN|shpss_|SG\.[A-Za-z0-9_-]{20,}|EAA[A-Za-z0-9]{20,}/);
    });

    it("lets each secret be read only by the function that binds it", () => {
      const boundBy = new Map<string, Set<string>>();
      const whileRotating: string[] = [];
      for (const fn of resourcesOf(config, "google_cloudfunctions2_function")) {
        const service = first(fn.body.service_config);
        const sa = refTo(service.service_account_email, "google_service_account") ?? "";
        for (const b of blocks(service.secret_environment_variables)) {
          expect(b.version).toBe("latest");
          const secret = refTo(b.secret, "google_secret_manager_secret");
          expect(secret, `${fn.id} binds ${String(b.key)} by reference`).toBeDefined();
          if (!secret) continue;
          boundBy.set(secret, (boundBy.get(secret) ?? new Set()).add(sa));
          if (b[MAYBE]) whileRotating.push(secret);
        }
      }
      const secrets = resourcesOf(config, "google_secret_manager_secret").map((s) => s.id);
      expect([...boundBy.keys()].sort()).toEqual([...secrets].sort());
      // The previous Shopify secret is bound only during a rotation; every other one always.
      expect(whileRotating).toEqual(['secret["shopify_webhook_secret_previous"]']);

      for (const secret of secrets) {
        const readers = grants(config)
          .filter(
            (g) =>
              g.type === "google_secret_manager_secret_iam_member" &&
              refTo(g.body.secret_id, "google_secret_manager_secret") === secret,
          )
          .map((g) => refTo(g.member, "google_service_account"));
        expect(readers, secret).toEqual([...(boundBy.get(secret) ?? [])]);
      }
    });
  });
});
