import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { UploadSession } from "./contracts.js";
import {
  type AudienceKey,
  type MemberRow,
  openAudienceStore,
  type UploadRecord,
} from "./sandbox-audiences.js";
import { faultAnswer, type SandboxFault } from "./sandbox-faults.js";
import {
  bearer,
  MAX_BODY_BYTES,
  parseParams,
  readBody,
  send,
  stringParam,
} from "./sandbox-http.js";
import { checkUsersParams, type GraphFailure, graphFailure } from "./sandbox-rules.js";

/**
 * A local stand-in for Meta's Custom Audience users edge on 127.0.0.1: it enforces Meta's
 * request rules (token, audience, schema, hashed values, ≤ 10,000 rows) and keeps each
 * audience's members, so tests and the demo can read what Meta would hold. Faults can be
 * queued to rehearse rate limits and outages.
 */

export const SANDBOX_ACCESS_TOKEN = "sandbox-token";

export interface MetaSandboxOptions {
  /** Tokens the sandbox accepts; default `[SANDBOX_ACCESS_TOKEN]`. */
  readonly accessTokens?: readonly string[];
  /** Audiences that exist from the start. */
  readonly audiences?: readonly string[];
  /** JSON file that keeps the audiences across processes. */
  readonly statePath?: string;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
}

/** One call the sandbox answered (no values: counts only). */
export interface SandboxRequest {
  readonly at: Date;
  readonly method: string;
  readonly path: string;
  readonly audienceId: string | undefined;
  readonly op: "add" | "remove" | undefined;
  readonly rows: number;
  readonly status: number;
  readonly errorCode: number | undefined;
  readonly numInvalid: number | undefined;
  readonly session: UploadSession | undefined;
}

export interface MetaSandbox {
  /** Base URL to give the client (`META_BASE_URL`), e.g. `http://127.0.0.1:43121`. */
  readonly baseUrl: string;
  readonly accessToken: string;
  readonly requests: readonly SandboxRequest[];
  createAudience(audienceId: string): Promise<void>;
  /** Sorted SHA-256 values the audience holds under EMAIL (or PHONE). */
  members(audienceId: string, key?: AudienceKey): string[];
  /** Every held row (multi-key uploads keep all their keys), sorted. */
  rows(audienceId: string): MemberRow[];
  /** Every add or remove the sandbox applied (no values), kept in the state file when persisted. */
  uploads(): readonly UploadRecord[];
  /** Answers the next `times` users-edge calls with `fault`. */
  failNext(fault: SandboxFault, times?: number): void;
  /** Answers every users-edge call with `fault` from now on (an outage that does not end). */
  failAlways(fault: SandboxFault): void;
  close(): Promise<void>;
}

export async function startMetaSandbox(options: MetaSandboxOptions = {}): Promise<MetaSandbox> {
  const tokens = new Set(options.accessTokens ?? [SANDBOX_ACCESS_TOKEN]);
  const store = await openAudienceStore({
    statePath: options.statePath,
    audiences: options.audiences,
  });
  const requests: SandboxRequest[] = [];
  const faults: SandboxFault[] = [];
  let outage: SandboxFault | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const inspect = /^\/_sandbox\/audiences\/([^/]+)$/.exec(url.pathname);
    if (inspect?.[1] && req.method === "GET") {
      const id = decodeURIComponent(inspect[1]);
      if (!store.has(id)) return void send(res, 404, { error: `no audience ${id}` });
      return void send(res, 200, {
        id,
        EMAIL: store.members(id, "EMAIL"),
        PHONE: store.members(id, "PHONE"),
        rows: store.rows(id),
      });
    }
    const edge = /^\/v\d+\.\d+\/([^/]+)\/users\/?$/.exec(url.pathname);
    const audienceId = edge?.[1] ? decodeURIComponent(edge[1]) : undefined;
    const op = req.method === "POST" ? "add" : req.method === "DELETE" ? "remove" : undefined;
    const body = await readBody(req);
    const log = (status: number, extra: Partial<SandboxRequest> = {}) =>
      requests.push({
        at: new Date(),
        method: req.method ?? "",
        path: url.pathname,
        audienceId,
        op,
        rows: 0,
        status,
        errorCode: undefined,
        numInvalid: undefined,
        session: undefined,
        ...extra,
      });
    const fail = (failure: GraphFailure, headers: Record<string, string> = {}) => {
      log(failure.status, { errorCode: failure.body.error.code });
      send(res, failure.status, failure.body, headers);
    };

    if (body === undefined) {
      return fail(graphFailure(413, 100, `(#100) Request body over ${MAX_BODY_BYTES} bytes`));
    }
    if (!audienceId) {
      return fail(graphFailure(400, 2500, `Unknown path components: ${url.pathname}`));
    }
    if (!op) return fail(graphFailure(400, 100, `(#100) Unsupported ${req.method} request`));
    const params = parseParams(url, req.headers["content-type"], body);
    if (params === undefined) {
      return fail(graphFailure(400, 100, "(#100) The request body could not be parsed"));
    }
    const token = bearer(req.headers.authorization) ?? stringParam(params.access_token);
    if (!token) {
      return fail(graphFailure(400, 104, "An access token is required to request this resource."));
    }
    if (!tokens.has(token)) {
      return fail(graphFailure(400, 190, "Invalid OAuth access token - Cannot parse access token"));
    }
    if (!store.has(audienceId)) {
      return fail(
        graphFailure(
          400,
          100,
          `Unsupported ${req.method?.toLowerCase()} request. Object with ID '${audienceId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
          { type: "GraphMethodException", subcode: 33 },
        ),
      );
    }
    const fault = faults.shift() ?? outage;
    if (fault) return fail(...faultAnswer(fault));

    const check = checkUsersParams(params);
    if (!check.ok) return fail(check.failure);
    const session = check.session
      ? { sessionId: check.session.session_id, batchSeq: check.session.batch_seq }
      : undefined;
    await store.apply(op, audienceId, check.valid, session);
    log(200, { rows: check.numReceived, numInvalid: check.numInvalid, session: check.session });
    send(res, 200, {
      audience_id: audienceId,
      session_id: String(check.session?.session_id ?? Date.now()),
      num_received: check.numReceived,
      num_invalid_entries: check.numInvalid,
      invalid_entry_samples: check.invalidSamples,
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      const failure = graphFailure(500, 1, "An unknown error has occurred.");
      if (!res.headersSent) send(res, failure.status, failure.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    accessToken: [...tokens][0] ?? SANDBOX_ACCESS_TOKEN,
    requests,
    createAudience: (id) => store.create(id),
    members: (id, key) => store.members(id, key),
    rows: (id) => store.rows(id),
    uploads: () => store.uploads(),
    failNext(fault, times = 1) {
      for (let i = 0; i < times; i++) faults.push(fault);
    },
    failAlways(fault) {
      outage = fault;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.flush();
    },
  };
}

export type { UploadRecord } from "./sandbox-audiences.js";
export type { SandboxFault } from "./sandbox-faults.js";
