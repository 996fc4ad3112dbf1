import type { IncomingMessage, ServerResponse } from "node:http";

/** HTTP plumbing of the Meta sandbox: Graph-style parameters from query, form or JSON bodies. */

export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export function parseParams(
  url: URL,
  contentType: string | undefined,
  body: Buffer,
): Record<string, unknown> | undefined {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  if (body.length === 0) return params;
  const text = body.toString("utf8");
  if (contentType?.includes("application/json")) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
      return { ...params, ...(parsed as Record<string, unknown>) };
    } catch {
      return undefined;
    }
  }
  return { ...params, ...Object.fromEntries(new URLSearchParams(text)) };
}

export function bearer(header: string | undefined): string | undefined {
  const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header ?? "");
  return match?.[1];
}

export function stringParam(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers });
  res.end(JSON.stringify(body));
}
