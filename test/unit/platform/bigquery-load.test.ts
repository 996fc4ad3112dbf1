import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { BigQuery } from "@google-cloud/bigquery";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rawTableSpec } from "../../../functions/core/raw-table.js";
import { createBigQueryWarehouse } from "../../../functions/platform/gcp/bigquery-warehouse.js";
import { LoadJobFailedError } from "../../../functions/platform/ports.js";

/**
 * What BigQuery receives from the adapter's load, and how the adapter reads its answers: a small
 * HTTP stand-in for the jobs API (the BigQuery emulator runs the full contract elsewhere).
 */
interface Job {
  jobReference: { projectId: string; jobId: string; location: string };
  configuration?: unknown;
  status: { state: string; errorResult?: unknown; errors?: unknown[] };
  statistics?: { load?: { outputRows: string } };
}

let server: Server;
let bigquery: BigQuery;
const jobs = new Map<string, Job>();
const inserts: Record<string, unknown>[] = [];
/** How the fake answers the next insert: run the job, or fail it. */
let outcome: "succeed" | "fail" = "succeed";

const read = async (req: IncomingMessage): Promise<string> => {
  let body = "";
  for await (const chunk of req) body += chunk;
  return body;
};

beforeEach(async () => {
  jobs.clear();
  inserts.length = 0;
  outcome = "succeed";
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "POST" && url.pathname === "/bigquery/v2/projects/p/jobs") {
      const body = JSON.parse(await read(req)) as { jobReference: Job["jobReference"] };
      inserts.push(body);
      const id = body.jobReference.jobId;
      if (jobs.has(id)) {
        send(409, {
          error: {
            code: 409,
            message: `Already Exists: Job p:EU.${id}`,
            errors: [{ reason: "duplicate" }],
          },
        });
        return;
      }
      const job: Job = {
        ...body,
        jobReference: { ...body.jobReference, location: "EU" },
        status:
          outcome === "succeed"
            ? { state: "DONE" }
            : {
                state: "DONE",
                errorResult: {
                  reason: "invalid",
                  message: "Error while reading data",
                  location: "gs://lake/raw/x",
                },
                errors: [{ reason: "invalid", message: "JSON parsing error" }],
              },
        ...(outcome === "succeed" ? { statistics: { load: { outputRows: "3" } } } : {}),
      };
      jobs.set(id, job);
      // Like BigQuery: the insert answers while the job is still running.
      send(200, { ...job, status: { state: "RUNNING" } });
      return;
    }
    const job = /^\/bigquery\/v2\/projects\/p\/jobs\/([^/]+)$/.exec(url.pathname);
    if (req.method === "GET" && job?.[1]) {
      const found = jobs.get(decodeURIComponent(job[1]));
      send(found ? 200 : 404, found ?? { error: { code: 404, message: "Not found" } });
      return;
    }
    // datasets and tables exist
    send(200, { id: url.pathname });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  bigquery = new BigQuery({ projectId: "p", apiEndpoint: `http://127.0.0.1:${port}` });
});
afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

const table = rawTableSpec("shopify", "orders");
const uris = [
  "gs://lake/raw/shopify/orders/dt=2026-12-01/a.ndjson",
  "gs://lake/raw/shopify/orders/dt=2026-12-01/b.ndjson",
];

describe("the BigQuery adapter's load job", () => {
  it("sends one load job with every gs:// URI, the given job id and the table's schema, and waits until it is done", async () => {
    const warehouse = createBigQueryWarehouse({ bigquery, location: "EU" });
    const result = await warehouse.load({ table, sourceUris: uris, jobId: "unistack_load_m1_0" });
    expect(result).toEqual({ jobId: "unistack_load_m1_0", status: "loaded", rowsLoaded: 3 });
    expect(inserts).toHaveLength(1);
    expect(inserts[0]).toMatchObject({
      jobReference: { jobId: "unistack_load_m1_0", location: "EU" },
      configuration: {
        load: {
          sourceUris: uris,
          sourceFormat: "NEWLINE_DELIMITED_JSON",
          destinationTable: { projectId: "p", datasetId: "raw", tableId: "shopify_orders" },
          writeDisposition: "WRITE_APPEND",
          createDisposition: "CREATE_NEVER",
        },
      },
    });
  });

  it("answers a taken job id (409) with that job's outcome instead of loading again", async () => {
    const warehouse = createBigQueryWarehouse({ bigquery, location: "EU" });
    await warehouse.load({ table, sourceUris: uris, jobId: "unistack_load_m2_0" });
    const again = await warehouse.load({ table, sourceUris: uris, jobId: "unistack_load_m2_0" });
    expect(again).toEqual({ jobId: "unistack_load_m2_0", status: "duplicate", rowsLoaded: 3 });
    expect(jobs.size).toBe(1);
  });

  it("throws LoadJobFailedError with BigQuery's reasons for a failed job, now and on a resubmission", async () => {
    outcome = "fail";
    const warehouse = createBigQueryWarehouse({ bigquery, location: "EU" });
    const attempt = () => warehouse.load({ table, sourceUris: uris, jobId: "unistack_load_m3_0" });
    for (const run of [attempt, attempt]) {
      const error = await run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LoadJobFailedError);
      expect((error as LoadJobFailedError).errors[0]).toEqual({
        reason: "invalid",
        message: "Error while reading data",
        location: "gs://lake/raw/x",
      });
    }
  });
});
