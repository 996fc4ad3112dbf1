import { afterAll } from "vitest";
import { createBigQueryWarehouse } from "../../functions/platform/gcp/bigquery-warehouse.js";
import { type BigQueryEmulators, startBigQueryEmulators } from "../support/bigquery-emulator.js";
import { describeWarehouseContract } from "./warehouse.contract.js";

/**
 * The BigQuery adapter, with the official BigQuery and Storage clients, against the BigQuery
 * emulator and fake-gcs-server: load jobs read `gs://` objects written through fake-gcs. One pair
 * of emulators serves the file; each test gets datasets of its own.
 */
let started: Promise<BigQueryEmulators | string> | undefined;
let tests = 0;

/** What bqemulator 1.4.0 does differently from BigQuery (docs/decisions.md, 2026-12-01). */
const gaps = {
  "fails a job with one malformed file among good ones as 'invalid' and loads none of its files":
    "a load job loads its files one by one, without a transaction: the good files stay loaded",
  "fails a job whose file does not exist as 'notFound'":
    "a missing file fails the job with reason 'invalid', not 'notFound'",
};

describeWarehouseContract(
  "BigQuery (emulator)",
  async () => {
    started ??= startBigQueryEmulators("the BigQuery adapter contract");
    const e = await started;
    if (typeof e === "string") return e;
    const run = ++tests;
    const warehouse = createBigQueryWarehouse({ bigquery: e.bigquery, location: "EU" });
    return {
      warehouse,
      dataset: `contract_raw_${run}`,
      async stage(name, ndjson) {
        const key = `contract/${run}/${name}`;
        await e.storage.bucket(e.bucket).file(key).save(ndjson, { resumable: false });
        return `gs://${e.bucket}/${key}`;
      },
      cleanup: async () => {},
    };
  },
  { gaps },
);

afterAll(async () => {
  const e = await started;
  if (e && typeof e !== "string") await e.stop();
});
