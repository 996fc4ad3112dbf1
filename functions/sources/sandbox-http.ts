import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * HTTP helpers shared by the vendors' local sandboxes (loopback servers the demo and tests pull
 * from). Not for the ingest path: that one reads the raw stream with its own size limit.
 */

/** The whole request body as UTF-8 text. */
export function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** A JSON answer; `serialize` for vendors whose JSON carries integers above 2^53. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  serialize: (value: unknown) => string | undefined = JSON.stringify,
): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(serialize(body));
}
