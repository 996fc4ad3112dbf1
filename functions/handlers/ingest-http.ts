import type { IncomingMessage, ServerResponse } from "node:http";
import { checkEnvelope, tooLarge } from "../core/ingest/envelope.js";
import {
  DEFAULT_MAX_BODY_BYTES,
  type IngestDeps,
  type IngestResponse,
  ingestWebhook,
} from "../core/ingest/ingest-webhook.js";
import type { WebhookSource } from "../core/ingest/source.js";
import type { SuppressionSource } from "../core/privacy/suppression-source.js";
import type { Logger } from "../platform/logger.js";
import { safeError } from "../platform/logger.js";

export type { IngestDeps, IngestRequest, IngestResponse } from "../core/ingest/ingest-webhook.js";
export { DEFAULT_MAX_BODY_BYTES, ingestWebhook } from "../core/ingest/ingest-webhook.js";

/**
 * Ingest deps as a deployment gives them: `sources` defaults to every registered source,
 * `suppression` to the lake's suppression list read with the `UNISTACK_PRIVACY_SALT` secret.
 */
export type IngestHandlerDeps = Omit<IngestDeps, "sources" | "suppression"> & {
  readonly sources?: ReadonlyMap<string, WebhookSource>;
  readonly suppression?: SuppressionSource;
};

export type BodyRead =
  | { readonly ok: true; readonly body: Buffer }
  | { readonly ok: false; readonly reason: "too_large" | "aborted" };

/**
 * Reads a request body, keeping at most `maxBytes`: a body that grows past the limit stops
 * being read at that point (chunked or with a false Content-Length), so memory never holds
 * more than the limit, whatever the sender streams.
 */
export function readBoundedBody(
  req: IncomingMessage,
  maxBytes: number = DEFAULT_MAX_BODY_BYTES,
): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (read: BodyRead): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
      resolve(read);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength;
      if (size > maxBytes) {
        // Stop here; the server answers 413 with `Connection: close`, and Node discards the
        // rest of the stream until the socket closes.
        req.pause();
        chunks.length = 0;
        finish({ ok: false, reason: "too_large" });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ ok: true, body: Buffer.concat(chunks, size) });
    const onError = (): void => finish({ ok: false, reason: "aborted" });
    const onAborted = (): void => finish({ ok: false, reason: "aborted" });
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}

/**
 * One webhook request on a `node:http` server: the envelope is checked before a byte of the
 * body is read (405, 413 by Content-Length, 415), the body is read up to the limit (413 while
 * streaming), then `ingestWebhook` verifies, validates and lands it. Every answer is a short
 * JSON object; an unexpected failure is logged without its message (it may quote request data)
 * and answered 500 with no detail.
 */
export async function handleIngestRequest(
  deps: IngestDeps,
  source: string,
  req: IncomingMessage,
  res: ServerResponse,
  log: Logger,
  connection?: string,
): Promise<void> {
  const limit = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const method = req.method ?? "GET";
  const refusal = checkEnvelope({ method, headers: req.headers }, limit);
  if (refusal) {
    log.warn({ source, status: refusal.status }, "webhook refused before reading the body");
    if (refusal.status === 405) res.setHeader("allow", "POST");
    return sendJson(res, refusal.status, { error: refusal.error }, { close: true });
  }
  if (/^100-continue$/i.test(req.headers.expect ?? "")) res.writeContinue();
  const read = await readBoundedBody(req, limit);
  if (!read.ok) {
    if (read.reason === "aborted") {
      log.info({ source }, "sender went away before the body was complete");
      res.destroy();
      return;
    }
    log.warn({ source, status: 413, limit }, "webhook body grew past the limit; stopped reading");
    return sendJson(res, 413, { error: tooLarge(limit).error }, { close: true });
  }
  let response: IngestResponse;
  try {
    response = await ingestWebhook(
      { ...deps, logger: log },
      {
        source,
        ...(connection ? { connection } : {}),
        method,
        url: req.url ?? "/",
        headers: req.headers,
        rawBody: read.body,
      },
    );
  } catch (error) {
    log.error({ source, err: safeError(error) }, "ingest failed unexpectedly");
    response = { status: 500, body: { error: "internal error; retry later" } };
  }
  sendJson(res, response.status, response.reply ?? response.body);
}

/** How long the rest of a refused request's body is read and dropped before the socket closes. */
export const LINGER_MS = 2_000;

/** Answers with a JSON body (never HTML, never a stack), closing the connection if asked. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  options: { readonly close?: boolean } = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("content-length", Buffer.byteLength(text));
  res.setHeader("cache-control", "no-store");
  res.setHeader("x-content-type-options", "nosniff");
  if (options.close) closeAfterAnswer(res);
  res.end(text);
}

/**
 * `Connection: close`, closed gracefully. Node destroys the socket as soon as such an answer is
 * flushed; while the client is still uploading the body we refused, that resets the connection
 * and the client may never read our 413. So: end our side, keep reading and dropping what the
 * client still sends (nothing is kept), and close when it is done or after `LINGER_MS` — the
 * "lingering close" HTTP servers have long used.
 */
function closeAfterAnswer(res: ServerResponse): void {
  res.setHeader("connection", "close");
  const req = res.req as IncomingMessage | undefined;
  const socket = req?.socket;
  if (!req || !socket || req.complete) return;
  socket.destroySoon = () => {
    socket.end();
    req.resume();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
    socket.once("end", () => socket.destroy());
  };
}
