import type { IncomingHttpHeaders } from "node:http";
import {
  DEFAULT_MAX_BODY_BYTES,
  type IngestDeps,
  type IngestResponse,
  ingestWebhook,
} from "../core/ingest/ingest-webhook.js";
import type { WebhookSource } from "../core/ingest/source.js";
import { webhookSources } from "../sources/registry.js";

export type { IngestDeps, IngestRequest, IngestResponse } from "../core/ingest/ingest-webhook.js";
export { DEFAULT_MAX_BODY_BYTES, ingestWebhook } from "../core/ingest/ingest-webhook.js";

/** Ingest deps as a deployment gives them; `sources` defaults to every registered source. */
export type IngestHandlerDeps = Omit<IngestDeps, "sources"> & {
  readonly sources?: ReadonlyMap<string, WebhookSource>;
};

/**
 * The request as the functions-framework (Express, `rawBody` already read) or a plain
 * `node:http` server (`IncomingMessage`, body not yet read) gives it.
 */
export interface HttpRequestLike {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody?: Buffer | undefined;
  [Symbol.asyncIterator]?: () => AsyncIterator<Uint8Array | string>;
}

/** The part of `http.ServerResponse` (which Express's response extends) that we use. */
export interface HttpResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body larger than ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/**
 * Reads a `node:http` request body, refusing more than `maxBytes` (by Content-Length up front,
 * and while streaming for chunked requests). Throws `BodyTooLargeError`.
 */
export async function readRequestBody(
  req: { readonly headers: IncomingHttpHeaders } & AsyncIterable<Uint8Array | string>,
  maxBytes: number = DEFAULT_MAX_BODY_BYTES,
): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyTooLargeError(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
    size += buffer.byteLength;
    if (size > maxBytes) throw new BodyTooLargeError(maxBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size);
}

/**
 * An HTTP function for one source: `functions.http("ingestShopify",
 * createIngestHttpHandler(() => deps, "shopify"))`, or a `node:http` request listener. The
 * deps factory runs once, on the first request (a cold start), and again only if it failed.
 */
export function createIngestHttpHandler(
  depsFactory: () => IngestHandlerDeps | Promise<IngestHandlerDeps>,
  sourceName: string,
): (req: HttpRequestLike, res: HttpResponseLike) => Promise<void> {
  let deps: Promise<IngestDeps> | undefined;
  const getDeps = (): Promise<IngestDeps> => {
    deps ??= Promise.resolve()
      .then(depsFactory)
      .then((d) => ({ ...d, sources: d.sources ?? webhookSources }));
    deps.catch(() => {
      deps = undefined;
    });
    return deps;
  };

  return async (req, res) => {
    let resolved: IngestDeps;
    try {
      resolved = await getDeps();
    } catch (error) {
      console.error(
        JSON.stringify({ severity: "ERROR", message: "ingest deps failed", err: String(error) }),
      );
      return send(res, { status: 503, body: { error: "not configured; retry later" } });
    }
    const limit = resolved.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    let rawBody: Uint8Array;
    try {
      rawBody = req.rawBody ?? (await readStream(req, limit));
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        res.setHeader("connection", "close");
        return send(res, { status: 413, body: { error: error.message } });
      }
      throw error;
    }
    try {
      const response = await ingestWebhook(resolved, {
        source: sourceName,
        method: req.method ?? "POST",
        url: req.url ?? "/",
        headers: req.headers,
        rawBody,
      });
      send(res, response);
    } catch (error) {
      resolved.logger.error({ source: sourceName, err: String(error) }, "ingest failed");
      send(res, { status: 500, body: { error: "internal error; retry later" } });
    }
  };
}

function readStream(req: HttpRequestLike, limit: number): Promise<Buffer> {
  const iterate = req[Symbol.asyncIterator];
  if (!iterate) return Promise.resolve(Buffer.alloc(0));
  return readRequestBody(
    { headers: req.headers, [Symbol.asyncIterator]: iterate.bind(req) },
    limit,
  );
}

function send(res: HttpResponseLike, response: IngestResponse): void {
  res.statusCode = response.status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(JSON.stringify(response.body));
}
