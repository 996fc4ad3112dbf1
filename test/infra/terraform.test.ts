import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * Offline review of infra/: what `terraform validate` cannot check here (no providers can be
 * downloaded) and what a reviewer of a data platform holding personal data looks for first.
 * Every .tf file is parsed to JSON with @cdktf/hcl2json (HCL's own parser, compiled to WASM).
 */

// Loaded through require so its `/// <reference lib="dom" />` types stay out of the project's
// type-check.
const { parse } = createRequire(import.meta.url)("@cdktf/hcl2json") as {
  parse: (filename: string, contents: string) => Promise<Record<string, unknown>>;
};

const INFRA = resolve(dirname(fileURLToPath(import.meta.url)), "../../infra");

/** A Terraform interpolation as hcl2json writes it: `tf("var.x")` is the string `${var.x}`. */
const tf = (expression: string): string => `\${${expression}}`;

type Block = Record<string, unknown>;
interface Resource {
  readonly type: string;
  readonly name: string;
  readonly body: Block;
  readonly file: string;
}
interface Config {
  readonly resources: Resource[];
  readonly data: Resource[];
  readonly variables: Map<string, Block>;
  readonly locals: Set<string>;
  /** Every parsed file, for scans over all expressions (comments are not in it). */
  readonly documents: Record<string, unknown>[];
}

/** HCL blocks become arrays of objects in JSON; a block given once is still an array. */
function blocks(value: unknown): Block[] {
  if (Array.isArray(value)) return value.filter((v): v is Block => typeof v === "object");
  return typeof value === "object" && value !== null ? [value as Block] : [];
}

function first(value: unknown): Block {
  const [block] = blocks(value);
  if (!block) throw new Error(`expected a block, got ${JSON.stringify(value)}`);
  return block;
}

/** The name of the first `<type>.<name>.…` reference in an expression (`load_raw` in
 * `${google_service_account.load_raw.email}`), wherever it sits in the expression. */
function refTo(value: unknown, type: string): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = new RegExp(`(?<![A-Za-z0-9_.])${type}\\.([a-z0-9_]+)\\.`).exec(value);
  return match?.[1];
}

/** `dynamic "<name>" { for_each = …  content { … } }` blocks of a body. */
function dynamicBlocks(body: Block, name: string): Block[] {
  return blocks(body.dynamic).flatMap((d) => blocks(d[name]));
}

async function loadConfig(): Promise<Config> {
  const files = readdirSync(INFRA).filter((f) => f.endsWith(".tf"));
  const config: Config = {
    resources: [],
    data: [],
    variables: new Map(),
    locals: new Set(),
    documents: [],
  };
  for (const file of files) {
    const json = await parse(file, readFileSync(join(INFRA, file), "utf8"));
    config.documents.push(json);
    for (const [kind, target] of [
      ["resource", config.resources],
      ["data", config.data],
    ] as const) {
      const byType = (json[kind] ?? {}) as Record<string, Record<string, unknown>>;
      for (const [type, byName] of Object.entries(byType)) {
        for (const [name, body] of Object.entries(byName)) {
          target.push({ type, name, body: first(body), file });
        }
      }
    }
    for (const [name, body] of Object.entries((json.variable ?? {}) as Record<string, unknown>)) {
      config.variables.set(name, first(body));
    }
    for (const locals of blocks(json.locals)) {
      for (const name of Object.keys(locals)) config.locals.add(name);
    }
  }
  return config;
}

function resourcesOf(config: Config, type: string): Resource[] {
  return config.resources.filter((r) => r.type === type);
}

function find(config: Config, type: string, name: string): Resource {
  const resource = config.resources.find((r) => r.type === type && r.name === name);
  if (!resource) throw new Error(`${type}.${name} is not declared in infra/`);
  return resource;
}

/** The values a `for_each` iterates: a map's values, or the quoted items of a `toset([...])`. */
function forEachValues(forEach: unknown): string[] {
  if (typeof forEach === "object" && forEach !== null) return Object.values(forEach).map(String);
  return [...String(forEach ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? "");
}

/** Every IAM grant in the configuration, whatever it sits on, with `for_each` expanded. */
function grants(config: Config): Array<Resource & { role: string; member: string }> {
  return config.resources
    .filter((r) => /_iam_(member|binding|policy)$/.test(r.type))
    .flatMap((r) => {
      const expand = (value: unknown): string[] => {
        const values = Array.isArray(value) ? value.map(String) : [String(value ?? "")];
        return values.flatMap((v) =>
          v === tf("each.value") ? forEachValues(r.body.for_each) : [v],
        );
      };
      return expand(r.body.role).flatMap((role) =>
        expand(r.body.members ?? r.body.member).map((member) => ({ ...r, role, member })),
      );
    });
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
    config = await loadConfig();
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

  describe("service accounts", () => {
    it("runs every function as its own service account, used by no trigger and no other function", () => {
      const functions = resourcesOf(config, "google_cloudfunctions2_function");
      expect(functions.map((f) => f.name).sort()).toEqual([
        "activate_meta",
        "ingest_sendgrid",
        "ingest_shopify",
        "load_raw",
        "plan_activation",
      ]);
      const runtime = functions.map((f) =>
        refTo(first(f.body.service_config).service_account_email, "google_service_account"),
      );
      expect(runtime.every((sa) => sa !== undefined)).toBe(true);
      expect(new Set(runtime).size).toBe(functions.length);

      const triggers = [
        ...functions.flatMap((f) => blocks(f.body.event_trigger)),
        ...resourcesOf(config, "google_pubsub_subscription").flatMap((s) =>
          blocks(s.body.push_config).flatMap((p) => blocks(p.oidc_token)),
        ),
      ].map((t) => refTo(t.service_account_email, "google_service_account"));
      for (const sa of runtime) expect(triggers).not.toContain(sa);
    });

    it("builds functions as a dedicated build account, never a default one", () => {
      for (const fn of resourcesOf(config, "google_cloudfunctions2_function")) {
        expect(first(fn.body.build_config).service_account, fn.name).toMatch(
          /^\$\{google_service_account\.function_build\.id\}$/,
        );
      }
    });
  });

  describe("IAM", () => {
    it("grants no basic or admin role anywhere", () => {
      const broad = grants(config).filter((g) =>
        /^roles\/(owner|editor|viewer|storage\.admin|bigquery\.admin|pubsub\.admin|secretmanager\.admin|iam\.serviceAccountAdmin|resourcemanager\..*)$/.test(
          g.role,
        ),
      );
      expect(broad.map((g) => `${g.type}.${g.name}: ${g.role}`)).toEqual([]);
    });

    it("uses only additive grants (no authoritative policy or binding that would drop others' access)", () => {
      const authoritative = config.resources.filter((r) => /_iam_(binding|policy)$/.test(r.type));
      expect(authoritative.map((r) => `${r.type}.${r.name}`)).toEqual([]);
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
        expect(blocks(g.body.condition), `${g.name} needs a condition`).toHaveLength(1);
      }
      const publishers = project.filter((g) => g.role === "roles/pubsub.publisher");
      expect(publishers.map((g) => g.member)).toEqual([
        `serviceAccount:${tf("data.google_storage_project_service_account.gcs.email_address")}`,
      ]);
    });

    it("gives the internet-facing ingest functions nothing on BigQuery and no delete on the lake", () => {
      for (const sa of ["ingest_shopify", "ingest_sendgrid"]) {
        const own = grants(config).filter((g) =>
          g.member.includes(`google_service_account.${sa}.`),
        );
        expect(own.filter((g) => g.role.startsWith("roles/bigquery."))).toEqual([]);
        expect(own.map((g) => g.role).sort()).toEqual([
          "roles/secretmanager.secretAccessor",
          ...(sa === "ingest_shopify" ? ["roles/secretmanager.secretAccessor"] : []),
          "roles/storage.objectCreator",
          "roles/storage.objectViewer",
        ]);
        for (const g of own.filter((g) => g.role.startsWith("roles/storage."))) {
          expect(String(first(g.body.condition).expression)).toContain("lake_");
        }
      }
    });

    it("lets load-raw edit raw and its failure log in ops only, and Dataform only what it builds", () => {
      const editors = grants(config).filter(
        (g) =>
          g.type === "google_bigquery_dataset_iam_member" && g.role === "roles/bigquery.dataEditor",
      );
      const loadRaw = editors.filter((g) => g.member.includes("google_service_account.load_raw."));
      expect(loadRaw.map((g) => g.body.dataset_id).sort()).toEqual([
        tf("google_bigquery_dataset.ops.dataset_id"),
        tf("google_bigquery_dataset.raw.dataset_id"),
      ]);
      const dataform = find(config, "google_bigquery_dataset_iam_member", "dataform_edits_models");
      expect(Object.keys(dataform.body.for_each as Block).sort()).toEqual([
        "assertions",
        "marts",
        "staging",
      ]);
    });

    it("makes exactly the two webhook functions public", () => {
      const publicGrants = grants(config).filter((g) => g.member === "allUsers");
      expect(publicGrants.map((g) => g.body.service).sort()).toEqual([
        tf("google_cloudfunctions2_function.ingest_sendgrid.name"),
        tf("google_cloudfunctions2_function.ingest_shopify.name"),
      ]);
      for (const fn of resourcesOf(config, "google_cloudfunctions2_function")) {
        const ingress = first(fn.body.service_config).ingress_settings;
        expect(ingress, fn.name).toBe(
          fn.name.startsWith("ingest_") ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY",
        );
      }
    });
  });

  describe("delivery", () => {
    it("turns retries on for every event-triggered function", () => {
      const eventFunctions = resourcesOf(config, "google_cloudfunctions2_function").filter(
        (f) => blocks(f.body.event_trigger).length > 0,
      );
      expect(eventFunctions.length).toBeGreaterThan(0);
      for (const fn of eventFunctions) {
        expect(first(fn.body.event_trigger).retry_policy, fn.name).toBe("RETRY_POLICY_RETRY");
      }
    });

    it("feeds every other non-public function from a push subscription whose identity alone may invoke it", () => {
      const iam = grants(config);
      const subscriptions = resourcesOf(config, "google_pubsub_subscription");
      const pushFed = resourcesOf(config, "google_cloudfunctions2_function").filter(
        (f) => blocks(f.body.event_trigger).length === 0 && !f.name.startsWith("ingest_"),
      );
      expect(pushFed.map((f) => f.name).sort()).toEqual(["activate_meta", "plan_activation"]);
      for (const fn of pushFed) {
        const invokers = iam
          .filter(
            (g) =>
              g.role === "roles/run.invoker" &&
              refTo(g.body.service, "google_cloudfunctions2_function") === fn.name,
          )
          .map((g) => refTo(g.member, "google_service_account"));
        expect(invokers, `one invoker identity for ${fn.name}`).toHaveLength(1);
        const feeding = subscriptions.filter((s) =>
          blocks(s.body.push_config)
            .flatMap((p) => blocks(p.oidc_token))
            .some((t) => refTo(t.service_account_email, "google_service_account") === invokers[0]),
        );
        expect(feeding, `a push subscription feeds ${fn.name}`).toHaveLength(1);
        expect(blocks(feeding[0]?.body.dead_letter_policy)).toHaveLength(1);
      }
      // An event_trigger on a topic would make Eventarc own the subscription, which Terraform
      // cannot give a dead-letter policy.
      for (const fn of resourcesOf(config, "google_cloudfunctions2_function")) {
        for (const trigger of blocks(fn.body.event_trigger)) {
          expect(trigger.pubsub_topic, fn.name).toBeUndefined();
        }
      }
    });

    it("dead-letters every message that feeds a function, keeps the dead letters, and lets Pub/Sub do it", () => {
      const subscriptions = resourcesOf(config, "google_pubsub_subscription");
      const pushSubs = subscriptions.filter((s) => blocks(s.body.push_config).length > 0);
      expect(pushSubs.map((s) => s.name).sort()).toEqual([
        "activate_meta_push",
        "plan_activation_push",
      ]);

      const attempts = config.variables.get("max_delivery_attempts");
      expect(Number(attempts?.default)).toBeGreaterThanOrEqual(5);
      expect(Number(attempts?.default)).toBeLessThanOrEqual(100);
      expect(String(first(attempts?.validation).condition)).toMatch(/>= 5 && .*<= 100/);

      const iam = grants(config);
      for (const sub of pushSubs) {
        const policy = first(sub.body.dead_letter_policy);
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

        const agent = tf("google_project_service_identity.pubsub.member");
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
              refTo(g.body.subscription, "google_pubsub_subscription") === sub.name,
          ),
          `Pub/Sub agent subscribes to ${sub.name}`,
        ).toBe(true);
      }
    });
  });

  describe("personal data", () => {
    it("keeps 48 hours of time travel on every dataset that holds personal data", () => {
      const datasets = resourcesOf(config, "google_bigquery_dataset");
      const ids = datasets.map((d) => d.body.dataset_id);
      for (const pii of ["raw", "staging", "marts", "ops"]) expect(ids).toContain(pii);
      for (const dataset of datasets) {
        expect(Number(dataset.body.max_time_travel_hours), String(dataset.body.dataset_id)).toBe(
          48,
        );
        expect(dataset.body.delete_contents_on_destroy).toBe(false);
      }
      expect(
        find(config, "google_bigquery_dataset", "raw").body.default_partition_expiration_ms,
      ).toMatch(/var\.raw_partition_expiration_days/);
    });

    it("keeps the lake private, unversioned and expiring quarantine and activation batches", () => {
      const lake = find(config, "google_storage_bucket", "lake").body;
      expect(lake.uniform_bucket_level_access).toBe(true);
      expect(lake.public_access_prevention).toBe("enforced");
      expect(first(lake.versioning).enabled).toBe(false);
      const rules = blocks(lake.lifecycle_rule).map((r) => ({
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
      for (const fn of resourcesOf(config, "google_cloudfunctions2_function")) {
        const service = first(fn.body.service_config);
        const sa = refTo(service.service_account_email, "google_service_account") ?? "";
        const bindings = [
          ...blocks(service.secret_environment_variables).map((b) => ({ b, ref: b.secret })),
          // a dynamic block names its secret in for_each
          ...dynamicBlocks(service, "secret_environment_variables").flatMap((d) =>
            blocks(d.content).map((b) => ({ b, ref: d.for_each })),
          ),
        ];
        for (const { b, ref } of bindings) {
          expect(b.version).toBe("latest");
          const secret = refTo(ref, "google_secret_manager_secret");
          expect(secret, `${fn.name} binds ${String(b.key)} by reference`).toBeDefined();
          if (secret) boundBy.set(secret, (boundBy.get(secret) ?? new Set()).add(sa));
        }
      }
      const secrets = resourcesOf(config, "google_secret_manager_secret").map((s) => s.name);
      expect([...boundBy.keys()].sort()).toEqual([...secrets].sort());

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
