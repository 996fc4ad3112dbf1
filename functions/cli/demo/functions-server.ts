import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createIngestHttpHandler, type IngestHandlerDeps } from "../../handlers/ingest-http.js";
import { webhookPath, webhookSources } from "../../sources/registry.js";

export interface FunctionsServer {
  /** `http://127.0.0.1:<port>`: post webhooks to `${url}/webhooks/<source>`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the ingest functions on loopback, one route per registered source, with the same
 * handlers `functions/index.ts` registers with the functions-framework.
 */
export async function startFunctionsServer(deps: IngestHandlerDeps): Promise<FunctionsServer> {
  const routes = new Map(
    [...webhookSources.keys()].map((name) => [
      webhookPath(name),
      createIngestHttpHandler(() => deps, name),
    ]),
  );
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const handler = routes.get(path);
    if (!handler) {
      res.statusCode = 404;
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          error: `no function at ${path}; try one of ${[...routes.keys()].join(", ")}`,
        }),
      );
      return;
    }
    handler(req, res).catch((error: unknown) => {
      deps.logger.error({ err: String(error) }, "unhandled ingest error");
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
