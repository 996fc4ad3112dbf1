import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { IngestDeps } from "../core/ingest/ingest-webhook.js";
import { identifierPathsOf } from "../core/privacy/catalog-streams.js";
import {
  createStoredSuppression,
  type SuppressionSource,
} from "../core/privacy/suppression-source.js";
import { safeError } from "../platform/logger.js";
import { runWithTrace, traceFields } from "../platform/trace-context.js";
import { SOURCE_CATALOG, webhookPath, webhookSources } from "../sources/registry.js";
import { handleIngestRequest, type IngestHandlerDeps, sendJson } from "./ingest-http.js";

/** The health check path Cloud Run's probes (and people) can call. */
export const HEALTH_PATH = "/healthz";

/** How long a whole request may take; vendors wait 5–10 s, slow senders hold no socket longer. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Senders write their headers at once; a client that dribbles them is dropped sooner. */
export const HEADERS_TIMEOUT_MS = 10_000;

export interface IngestServerOptions {
  readonly deps: IngestHandlerDeps;
  /** `0.0.0.0` on Cloud Run; loopback (the default) for the demo and tests. */
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
}

export interface IngestServer {
  /** `http://<host>:<port>`; webhooks go to `${url}/webhooks/<source>`. */
  readonly url: string;
  readonly port: number;
  /**
   * Stops taking connections and lets requests in flight finish (each one lands or fails as a
   * whole) for up to `graceMs`, then closes what is left.
   */
  close(options?: { readonly graceMs?: number }): Promise<void>;
}

/**
 * The ingest service: one `node:http` server for every registered webhook source,
 * `POST /webhooks/<source>` and `GET /healthz`. The demo serves it on loopback; Cloud Run starts
 * it through `functions/serve-ingest.ts`. We read the raw stream ourselves, so nothing is parsed,
 * inflated or buffered before the size and signature checks (docs/decisions.md).
 */
export function createIngestServer(handlerDeps: IngestHandlerDeps): {
  readonly server: Server;
  readonly shutdown: () => void;
} {
  const deps: IngestDeps = {
    ...handlerDeps,
    sources: handlerDeps.sources ?? webhookSources,
    suppression: handlerDeps.suppression ?? lakeSuppression(handlerDeps),
  };
  const routes = new Map([...deps.sources.keys()].map((name) => [webhookPath(name), name]));
  let closing = false;

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    if (closing) res.setHeader("connection", "close");
    const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
    if (path === HEALTH_PATH) {
      health(req, res);
      return;
    }
    // `/webhooks/<source>/<connection>`: the connection is checked against the configuration
    // in ingestWebhook (404 when unknown), and its own secret verifies the delivery.
    const [, base = path, connection] =
      /^(\/webhooks\/[a-z0-9_]+)(?:\/([a-z0-9][a-z0-9_-]{0,39}))?$/.exec(path) ?? [];
    const source = routes.get(base);
    if (!source) {
      sendJson(res, 404, { error: "not found" }, { close: true });
      return;
    }
    const log = deps.logger;
    runWithTrace(traceFields(req.headers), () =>
      handleIngestRequest(deps, source, req, res, log, connection).catch((error: unknown) => {
        log.error({ source, err: safeError(error) }, "ingest request failed unexpectedly");
        sendJson(res, 500, { error: "internal error; retry later" }, { close: true });
      }),
    );
  };

  const server = createServer(
    { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS },
    listener,
  );
  // Answer `Expect: 100-continue` only after the envelope checks, in the handler.
  server.on("checkContinue", listener);
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    answerMalformed(error, socket);
    deps.logger.warn({ code: error.code ?? "unknown" }, "malformed HTTP request");
  });
  server.keepAliveTimeout = 30_000;
  return {
    server,
    shutdown() {
      closing = true;
    },
  };
}

export async function startIngestServer(options: IngestServerOptions): Promise<IngestServer> {
  const { server, shutdown } = createIngestServer(options.deps);
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close({ graceMs = 8_000 } = {}) {
      shutdown();
      return new Promise<void>((resolve, reject) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close((error) => {
          clearTimeout(force);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}

function health(req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    sendJson(res, 405, { error: "use GET" }, { close: true });
    return;
  }
  sendJson(res, 200, { status: "ok" });
}

/** What Node's parser refused (bad framing, oversized headers, a timeout): a short JSON answer. */
function answerMalformed(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large"]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout"]
        : [400, "Bad Request"];
  const body = JSON.stringify({ error: "malformed HTTP request" });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** The suppression list every deployment consults: `privacy/suppression.json` in its lake. */
export function lakeSuppression(
  deps: Pick<IngestHandlerDeps, "store" | "secrets" | "clock" | "logger">,
): SuppressionSource {
  return createStoredSuppression({ ...deps, identifiersOf: identifierPathsOf(SOURCE_CATALOG) });
}
