import { mkdtemp, rm } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BigQuery } from "@google-cloud/bigquery";
import { Storage } from "@google-cloud/storage";
import { type RunningEmulator, serveOnLoopback, startEmulator, startFakeGcs } from "./emulators.js";
import { requireTool } from "./external-tools.js";

/**
 * BigQuery and Cloud Storage emulators side by side, the way the GCP adapters meet them in the
 * cloud: bqemulator (PyPI, DuckDB + SQLGlot; docs/decisions.md says why this one) and
 * fake-gcs-server sharing one folder, so a load job from `gs://bucket/key` reads the object the
 * Storage client wrote through fake-gcs.
 *
 * Two places where bqemulator 1.4.0 differs from BigQuery are set right in front of it by a
 * loopback proxy, so the adapters see BigQuery's answers (both found by the contract suite):
 * - a job id is taken once: BigQuery answers a second `jobs.insert` with that id 409 (the
 *   emulator ran the job again and replaced the first);
 * - a query that fails is an HTTP error: the emulator answered `jobs.query` 200 with the error in
 *   `errors` and no rows, which the Node client reads as an empty result.
 */
export interface BigQueryEmulators {
  readonly bigquery: BigQuery;
  readonly storage: Storage;
  /** Bucket created for the run; load URIs are `gs://<bucket>/<key>`. */
  readonly bucket: string;
  readonly project: string;
  stop(): Promise<void>;
}

export async function startBigQueryEmulators(
  what: string,
  options: { project?: string; bucket?: string } = {},
): Promise<BigQueryEmulators | string> {
  const bq = requireTool("bqemulator", what);
  if (!bq.ok) return bq.reason;
  const fakeGcs = requireTool("fake-gcs-server", what);
  if (!fakeGcs.ok) return fakeGcs.reason;
  const project = options.project ?? "unistack-test";
  const bucket = options.bucket ?? "unistack-lake";
  const root = await mkdtemp(join(tmpdir(), "unistack-gcs-"));
  const started: RunningEmulator[] = [];
  const stop = async () => {
    for (const emulator of started.reverse()) await emulator.stop();
    await rm(root, { recursive: true, force: true });
  };
  try {
    started.push(await startFakeGcs(fakeGcs.path, undefined, root));
    started.push(
      await startEmulator({
        name: "bqemulator",
        command: bq.path,
        args: (port) => [
          "start",
          "--rest-port",
          String(port),
          "--grpc-port",
          "0",
          "--project",
          project,
          "--log-level",
          "warning",
        ],
        env: { BQEMU_GCS_LOCAL_ROOT: root },
        readyPath: `/bigquery/v2/projects/${project}/datasets`,
      }),
    );
    const proxy = await startBigQueryFixups(started[1] as RunningEmulator);
    started.push(proxy);
    const storage = new Storage({
      projectId: project,
      apiEndpoint: (started[0] as RunningEmulator).url,
    });
    await storage.createBucket(bucket);
    const bigquery = new BigQuery({ projectId: project, apiEndpoint: proxy.url });
    return { bigquery, storage, bucket, project, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The loopback proxy described above. */
async function startBigQueryFixups(emulator: RunningEmulator): Promise<RunningEmulator> {
  const target = new URL(emulator.url);
  // A job id → settles once the emulator answered its first insert. BigQuery answers 409 only
  // for a job resource that exists, so a second insert racing the first waits for it: the
  // adapter's jobs.get after the 409 must find the job (it 404'd in CI when answered at once).
  const jobIds = new Map<string, Promise<void>>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? "/";
      const isInsert = req.method === "POST" && /\/projects\/[^/]+\/jobs(\?|$)/.test(path);
      if (isInsert) {
        const jobId = (
          JSON.parse(body.toString("utf8") || "{}") as {
            jobReference?: { jobId?: string };
          }
        ).jobReference?.jobId;
        if (jobId !== undefined) {
          const first = jobIds.get(jobId);
          if (first) {
            void first.then(() => {
              res.writeHead(409, { "content-type": "application/json" });
              res.end(
                JSON.stringify({
                  error: {
                    code: 409,
                    message: `Already Exists: Job ${jobId}`,
                    errors: [{ reason: "duplicate", message: `Already Exists: Job ${jobId}` }],
                    status: "ALREADY_EXISTS",
                  },
                }),
              );
            });
            return;
          }
          let answered = (): void => {};
          jobIds.set(
            jobId,
            new Promise<void>((resolve) => {
              answered = resolve;
            }),
          );
          res.on("finish", () => answered());
          res.on("close", () => answered());
        }
      }
      const isQuery = req.method === "POST" && /\/projects\/[^/]+\/queries(\?|$)/.test(path);
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path,
          headers: { ...req.headers, host: target.host, "content-length": body.length },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => parts.push(chunk));
          answer.on("end", () => {
            let status = answer.statusCode ?? 502;
            let payload = Buffer.concat(parts);
            if (isQuery && status === 200) {
              const parsed = JSON.parse(payload.toString("utf8")) as {
                errors?: { reason?: string; message?: string }[];
                rows?: unknown[];
              };
              const [first] = parsed.errors ?? [];
              if (first && (parsed.rows ?? []).length === 0) {
                status = 400;
                payload = Buffer.from(
                  JSON.stringify({
                    error: { code: 400, message: first.message, errors: parsed.errors },
                  }),
                );
              }
            }
            const headers = { ...answer.headers, "content-length": String(payload.length) };
            delete headers["transfer-encoding"];
            res.writeHead(status, headers);
            res.end(payload);
          });
        },
      );
      upstream.on("error", (error) => {
        res.writeHead(502);
        res.end(String(error));
      });
      upstream.end(body);
    });
  });
  return serveOnLoopback(server);
}
