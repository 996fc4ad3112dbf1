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
}

export const MUTATION_GROUPS: readonly MutationGroup[] = [
  {
    name: "sources",
    modules: [
      "functions/sources/sendgrid/verify.ts",
      "functions/sources/shopify/verify.ts",
      "functions/sources/sendgrid/extract.ts",
      "functions/sources/shopify/extract.ts",
      "functions/sources/sendgrid/contracts.ts",
      "functions/sources/shopify/contracts.ts",
    ],
    testFiles: [
      "test/unit/sources/**/*.test.ts",
      "test/unit/handlers/ingest-webhook.test.ts",
      "test/unit/handlers/ingest-data-defects.test.ts",
    ],
  },
  {
    name: "ingest",
    modules: [
      "functions/core/ingest/json-text.ts",
      "functions/core/ingest/json-defects.ts",
      "functions/core/ingest/envelope.ts",
      "functions/core/ingest/ingest-webhook.ts",
      "functions/core/ingest/land.ts",
      "functions/core/ingest/lines.ts",
      "functions/core/ingest/sort-records.ts",
    ],
    testFiles: [
      "test/unit/core/ingest/*.test.ts",
      "test/unit/handlers/ingest-webhook.test.ts",
      "test/unit/handlers/ingest-data-defects.test.ts",
      "test/unit/handlers/ingest-server.test.ts",
      "test/unit/handlers/ingest-exact-bytes.test.ts",
      "test/unit/sources/every-source-verifies.test.ts",
    ],
  },
  {
    name: "activation",
    modules: [
      "functions/core/activation/batches.ts",
      "functions/core/activation/diff.ts",
      "functions/core/activation/settle.ts",
      "functions/core/activation/sync-config.ts",
      "functions/destinations/meta/normalize.ts",
      "functions/destinations/meta/normalize-fields.ts",
    ],
    testFiles: [
      "test/unit/activation/batches.test.ts",
      "test/unit/activation/diff*.test.ts",
      "test/unit/activation/sync-config.test.ts",
      "test/unit/destinations/meta/normalize*.test.ts",
    ],
  },
  {
    name: "ledgers",
    modules: ["functions/destinations/sync-ledger.ts", "functions/handlers/load-raw.ts"],
    testFiles: [
      "test/unit/activation/activation-*.test.ts",
      "test/unit/activation/shared-email.test.ts",
      "test/unit/handlers/load-raw*.test.ts",
    ],
  },
];
