import { createServer, request } from "node:http";
import { type RunningEmulator, serveOnLoopback } from "./emulators.js";

/**
 * What the deployed functions need to reach the emulators through the environment variables
 * alone (`gcpPlatform()` builds its clients from them, as in the cloud):
 * `@google-cloud/storage` with STORAGE_EMULATOR_HOST sends JSON API calls to `<host>/b/…`, while
 * fake-gcs-server serves them under `/storage/v1/b/…`; this loopback proxy adds the prefix and
 * passes uploads and downloads through unchanged.
 */
export async function startStorageHostProxy(fakeGcsUrl: string): Promise<RunningEmulator> {
  const target = new URL(fakeGcsUrl);
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: /^\/b(\/|\?|$)/.test(path) ? `/storage/v1${path}` : path,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(upstream);
  });
  return serveOnLoopback(server);
}
