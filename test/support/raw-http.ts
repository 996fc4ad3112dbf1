import { connect, type Socket } from "node:net";

/**
 * A deliberately plain HTTP/1.1 client for hostile requests: it writes exactly the head and the
 * bytes it is given (chunked framing on request, any Content-Length, bodies far larger than
 * memory would like), keeps writing only while the server reads, and returns whatever the
 * server answered, even when the server closes the connection before the body is sent.
 */
export interface RawRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The body, or a generator of chunks (sent as they come, with back-pressure). */
  readonly body?: string | Uint8Array | Iterable<Uint8Array>;
  /** Frame the body with `Transfer-Encoding: chunked` instead of a Content-Length. */
  readonly chunked?: boolean;
  /** Send this Content-Length instead of the real one (or none when `null`). */
  readonly contentLength?: number | null;
  /** Send these bytes as the whole request instead (malformed HTTP). */
  readonly raw?: string;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Body bytes the server let us send before it answered or closed. */
  readonly bytesSent: number;
}

export function rawHttp(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise<RawResponse>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const received: Buffer[] = [];
    let answered = false;
    let bytesSent = 0;
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      const response = parseResponse(Buffer.concat(received));
      if (response) {
        settled = true;
        socket.destroy();
        resolve({ ...response, bytesSent });
      } else if (error) {
        settled = true;
        socket.destroy();
        reject(error);
      }
    };
    socket.on("data", (chunk: Buffer) => {
      received.push(chunk);
      if (finalHead(Buffer.concat(received))) answered = true;
      if (isComplete(Buffer.concat(received))) settle();
    });
    socket.on("end", () => settle(new Error("connection closed without a response")));
    socket.on("close", () => settle(new Error("connection closed without a response")));
    socket.on("error", (error) => {
      // A server that answered early and closed resets our unfinished upload: keep its answer.
      if (answered) settle();
      else settle(error);
    });
    socket.once("connect", () => {
      if (request.raw !== undefined) {
        socket.write(request.raw);
        return;
      }
      void send(
        socket,
        request,
        () => answered || socket.destroyed,
        (n) => {
          bytesSent += n;
        },
      ).catch(() => settle());
    });
  });
}

async function send(
  socket: Socket,
  request: RawRequest,
  stop: () => boolean,
  sent: (n: number) => void,
): Promise<void> {
  const chunks =
    request.body === undefined
      ? []
      : typeof request.body === "string" || request.body instanceof Uint8Array
        ? [Buffer.from(request.body)]
        : request.body;
  const whole = Array.isArray(chunks) ? Buffer.concat(chunks) : undefined;
  const headers: Record<string, string> = { host: "ingest.test", connection: "close" };
  if (request.chunked) headers["transfer-encoding"] = "chunked";
  else if (request.contentLength !== undefined && request.contentLength !== null)
    headers["content-length"] = String(request.contentLength);
  else if (request.contentLength !== null && whole)
    headers["content-length"] = String(whole.length);
  Object.assign(headers, request.headers);
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  socket.write(`${request.method ?? "POST"} ${request.path} HTTP/1.1\r\n${head}\r\n`);
  for (const chunk of chunks) {
    if (stop()) return;
    const framed = request.chunked
      ? Buffer.concat([Buffer.from(`${chunk.byteLength.toString(16)}\r\n`), chunk, CRLF])
      : chunk;
    const flushed = socket.write(framed);
    sent(chunk.byteLength);
    if (!flushed) await drainOrStop(socket, stop);
  }
  if (request.chunked && !stop()) socket.write("0\r\n\r\n");
}

const CRLF = Buffer.from("\r\n");

function drainOrStop(socket: Socket, stop: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (stop()) done();
    }, 20);
    const done = (): void => {
      clearInterval(timer);
      socket.off("drain", done);
      socket.off("close", done);
      resolve();
    };
    socket.once("drain", done);
    socket.once("close", done);
  });
}

function parseHead(
  buffer: Buffer,
): { status: number; headers: Record<string, string>; bodyStart: number } | undefined {
  const end = buffer.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [statusLine = "", ...lines] = buffer.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!status) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, bodyStart: end + 4 };
}

/** The final (non-1xx) response head and the bytes from it on. */
function finalHead(buffer: Buffer) {
  let rest = buffer;
  let head = parseHead(rest);
  while (head && head.status >= 100 && head.status < 200) {
    rest = rest.subarray(head.bodyStart);
    head = parseHead(rest);
  }
  return head ? { ...head, rest } : undefined;
}

function isComplete(buffer: Buffer): boolean {
  const head = finalHead(buffer);
  if (!head) return false;
  const length = Number(head.headers["content-length"]);
  return Number.isFinite(length) && head.rest.length - head.bodyStart >= length;
}

function parseResponse(buffer: Buffer): Omit<RawResponse, "bytesSent"> | undefined {
  const head = finalHead(buffer);
  if (!head) return undefined;
  const length = Number(head.headers["content-length"]);
  const end = Number.isFinite(length) ? head.bodyStart + length : undefined;
  const body = head.rest.subarray(head.bodyStart, end);
  return { status: head.status, headers: head.headers, body: body.toString("utf8") };
}
