/**
 * How the guarded modules (`mutate` in stryker.config.json) are mutation-tested: each group is
 * one Stryker run over its modules with only the test files that state their behaviour. A
 * mutant in module-level code (a zod schema, a constant) cannot be traced to single tests, so
 * Stryker runs every test file of the run against it: keeping a group's files to those that
 * exercise its modules is what keeps CI's mutation step short (docs/testing.md).
 */
export interface MutationGroup {
  readonly name: string;
  readonly modules: readonly string[];
  readonly testFiles: readonly string[];
  /**
   * Whether CI's mutation step (`.ci/run`: `npm run test:mutation -- --ci`) runs this group. CI
   * runs the groups that fit its time budget (~20 min on 2 cores); the others are run by hand
   * (docs/testing.md lists the measured time and score of each).
   */
  readonly ci: boolean;
}

export const MUTATION_GROUPS: readonly MutationGroup[] = [
  {
    name: "signatures",
    ci: true,
    modules: [
      "functions/sources/sendgrid/verify.ts",
      "functions/sources/shopify/verify.ts",
      "functions/sources/hubspot/verify.ts",
    ],
    testFiles: [
      "test/unit/sources/*/verify*.test.ts",
      "test/unit/sources/every-source-verifies.test.ts",
    ],
  },
  {
    name: "sources",
    ci: false,
    modules: [
      "functions/sources/sendgrid/extract.ts",
      "functions/sources/shopify/extract.ts",
      "functions/sources/sendgrid/contracts.ts",
      "functions/sources/shopify/contracts.ts",
    ],
    testFiles: [
      "test/unit/sources/sendgrid/*.test.ts",
      "test/unit/sources/shopify/*.test.ts",
      "test/unit/handlers/ingest-webhook.test.ts",
      "test/unit/handlers/ingest-data-defects.test.ts",
    ],
  },
  {
    // Exact bytes and refusal at the edge: the JSON scanners that keep each record's own text,
    // the envelope checks (method, codings, declared size) and the use case's UTF-8 and size
    // checks. Only the tests that state them, so a module-level mutant re-runs seconds, not the
    // whole ingest suite (which took > 2 h over every ingest module).
    name: "ingest",
    ci: false,
    modules: [
      "functions/core/ingest/json-text.ts",
      "functions/core/ingest/envelope.ts",
      "functions/core/ingest/ingest-webhook.ts",
    ],
    testFiles: [
      "test/unit/core/ingest/json-text*.test.ts",
      "test/unit/core/ingest/envelope*.test.ts",
      "test/unit/handlers/ingest-webhook.test.ts",
      "test/unit/handlers/ingest-exact-bytes.test.ts",
    ],
  },
  {
    name: "records",
    ci: false,
    modules: [
      "functions/core/ingest/json-defects.ts",
      "functions/core/ingest/land.ts",
      "functions/core/ingest/lines.ts",
      "functions/core/ingest/sort-records.ts",
    ],
    testFiles: [
      "test/unit/core/ingest/json-defects.test.ts",
      "test/unit/handlers/ingest-webhook.test.ts",
      "test/unit/handlers/ingest-data-defects.test.ts",
      "test/unit/handlers/ingest-exact-bytes.test.ts",
    ],
  },
  {
    name: "activation",
    ci: false,
    modules: [
      "functions/core/activation/batches.ts",
      "functions/core/activation/diff.ts",
      "functions/core/activation/settle.ts",
      "functions/destinations/meta/normalize.ts",
      "functions/destinations/meta/normalize-fields.ts",
      "functions/destinations/google-ads/normalize.ts",
    ],
    testFiles: [
      "test/unit/activation/batches.test.ts",
      "test/unit/activation/diff*.test.ts",
      "test/unit/activation/settle*.test.ts",
      "test/unit/destinations/meta/normalize*.test.ts",
      "test/unit/destinations/google-ads/normalize*.test.ts",
    ],
  },
  {
    // Apart from `activation`: the sync configuration is being extended (HubSpot, realtime) on
    // other branches right now; it joins CI once that settles.
    name: "syncs",
    ci: false,
    modules: ["functions/core/activation/sync-config.ts"],
    testFiles: ["test/unit/activation/sync-config.test.ts"],
  },
  {
    // The decisions a sweep takes (retry, split, defer, abort) and the batches it plans: pure
    // functions, stated by unit tests that run in milliseconds, so the many module-level mutants
    // (BigQuery's reason lists, the manifest schema) each cost a fraction of a second.
    name: "loads",
    ci: true,
    modules: ["functions/core/loading/failure-policy.ts", "functions/core/loading/manifest.ts"],
    testFiles: ["test/unit/core/loading/*.test.ts"],
  },
  {
    // The load-raw function (its triggers and settings) on the local lake and DuckDB; the sweep's
    // failure and crash tests are left out: they state run-batch.ts and sweep.ts, not this module.
    name: "load-handler",
    ci: false,
    modules: ["functions/handlers/load-raw.ts"],
    testFiles: [
      "test/unit/handlers/load-raw.test.ts",
      "test/unit/handlers/load-raw-settings.test.ts",
    ],
  },
  {
    name: "ledgers",
    ci: false,
    modules: ["functions/destinations/sync-ledger.ts"],
    testFiles: [
      "test/unit/activation/activation-*.test.ts",
      "test/unit/activation/shared-email.test.ts",
    ],
  },
];
